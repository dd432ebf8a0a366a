// Copyright 2026 the moonwire authors. MIT license.
// Hosting: checks the options, loads (or generates) the server's key and
// certificate and its user table, and registers the server on its channel
// (and the discovery channel); closing undoes it.
import { LOGIN_THROTTLE_DEFAULTS, LoginThrottle } from "./_login_throttle.ts";
import { positiveInteger, seconds } from "./_checks.ts";
import { defaultFileName, loadServerIdentity, resolvePath } from "./_files.ts";
import { checkPayload } from "./_modem_table.ts";
import type { NodeContext } from "./_node_context.ts";
import type { HostOptions } from "./_node_options.ts";
import { nameBytes } from "./_packet.ts";
import { DISCOVERY_CHANNEL, serverChannel } from "./_server_channel.ts";
import { ServerState } from "./_session.ts";
import { closeSession } from "./_session_driver.ts";
import { UserTable } from "./_user_table.ts";

export async function host(
  ctx: NodeContext,
  serverName: string,
  options: HostOptions,
): Promise<ServerState> {
  const action = `host "${serverName}"`;
  ctx.checkOpen(action);
  nameBytes(action, serverName);
  const entry = ctx.modems.entry(action, options.modemSide);
  checkPayload(action, entry.modem);
  const loginDelay = seconds(action, "loginDelay", options.loginDelay ?? 0.5);
  const maxLoginAttempts = positiveInteger(
    action,
    "maxLoginAttempts",
    options.maxLoginAttempts ?? 5,
    1_000_000,
  );
  const checksPerSecond = positiveInteger(
    action,
    "maxLoginChecksPerSecond",
    options.maxLoginChecksPerSecond ?? LOGIN_THROTTLE_DEFAULTS.checksPerSecond,
    1_000_000,
  );
  const passwordCost = options.passwordCost ?? 15;
  if (
    !Number.isInteger(passwordCost) || passwordCost < 15 || passwordCost > 22
  ) {
    throw new RangeError(
      `Cannot ${action}: passwordCost ${passwordCost} is not an integer in 15-22`,
    );
  }
  for (const server of ctx.servers) {
    if (server.name === serverName && server.side === entry.side) {
      throw new Error(
        `Cannot ${action}: this node already hosts it on side "${entry.side}"`,
      );
    }
  }
  const identity = await loadServerIdentity(
    serverName,
    ctx.directory,
    options.certificate,
    options.privateKey,
  );
  const users = new UserTable(
    resolvePath(
      ctx.directory,
      options.userTablePath ??
        defaultFileName(action, serverName, "_users.tbl"),
    ),
  );
  await users.load();
  ctx.checkOpen(action);
  const server = new ServerState({
    name: serverName,
    channel: serverChannel(serverName),
    side: entry.side,
    modem: entry.modem,
    certificate: identity.certificate,
    keyPair: identity.keyPair,
    discoverable: options.discoverable ?? true,
    hideCertificate: options.hideCertificate ?? false,
    users,
    loginDelay,
    maxLoginAttempts,
    passwordCost,
    loginThrottle: new LoginThrottle({
      ...LOGIN_THROTTLE_DEFAULTS,
      baseDelay: loginDelay,
      checksPerSecond,
    }),
    closer: (s) => closeServer(ctx, s),
  });
  ctx.servers.add(server);
  ctx.modems.retain(entry, server.channel);
  if (server.discoverable) ctx.modems.retain(entry, DISCOVERY_CHANNEL);
  return server;
}

export async function closeServer(
  ctx: NodeContext,
  server: ServerState,
): Promise<void> {
  if (!server.open) return;
  server.open = false;
  ctx.servers.delete(server);
  await Promise.all(
    [...server.sessions].map((s) => closeSession(ctx, s, "closed", true)),
  );
  const entry = ctx.modems.get(server.side);
  if (entry !== undefined && entry.modem === server.modem) {
    ctx.modems.release(entry, server.channel);
    if (server.discoverable) ctx.modems.release(entry, DISCOVERY_CHANNEL);
  }
}
