/**
 * Reads at most `max` bytes of a fetch response's body and refuses more without reading the rest
 * (a declared length over the limit is refused before reading). For answers from systems outside
 * the hub's control (peer nodes, scheduling publishers), whose size must not be theirs to choose.
 */
export async function readLimitedBody(response: Response, max: number, tooLarge: () => Error): Promise<string> {
  const declared = Number(response.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
