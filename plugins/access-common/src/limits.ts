/**
 * Most resource items one submission may name; the backend refuses more (400), and the
 * New Request page stops adding at this many.
 *
 * @public
 */
export const MAX_REQUEST_ITEMS = 1000;

/**
 * Most characters of any justification, comment or reason; the backend refuses longer
 * text (400), and the frontend's text fields stop at this length.
 *
 * @public
 */
export const MAX_TEXT_LENGTH = 2000;

/**
 * Longest duration a request or extension may ask for (366 days), whatever a flow allows.
 *
 * @public
 */
export const MAX_DURATION_SECONDS = 366 * 86400;

/**
 * Most audit entries one page of `GET /audit` may ask for (`limit`); the backend refuses
 * more (400), and the frontend's CSV export reads pages of this size.
 *
 * @public
 */
export const MAX_AUDIT_PAGE_SIZE = 1000;

/**
 * The signals channel the backend publishes request changes on, and the frontend listens
 * to for live updates.
 *
 * @public
 */
export const ACCESS_SIGNAL_CHANNEL = 'access-requests';
