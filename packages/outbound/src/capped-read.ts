// Reads at most `max` bytes of a reply body, then stops the transfer: a provider (or anything
// pretending to be one) cannot make the server buffer an unbounded reply.
export async function readCapped(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= max) { await reader.cancel(); break; }
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, max));
}
