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
 * Writes a file atomically: the data goes to a temporary file in the same
 * directory, which is flushed to disk (`fsync`) and then renamed over `path`.
 * Readers see either the old file or the complete new one, never a partial
 * write, even after a crash. With `mode`, the temporary file gets those
 * permissions before any data is written, so secrets are never readable by
 * others.
 *
 * The temporary file has one fixed name per target, `.<name>.tmp`, held
 * under an exclusive lock while it is written and renamed: a writer killed
 * mid-way (even with SIGKILL, which releases the lock) leaves at most that
 * one file, and the next write of the same target reuses and renames it, so
 * no stray copies of secrets pile up. Leftovers of the older naming scheme
 * (`.<name>.<random>.tmp`) are removed at the first write of a target.
 * Concurrent writers, in this process or others, take turns.
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
 * @throws {Deno.errors.NotFound} If the folder of `path` does not exist.
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
  const target = splitPath(path);
  return await inTurn(path, () => writeLocked(path, target, bytes, mode));
}

/**
 * Removes the temporary file `.<name>.tmp` a killed writer of `path` left
 * behind (it may hold secrets: password hashes, private keys), and
 * leftovers of the older naming scheme. A live writer is never disturbed:
 * writers of `path` in this process go first, and the file lock is taken
 * before removal, so a writer in another process finishes (renaming the
 * file into place) before the file is judged. For programs that load
 * files written with {@linkcode writeFileAtomic}, at start.
 *
 * @example Clean up after a crash
 * ```ts
 * import { removeStaleTemp } from "@moonwire/moonwire/crypto";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/.users.tbl.tmp`, "half a write");
 * assert.equal(await removeStaleTemp(`${dir}/users.tbl`), true);
 * assert.equal(await removeStaleTemp(`${dir}/users.tbl`), false);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param path The file whose temporary file is checked (not the temporary
 * file itself).
 * @returns Whether a stale temporary file was removed.
 */
export async function removeStaleTemp(path: string): Promise<boolean> {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(
      "Cannot remove temporary file: path must be a non-empty string",
    );
  }
  const target = splitPath(path);
  return await inTurn(path, async () => {
    const removed = await removeLockedTemp(target);
    await removeOldTemps(target);
    return removed;
  });
}

const writers = new Map<string, Promise<void>>();
const cleaned = new Set<string>();

/** Runs `work` after the earlier work on `path` in this process. */
function inTurn<T>(path: string, work: () => Promise<T>): Promise<T> {
  // One writer per target in this process; the file lock covers others.
  const previous = writers.get(path) ?? Promise.resolve();
  const run = previous.then(work);
  const tail = run.then(() => {}, () => {});
  writers.set(path, tail);
  tail.then(() => {
    if (writers.get(path) === tail) writers.delete(path);
  });
  return run;
}

async function removeLockedTemp(target: Target): Promise<boolean> {
  const found = await Deno.lstat(target.temp).catch(() => undefined);
  if (found === undefined) return false;
  if (!found.isFile) {
    // Planted (a link): removed without following it.
    await Deno.remove(target.temp);
    return true;
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(target.temp, { write: true });
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) return false;
    throw cause;
  }
  try {
    // Renamed into place by the writer that held the lock: not stale.
    if (!(await lockNamed(file, target.temp))) return false;
    await Deno.remove(target.temp);
    return true;
  } finally {
    file.close();
  }
}

/**
 * Locks `file` (opened as `temp`), waiting for a writer that holds it, and
 * tells whether `temp` still names it: the writer may have renamed it into
 * place meanwhile, so the handle now points at the target.
 */
async function lockNamed(file: Deno.FsFile, temp: string): Promise<boolean> {
  await file.lock(true);
  const [held, named] = await Promise.all([
    file.stat(),
    Deno.lstat(temp).catch(() => undefined),
  ]);
  return named !== undefined && named.ino === held.ino;
}

interface Target {
  /** The folder, for messages and the directory fsync. */
  dir: string;
  /** The folder with its separator ("" for a bare name). */
  prefix: string;
  base: string;
  temp: string;
}

function splitPath(path: string): Target {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const dir = slash < 0
    ? "."
    : slash === 0
    ? path.slice(0, 1)
    : path.slice(0, slash);
  const prefix = slash < 0 ? "" : path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  return { dir, prefix, base, temp: `${prefix}.${base}.tmp` };
}

async function writeLocked(
  path: string,
  target: Target,
  bytes: Uint8Array,
  mode: number | undefined,
): Promise<void> {
  const { temp } = target;
  const windows = Deno.build.os === "windows";
  const file = await openLockedTemp(path, target, mode);
  let open = true;
  try {
    try {
      // A leftover of a killed writer may be longer, or have other bits.
      await file.truncate(0);
      // The umask can only narrow the mode; widen it back to exactly `mode`.
      if (mode !== undefined && !windows) await Deno.chmod(temp, mode);
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
      await file.sync();
      // Renamed while still locked, so a waiting writer sees it gone
      // (Windows cannot rename an open file: there it is closed first).
      if (windows) {
        file.close();
        open = false;
      }
      await Deno.rename(temp, path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      throw error;
    }
  } finally {
    if (open) file.close();
  }
  if (!windows) await syncDirectory(target.dir);
  if (!cleaned.has(path)) {
    cleaned.add(path);
    await removeOldTemps(target);
  }
}

/**
 * Opens `.<name>.tmp` and locks it. A writer that waited for the lock may
 * find the file renamed into place meanwhile (its handle then points at the
 * target itself): it checks the path still names the locked file, else
 * starts over.
 */
async function openLockedTemp(
  path: string,
  target: Target,
  mode: number | undefined,
): Promise<Deno.FsFile> {
  for (;;) {
    // Never write through a link planted where the temporary file goes.
    const planted = await Deno.lstat(target.temp).catch(() => undefined);
    if (planted !== undefined && !planted.isFile) {
      await Deno.remove(target.temp);
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(target.temp, {
        write: true,
        create: true,
        mode: mode ?? 0o666,
      });
    } catch (cause) {
      if (cause instanceof Deno.errors.NotFound) {
        throw new Deno.errors.NotFound(
          `Cannot write file ${path}: folder ${target.dir} not found`,
          { cause },
        );
      }
      throw cause;
    }
    try {
      if (await lockNamed(file, target.temp)) return file;
    } catch (error) {
      file.close();
      throw error;
    }
    file.close();
  }
}

/** Removes `.<name>.<digits>.tmp` files left by the older naming scheme. */
async function removeOldTemps(target: Target): Promise<void> {
  const prefix = `.${target.base}.`;
  try {
    for await (const entry of Deno.readDir(target.dir)) {
      const name = entry.name;
      if (
        entry.isFile && name.startsWith(prefix) && name.endsWith(".tmp") &&
        /^\d+$/.test(name.slice(prefix.length, -4))
      ) {
        await Deno.remove(`${target.prefix}${name}`).catch(() => {});
      }
    }
  } catch {
    // Best effort: an unreadable folder keeps its old leftovers.
  }
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
