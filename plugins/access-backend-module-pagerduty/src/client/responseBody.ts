/**
 * The body of an answer as text, reading at most `maxBytes` bytes. Undefined when the body
 * is longer (announced or actually sent): the rest is not read, the stream is cancelled.
 */
export async function readTextWithin(
  res: Response,
  maxBytes: number,
): Promise<string | undefined> {
  const announced = Number(res.headers.get('content-length') ?? 0);
  if (announced > maxBytes) {
    await res.body?.cancel().catch(() => {});
    return undefined;
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
