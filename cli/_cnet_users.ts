// Copyright 2026 the moonwire authors. MIT license.
// `moonwire cnet users add|del|list|passwd`: a server's user table
// (`<name>_users.tbl` in --dir). The table is changed through the library:
// the server is hosted for the moment on an in-process modem (nothing goes
// on a network) with a throwaway certificate, so no certificate file is
// made or read. A running `cnet host` reads its table once, at start.
import { CNetNode, MemoryNetwork, type Server } from "../cnet/mod.ts";
import { generateCertificate } from "../crypto/mod.ts";
import {
  type CommandInput,
  type CommandSpec,
  DIR_OPTION,
  directoryOption,
  integerArgument,
  JSON_OPTION,
  nameArgument,
  stringOption,
  UsageError,
} from "./_args.ts";
import { exists } from "./_files.ts";
import { readPassword } from "./_password.ts";

const MAX_TABLE_BYTES = 16 * 1024 * 1024;

function usernameArgument(text: string): string {
  if (text.length === 0 || text.length > 64) {
    throw new UsageError(
      `USER must be 1-64 characters, got ${text.length}`,
    );
  }
  return text;
}

/** Runs `work` with server `name` hosted on an in-process modem. */
async function withServer<T>(
  input: CommandInput,
  work: (node: CNetNode, server: Server) => Promise<T>,
): Promise<T> {
  const name = nameArgument(input.positionals[0]);
  using network = new MemoryNetwork();
  await using node = new CNetNode({
    directory: directoryOption(input),
    modems: { top: network.createModem() },
  });
  const { certificate, privateKey } = generateCertificate(name);
  const server = await node.host(name, {
    certificate,
    privateKey,
    discoverable: false,
    allowRegistration: false,
  });
  return await work(node, server);
}

const add: CommandSpec = {
  path: "cnet users add",
  args: ["NAME", "USER"],
  summary:
    "Add USER to server NAME's user table; the password comes from a prompt or the first line of stdin",
  options: {
    ...DIR_OPTION,
    level: {
      type: "string",
      value: "N",
      description: "Permission level, 0-2147483647",
      default: "1",
    },
    ...JSON_OPTION,
  },
  async run(input, out) {
    const username = usernameArgument(input.positionals[1]);
    const level = integerArgument(
      "--level",
      stringOption(input, "level", "1"),
      0,
      0x7fffffff,
    );
    await withServer(input, async (node, server) => {
      if (node.userExists(server, username)) {
        throw new Error(
          `Cannot add user: "${username}" already exists on "${server.name}"`,
        );
      }
      await node.addUser(
        server,
        username,
        await readPassword(username),
        level,
      );
      out.result(
        { name: server.name, user: username, level, added: true },
        `added ${username} (level ${level}) to ${server.name}`,
      );
    });
  },
};

const del: CommandSpec = {
  path: "cnet users del",
  args: ["NAME", "USER"],
  summary: "Delete USER from server NAME's user table",
  options: { ...DIR_OPTION, ...JSON_OPTION },
  async run(input, out) {
    const username = usernameArgument(input.positionals[1]);
    await withServer(input, async (node, server) => {
      if (!(await node.deleteUser(server, username))) {
        throw new Error(
          `Cannot delete user: "${username}" does not exist on "${server.name}"`,
        );
      }
      out.result(
        { name: server.name, user: username, deleted: true },
        `deleted ${username} from ${server.name}`,
      );
    });
  },
};

const passwd: CommandSpec = {
  path: "cnet users passwd",
  args: ["NAME", "USER"],
  summary:
    "Set USER's password on server NAME; from a prompt or the first line of stdin",
  options: { ...DIR_OPTION, ...JSON_OPTION },
  async run(input, out) {
    const username = usernameArgument(input.positionals[1]);
    await withServer(input, async (node, server) => {
      if (!node.userExists(server, username)) {
        throw new Error(
          `Cannot set password: "${username}" does not exist on "${server.name}"`,
        );
      }
      await node.setPassword(server, username, await readPassword(username));
      out.result(
        { name: server.name, user: username, changed: true },
        `changed the password of ${username} on ${server.name}`,
      );
    });
  },
};

// CNetNode has no way to list a table's users; its file is read directly
// (the format CryptoNet writes: { version: 1, users: { name: { hash,
// permissionLevel } } }).
async function readUsers(
  path: string,
): Promise<{ user: string; level: number }[]> {
  if (!(await exists(path))) return [];
  const info = await Deno.stat(path);
  if (info.size > MAX_TABLE_BYTES) {
    throw new RangeError(
      `Cannot list users: ${path} is ${info.size} bytes, limit ${MAX_TABLE_BYTES}`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new SyntaxError(`Cannot list users: ${path} is not valid JSON`, {
      cause: error,
    });
  }
  const users = (document as { users?: unknown } | null)?.users;
  if (
    (document as { version?: unknown } | null)?.version !== 1 ||
    typeof users !== "object" || users === null || Array.isArray(users)
  ) {
    throw new SyntaxError(
      `Cannot list users: ${path} is not a user table (expected { version: 1, users: {...} })`,
    );
  }
  return Object.entries(users).map(([user, record]) => ({
    user,
    level: (record as { permissionLevel?: number }).permissionLevel ?? 0,
  })).sort((a, b) => a.user < b.user ? -1 : a.user > b.user ? 1 : 0);
}

const list: CommandSpec = {
  path: "cnet users list",
  args: ["NAME"],
  summary: "List the users of server NAME with their permission levels",
  options: { ...DIR_OPTION, ...JSON_OPTION },
  async run(input, out) {
    const name = nameArgument(input.positionals[0]);
    const users = await readUsers(
      `${directoryOption(input)}/${name}_users.tbl`,
    );
    if (out.json) {
      out.data({ name, users });
      return;
    }
    for (const { user, level } of users) out.line(`${user}\t${level}`);
    if (users.length === 0) out.log(`${name} has no users`);
  },
};

export const USERS_COMMANDS: CommandSpec[] = [add, del, list, passwd];
