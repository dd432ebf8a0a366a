// Copyright 2026 the moonwire authors. MIT license.
// A server's user table: user name → scrypt hash and permission level, kept
// in memory and saved as JSON with writeFileAtomic (mode 0600) after every
// change. Saves are serialised so the file always holds the latest table.
import { removeStaleTemp, writeFileAtomic } from "../../crypto/mod.ts";
import { fileExists } from "./_files.ts";

export interface UserRecord {
  hash: string;
  permissionLevel: number;
}

const MAX_TABLE_BYTES = 16 * 1024 * 1024;

export class UserTable {
  readonly path: string;
  readonly users = new Map<string, UserRecord>();
  #saving: Promise<void> = Promise.resolve();

  constructor(path: string) {
    this.path = path;
  }

  async load(): Promise<void> {
    // A save killed mid-way leaves `.<name>.tmp` with password hashes.
    await removeStaleTemp(this.path);
    if (!(await fileExists(this.path))) return;
    const info = await Deno.stat(this.path);
    if (info.size > MAX_TABLE_BYTES) {
      throw new RangeError(
        `Cannot load user table ${this.path}: ${info.size} bytes exceeds limit ${MAX_TABLE_BYTES}`,
      );
    }
    const text = await Deno.readTextFile(this.path);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new SyntaxError(
        `Cannot load user table ${this.path}: not valid JSON`,
        { cause: error },
      );
    }
    const users = (document as { users?: unknown })?.users;
    if (
      typeof document !== "object" || document === null ||
      (document as { version?: unknown }).version !== 1 ||
      typeof users !== "object" || users === null || Array.isArray(users)
    ) {
      throw new SyntaxError(
        `Cannot load user table ${this.path}: expected { version: 1, users: {...} }`,
      );
    }
    for (const [name, record] of Object.entries(users)) {
      const { hash, permissionLevel } = record as Partial<UserRecord>;
      if (
        typeof hash !== "string" || !Number.isInteger(permissionLevel) ||
        (permissionLevel as number) < 0
      ) {
        throw new SyntaxError(
          `Cannot load user table ${this.path}: bad record for user "${name}"`,
        );
      }
      this.users.set(name, { hash, permissionLevel: permissionLevel! });
    }
  }

  save(): Promise<void> {
    const users: Record<string, UserRecord> = {};
    for (const [name, record] of this.users) users[name] = { ...record };
    const text = JSON.stringify({ version: 1, users }, null, 2) + "\n";
    const next = this.#saving.then(() =>
      writeFileAtomic(this.path, text, { mode: 0o600 })
    );
    this.#saving = next.catch(() => {});
    return next;
  }
}

export function checkUsername(action: string, username: unknown): string {
  if (typeof username !== "string") {
    throw new TypeError(`Cannot ${action}: username must be a string`);
  }
  if (username.length === 0 || username.length > 64) {
    throw new RangeError(
      `Cannot ${action}: username must be 1-64 characters, got ${username.length}`,
    );
  }
  return username;
}

export function checkPasswordText(action: string, password: unknown): string {
  if (typeof password !== "string") {
    throw new TypeError(`Cannot ${action}: password must be a string`);
  }
  if (password.length === 0 || password.length > 1024) {
    throw new RangeError(
      `Cannot ${action}: password must be 1-1024 characters, got ${password.length}`,
    );
  }
  return password;
}

export function checkPermissionLevel(action: string, level: unknown): number {
  if (typeof level !== "number") {
    throw new TypeError(`Cannot ${action}: permission level must be a number`);
  }
  if (!Number.isInteger(level) || level < 0 || level > 0x7fffffff) {
    throw new RangeError(
      `Cannot ${action}: permission level ${level} is not an integer in 0-2147483647`,
    );
  }
  return level;
}
