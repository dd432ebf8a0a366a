// Copyright 2026 the moonwire authors. MIT license.
// Bounded reads for small files (keys, certificates): a hostile or wrong
// path cannot make us load an arbitrarily large file.

/** Key and certificate files are a few hundred bytes; this is generous. */
export const SMALL_FILE_LIMIT = 64 * 1024;

/**
 * Reads a UTF-8 text file of at most `limit` bytes.
 * Deno.errors.NotFound and other I/O errors pass through unchanged.
 *
 * @throws {RangeError} If the file is larger than `limit`.
 * @throws {SyntaxError} If the file is not valid UTF-8.
 */
export async function readSmallTextFile(
  path: string,
  what: string,
  limit: number = SMALL_FILE_LIMIT,
): Promise<string> {
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(limit + 1);
  let length = 0;
  while (length < buffer.length) {
    const n = await file.read(buffer.subarray(length));
    if (n === null) break;
    length += n;
  }
  if (length > limit) {
    throw new RangeError(
      `Cannot read ${what} ${path}: file exceeds ${limit} bytes`,
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(
      buffer.subarray(0, length),
    );
  } catch (cause) {
    throw new SyntaxError(`Cannot read ${what} ${path}: not valid UTF-8`, {
      cause,
    });
  }
}
