// Copyright 2026 the moonwire authors. MIT license.
// `moonwire key show`: what a key file holds, never the secret itself.
import { resolve } from "node:path";
import {
  type KeyAlgorithm,
  keyPairFromPrivateKey,
  readKeyFile,
} from "../crypto/mod.ts";
import { type CommandSpec, type GroupSpec, JSON_OPTION } from "./_args.ts";
import { requireFile } from "./_files.ts";
import { fingerprint } from "./_fingerprint.ts";

const MAX_PEEK_BYTES = 64 * 1024;

// The file says what it holds; readKeyFile then checks and decodes it. A
// file that says nothing sensible is read as an X25519 private key so
// readKeyFile reports what is wrong with it.
async function peek(
  path: string,
): Promise<{ algorithm: KeyAlgorithm; private: boolean }> {
  const fallback = { algorithm: "x25519" as const, private: true };
  try {
    const info = await Deno.stat(path);
    if (info.size > MAX_PEEK_BYTES) return fallback;
    const document = JSON.parse(await Deno.readTextFile(path));
    const { algorithm, use } = document ?? {};
    if (
      (algorithm === "x25519" || algorithm === "ed25519") &&
      (use === "private" || use === "public")
    ) {
      return { algorithm, private: use === "private" };
    }
  } catch {
    // readKeyFile below names the problem.
  }
  return fallback;
}

const show: CommandSpec = {
  path: "key show",
  args: ["FILE"],
  summary:
    "Show a key file: algorithm, public or private, and the public key's fingerprint (the secret is never printed)",
  options: { ...JSON_OPTION },
  async run(input, out) {
    const path = resolve(Deno.cwd(), input.positionals[0]);
    await requireFile("show key", "file", path);
    const options = await peek(path);
    const key = await readKeyFile(path, options);
    const publicKey = options.private
      ? keyPairFromPrivateKey(options.algorithm, key).publicKey
      : key;
    const print = await fingerprint(publicKey);
    const use = options.private ? "private" : "public";
    out.result(
      { path, algorithm: options.algorithm, use, fingerprint: print },
      `file        ${path}\nalgorithm   ${options.algorithm}\nuse         ${use}\nfingerprint ${print}`,
    );
  },
};

export const KEY_GROUP: GroupSpec = {
  name: "key",
  summary: "Key files",
  commands: [show],
};
