/** The backend's bound for any justification, comment or reason. */
export const MAX_TEXT_LENGTH = 2000;
