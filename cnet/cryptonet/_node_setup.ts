// Copyright 2026 the moonwire authors. MIT license.
// Wiring of a node: its options checked into settings, the units joined
// through one NodeContext (modem messages to the dispatcher, login requests
// to the login exchange), and the order things stop in on close.
import type { CertificateAuthority } from "../../crypto/mod.ts";
import { positiveInteger, seconds } from "./_checks.ts";
import { sessionCaps } from "./_session_caps.ts";
import { onModemMessage } from "./_dispatch.ts";
import { EventHub } from "./_event_hub.ts";
import { answerLogin } from "./_login_exchange.ts";
import { LoginGate } from "./_login_gate.ts";
import { ModemTable } from "./_modem_table.ts";
import { NodeContext } from "./_node_context.ts";
import { initCa, LOAD_CA_KEY, loadCaKey, resolvePath } from "./_files.ts";
import type {
  CryptoNetNodeOptions,
  InitCertificateAuthorityOptions,
} from "./_node_options.ts";
import { closeSession, failRequests } from "./_session_driver.ts";
import { closeServer } from "./_host.ts";

export function createContext(options: CryptoNetNodeOptions): NodeContext {
  const action = "create node";
  const closeModems = options.closeModems ?? true;
  if (typeof closeModems !== "boolean") {
    throw new TypeError("Cannot create node: closeModems must be a boolean");
  }
  const directory = options.directory ?? Deno.cwd();
  if (typeof directory !== "string" || directory === "") {
    throw new TypeError(
      "Cannot create node: directory must be a non-empty string",
    );
  }
  const hub = new EventHub(
    positiveInteger(
      action,
      "eventQueueSize",
      options.eventQueueSize ?? 2000,
      1_000_000,
    ),
  );
  const time = (name: keyof CryptoNetNodeOptions, fallback: number) =>
    seconds(action, name, options[name] ?? fallback);
  const settings = {
    idleTimeout: time("idleTimeout", 60),
    keepAlive: time("keepAliveInterval", 20),
    retransmit: Math.max(10, time("retransmitInterval", 0.25)),
    handshakeTimeout: time("handshakeTimeout", 5),
    requestTimeout: time("requestTimeout", 10),
    maxMessageSize: positiveInteger(
      action,
      "maxMessageSize",
      options.maxMessageSize ?? 1024 * 1024,
      64 * 1024 * 1024,
    ),
    ...sessionCaps(action, options),
  };
  const modems = new ModemTable((entry, message) =>
    onModemMessage(ctx, entry, message)
  );
  const gate = new LoginGate(
    positiveInteger(
      action,
      "maxConcurrentLogins",
      options.maxConcurrentLogins ?? 2,
      64,
    ),
    positiveInteger(
      action,
      "maxWaitingLogins",
      options.maxWaitingLogins ?? 32,
      10_000,
    ),
  );
  const ctx = new NodeContext(directory, settings, modems, hub, closeModems);
  ctx.onLoginRequest = (session, requestId, body) =>
    answerLogin(ctx, gate, session, requestId, body).catch(() =>
      ctx.drop(session.serverState)
    );
  return ctx;
}

/** Closes every client session and server; the node stays usable. */
export async function closeAll(ctx: NodeContext): Promise<void> {
  await Promise.all([
    ...[...ctx.clientSessions.values()].map((s) =>
      closeSession(ctx, s, "closed", true)
    ),
    ...[...ctx.servers].map((s) => closeServer(ctx, s)),
  ]);
}

/** Closes the node once; later and concurrent calls wait for the same. */
export function closeNode(ctx: NodeContext): Promise<void> {
  ctx.closing ??= (async () => {
    // Waiting logins and logouts fail as the node goes, not at a timeout.
    for (const session of ctx.clientSessions.values()) {
      failRequests(session, "node is closed");
    }
    await closeAll(ctx);
    ctx.isClosed = true;
    ctx.abort.abort();
    await ctx.modems.closeAll(ctx.closeModems);
    ctx.hub.close();
    ctx.closed.resolve();
  })();
  return ctx.closing;
}

/**
 * Runs the seed's event loop: `onStart`, then waits until the node is
 * closed; if `onStart` throws, the node is closed and the error rethrown.
 */
export async function runLoop(
  ctx: NodeContext,
  onStart: () => void | Promise<void>,
  close: () => Promise<void>,
): Promise<void> {
  ctx.checkOpen("set up");
  if (ctx.running) {
    throw new Error("Cannot set up: the event loop is already running");
  }
  ctx.running = true;
  // A long timer keeps Deno running while the loop waits for events.
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await onStart();
    await ctx.closed.promise;
  } catch (error) {
    await close();
    throw error;
  } finally {
    clearInterval(keepAlive);
    ctx.running = false;
  }
}

export function initCertificateAuthority(
  ctx: NodeContext,
  options: InitCertificateAuthorityOptions,
): Promise<CertificateAuthority> {
  const path = (name: string) => resolvePath(ctx.directory, name);
  return initCa({
    publicKeyPath: path(options.publicKeyPath ?? "certAuth.key"),
    privateKeyPath: path(options.privateKeyPath ?? "certAuth_private.key"),
  }, options.overwrite ?? false);
}

export async function loadCertAuthKey(
  ctx: NodeContext,
  path: string,
): Promise<Uint8Array<ArrayBuffer>> {
  return (await loadCaKey(ctx.directory, path, true, LOAD_CA_KEY))!;
}

/** What the node's methods hand over to, in one place. */
export { connect } from "./_connect.ts";
export { discover, requestCertificate } from "./_discovery.ts";
export { closeServer, host } from "./_host.ts";
export { login, logout } from "./_login_exchange.ts";
export { closeSession, sendMessage, sendPlain } from "./_session_driver.ts";
export { signCertificateFileOrValue as signCertificate } from "./_files.ts";
