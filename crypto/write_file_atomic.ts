// Copyright 2026 the moonwire authors. MIT license.
/**
 * Atomic file replacement.
 *
 * @module
 */

/** Options for {@linkcode writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /**
   * Permission bits for the file, applied exactly (not masked by the umask),
   * for example `0o600` for secrets. Ignored on Windows. By default the file
   * gets `0o666` masked by the process umask.
   */
  mode?: number;
}

const encoder = new TextEncoder();

/**
 * Writes a file atomically: the data goes to a new temporary file in the same
 * directory, which is flushed to disk (`fsync`) and then renamed over `path`.
 * Readers see either the old file or the complete new one, never a partial
 * write, even after a crash. With `mode`, the temporary file is created with
 * those permissions before any data is written, so secrets are never
 * readable by others.
 *
 * @example Write a private file
 * ```ts
 * import { writeFileAtomic } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/secret.txt`;
 * await writeFileAtomic(path, "hello", { mode: 0o600 });
 * assert.equal(await Deno.readTextFile(path), "hello");
 * if (Deno.build.os !== "windows") {
 *   assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param path The file to create or replace.
 * @param data The contents; strings are written as UTF-8.
 * @param options The permission bits.
 * @returns A promise that resolves once the file is renamed into place.
 * @throws {TypeError} If `data` is neither a string nor a `Uint8Array`.
 * @throws {RangeError} If `mode` is not an integer from 0 to 0o777.
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const { mode } = options;
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError("Cannot write file: path must be a non-empty string");
  }
  if (typeof data !== "string" && !(data instanceof Uint8Array)) {
    throw new TypeError(
      `Cannot write file ${path}: data must be a string or a Uint8Array`,
    );
  }
  if (
    mode !== undefined &&
    (!Number.isInteger(mode) || mode < 0 || mode > 0o777)
  ) {
    throw new RangeError(
      `Cannot write file ${path}: mode must be an integer from 0 to 0o777, got ${mode}`,
    );
  }
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const dir = slash < 0
    ? "."
    : slash === 0
    ? path.slice(0, 1)
    : path.slice(0, slash);
  const base = path.slice(slash + 1);
  const suffix = crypto.getRandomValues(new Uint32Array(2)).join("");
  const temp = `${
    slash < 0 ? "" : path.slice(0, slash + 1)
  }.${base}.${suffix}.tmp`;
  const windows = Deno.build.os === "windows";

  try {
    const file = await Deno.open(temp, {
      write: true,
      createNew: true,
      mode: mode ?? 0o666,
    });
    try {
      // The umask can only narrow the mode; widen it back to exactly `mode`.
      if (mode !== undefined && !windows) await Deno.chmod(temp, mode);
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  if (!windows) await syncDirectory(dir);
}

/** Makes the rename itself durable; best effort where unsupported. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    using handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the data is already safe.
  }
}
