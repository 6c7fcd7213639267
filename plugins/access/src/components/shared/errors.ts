/** The HTTP status of an error thrown by the access client, when it has one. */
export function errorStatus(e: unknown): number | undefined {
  const status = (e as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** What to show of anything thrown: an error's message, else the value as text. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
