/** Most characters of requester-written text a notice shows. */
export const REQUESTER_TEXT_MAX = 200;

/** `http(s)://` becomes `hxxp(s)://`, any other `scheme://` becomes `scheme[:]//`. */
function breakSchemes(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*):\/\//gi, (_, scheme: string) =>
    /^https?$/i.test(scheme)
      ? `${scheme.toLowerCase().replace('tt', 'xx')}://`
      : `${scheme}[:]//`,
  );
}

/**
 * Text someone else wrote, made safe to show inside a notice people trust: on one line
 * (no control, line-break or invisible direction characters), with links broken so no
 * client makes them clickable (`hxxps://`, `example[.]com`), at most
 * {@link REQUESTER_TEXT_MAX} characters.
 */
export function plainText(text: string | undefined): string {
  let t = (text ?? '')
    // Invisible formatting (bidi overrides, zero-width characters) goes; breaks become spaces.
    .replace(/\p{Cf}+/gu, '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ')
    .trim();
  t = breakSchemes(t).replace(/([\p{L}\p{N}-])\.(?=\p{L}{2,})/gu, '$1[.]');
  const chars = [...t];
  if (chars.length > REQUESTER_TEXT_MAX)
    t = `${chars.slice(0, REQUESTER_TEXT_MAX - 1).join('')}…`;
  return t;
}

/** Requester-written text in a notice, labelled as theirs: `Justification (from the requester): ...`. */
export function requesterText(label: string, text: string | undefined): string {
  return `${label} (from the requester): ${plainText(text) || '(none)'}`;
}
