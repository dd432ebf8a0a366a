// Copyright 2026 the moonwire authors. MIT license.
// File helpers shared by the commands.
import { readKeyFile } from "../crypto/mod.ts";

/** Whether something exists at `path` (a dangling link counts). */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/**
 * The CA public key in `path`; `undefined` when the file is missing and
 * `required` is false.
 */
export async function readCaPublicKey(
  path: string,
  required: boolean,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (!required && !(await exists(path))) return undefined;
  await requireFile("read CA key", "file", path);
  return await readKeyFile(path, { algorithm: "ed25519", private: false });
}

/**
 * Throws `Cannot <action>: <what> <path> not found[ (hint)]` when nothing is
 * at `path`, instead of the operating system's text.
 */
export async function requireFile(
  action: string,
  what: string,
  path: string,
  hint?: string,
): Promise<void> {
  if (!(await exists(path))) {
    throw new Deno.errors.NotFound(
      `Cannot ${action}: ${what} ${path} not found${hint ? ` (${hint})` : ""}`,
    );
  }
}
