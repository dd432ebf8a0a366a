// Copyright 2026 the moonwire authors. MIT license.
// The user store of a hosted server: adding, deleting and changing users
// in its table (scrypt hashes, saved atomically by _user_table.ts) and
// checking passwords, with unknown users costing as much as known ones.
import { hashPassword, verifyPassword } from "../../crypto/mod.ts";
import type { ServerState, Session } from "./_session.ts";
import {
  checkPasswordText,
  checkPermissionLevel,
  checkUsername,
  type UserRecord,
} from "./_user_table.ts";

let dummyHash: Promise<string> | undefined;

function exists(action: string, server: ServerState, username: string): Error {
  return new Error(
    `Cannot ${action}: "${username}" already exists on "${server.name}"`,
  );
}

function record(
  action: string,
  server: ServerState,
  username: string,
): UserRecord {
  const found = server.users.users.get(username);
  if (found === undefined) {
    throw new Error(
      `Cannot ${action}: no user "${username}" on "${server.name}"`,
    );
  }
  return found;
}

export async function addUser(
  server: ServerState,
  username: string,
  password: string,
  permissionLevel: number,
): Promise<void> {
  const action = "add user";
  checkUsername(action, username);
  checkPasswordText(action, password);
  checkPermissionLevel(action, permissionLevel);
  if (server.users.users.has(username)) throw exists(action, server, username);
  const hash = await hashPassword(password, { logN: server.passwordCost });
  // Added by someone else while the hash was computed.
  if (server.users.users.has(username)) throw exists(action, server, username);
  server.users.users.set(username, { hash, permissionLevel });
  await server.users.save();
}

/** Deletes a user; `logout` is called for each of their open sockets. */
export async function deleteUser(
  server: ServerState,
  username: string,
  logout: (session: Session) => Promise<void>,
): Promise<boolean> {
  checkUsername("delete user", username);
  if (!server.users.users.delete(username)) return false;
  await server.users.save();
  for (const session of server.sessions) {
    if (session.username === username && session.state === "open") {
      await logout(session);
    }
  }
  return true;
}

export async function setPassword(
  server: ServerState,
  username: string,
  password: string,
): Promise<void> {
  const action = "set password";
  checkPasswordText(action, password);
  const hash = await hashPassword(password, { logN: server.passwordCost });
  record(action, server, username).hash = hash;
  await server.users.save();
}

export async function setPermissionLevel(
  server: ServerState,
  username: string,
  permissionLevel: number,
): Promise<void> {
  const action = "set permission level";
  checkPermissionLevel(action, permissionLevel);
  record(action, server, username).permissionLevel = permissionLevel;
  for (const session of server.sessions) {
    if (session.username === username) {
      session.permissionLevel = permissionLevel;
    }
  }
  await server.users.save();
}

export async function checkPassword(
  server: ServerState,
  username: string,
  password: string,
): Promise<boolean> {
  if (typeof username !== "string" || typeof password !== "string") {
    throw new TypeError(
      "Cannot check password: username and password must be strings",
    );
  }
  const found = server.users.users.get(username);
  if (found === undefined) {
    dummyHash ??= hashPassword("moonwire dummy password");
    await verifyPassword(password, await dummyHash);
    return false;
  }
  return await verifyPassword(password, found.hash);
}
