// Copyright 2026 the moonwire authors. MIT license.
// The login exchange inside a session: the client's login/logout requests
// (retransmitted by the session core until answered) and the server's
// answer to a login, throttled per socket, per user name and server-wide
// (_login_throttle.ts) and bounded node-wide (_login_gate.ts). A
// retransmitted request gets the cached answer and never a second password
// check.
import { decodeTable, encodeTable, type LuaValue } from "../../net/mod.ts";
import type { LoginGate } from "./_login_gate.ts";
import type { NodeContext } from "./_node_context.ts";
import { Inner } from "./_packet.ts";
import type { Session } from "./_session.ts";
import { withRequestId } from "./_session_types.ts";
import { request, resetLogin, sendControl } from "./_session_driver.ts";
import { checkPasswordText, checkUsername } from "./_user_table.ts";
import { checkPassword } from "./_user_store.ts";

type FailureReason =
  | "invalid_credentials"
  | "rate_limited"
  | "too_many_attempts"
  | "busy";

const REASONS: readonly unknown[] = [
  "rate_limited",
  "too_many_attempts",
  "busy",
] satisfies FailureReason[];

/** Client: logs in over `session`; true when the server accepted. */
export async function login(
  ctx: NodeContext,
  session: Session,
  username: string,
  password: string,
): Promise<boolean> {
  const action = "log in";
  if (session.role !== "client") {
    throw new TypeError(`Cannot ${action}: socket is a server-side socket`);
  }
  checkUsername(action, username);
  checkPasswordText(action, password);
  const reply = await request(
    ctx,
    session,
    action,
    (now, onError) => session.core.login(username, password, now, onError),
  );
  const result = decodeTable(reply) as Record<string, LuaValue>;
  if (
    typeof result !== "object" || result === null ||
    typeof result.ok !== "boolean"
  ) {
    throw new SyntaxError(`Cannot ${action}: malformed answer`);
  }
  if (result.ok === true && typeof result.permissionLevel === "number") {
    session.username = username;
    session.permissionLevel = result.permissionLevel;
    ctx.hub.emit({
      type: "login",
      username,
      socket: session,
      server: undefined,
    });
    return true;
  }
  const reason = REASONS.includes(result.reason)
    ? result.reason as FailureReason
    : "invalid_credentials";
  ctx.hub.emit({
    type: "login_failed",
    username,
    socket: session,
    server: undefined,
    reason,
  });
  return false;
}

/** Logs out: a client asks its server; a server logs its client out. */
export async function logout(
  ctx: NodeContext,
  session: Session,
): Promise<void> {
  if (session.role === "server") {
    resetLogin(ctx, session);
    await sendControl(ctx, session, Inner.LOGOUT_RESULT, 0).catch(() => {});
    return;
  }
  await request(
    ctx,
    session,
    "log out",
    (now, onError) => session.core.logout(now, onError),
  );
  resetLogin(ctx, session);
}

function parseCredentials(body: Uint8Array): [string, string] {
  try {
    const request = decodeTable(body, { maxBytes: 4096 }) as Record<
      string,
      LuaValue
    >;
    if (
      typeof request === "object" && request !== null &&
      typeof request.username === "string" &&
      typeof request.password === "string"
    ) {
      return [request.username, request.password];
    }
  } catch {
    // Treated as a failed login.
  }
  return ["", ""];
}

/**
 * A password check admitted by the node's gate and the server's throttle.
 * `busy` and `rate_limited` answers come without scrypt and are not counted
 * as failures.
 */
async function gatedCheck(
  ctx: NodeContext,
  gate: LoginGate,
  session: Session,
  username: string,
  password: string,
): Promise<[boolean, FailureReason]> {
  const server = session.serverState!;
  const ticket = gate.tryEnter();
  // The node's checks and queue are full: refused at once.
  if (ticket === undefined) return [false, "busy"];
  const queuedAt = Date.now();
  try {
    await ticket.ready;
    // Waited so long that a client with the default requestTimeout would
    // soon give up: answer now rather than check for nobody.
    if (Date.now() - queuedAt > ctx.settings.requestTimeout / 2) {
      return [false, "busy"];
    }
    // Closed while waiting: nobody to answer, no check.
    if (session.state !== "open") return [false, "busy"];
    // Throttled (this name or the whole server), taken when the check
    // starts so the token bucket paces scrypt itself.
    if (!server.loginThrottle.begin(username, Date.now())) {
      return [false, "rate_limited"];
    }
    let ok = false;
    try {
      ok = username !== "" && password !== "" &&
        await checkPassword(server, username, password);
    } finally {
      server.loginThrottle.end(username, ok, Date.now());
    }
    return [ok, "invalid_credentials"];
  } finally {
    ticket.release();
  }
}

/**
 * Server: answers a login request that arrived on `session`, its password
 * check admitted by the node's `gate`.
 */
export async function answerLogin(
  ctx: NodeContext,
  gate: LoginGate,
  session: Session,
  requestId: number,
  body: Uint8Array,
): Promise<void> {
  const server = session.serverState!;
  if (requestId === session.lastLoginRequest) {
    // A retransmission: repeat the answer, never re-check the password.
    if (session.lastLoginReply !== undefined) {
      const reply = session.lastLoginReply;
      await sendControl(
        ctx,
        session,
        reply[0] as Inner,
        requestId,
        reply.subarray(5),
      );
    }
    return;
  }
  if (session.loginBusy) return;
  session.loginBusy = true;
  session.lastLoginRequest = requestId;
  session.lastLoginReply = undefined;
  try {
    const [username, password] = parseCredentials(body);
    let ok = false;
    let reason: FailureReason = "invalid_credentials";
    if (session.loginFailures >= server.maxLoginAttempts) {
      reason = "too_many_attempts";
    } else if (Date.now() < session.loginAllowedAt) {
      reason = "rate_limited";
    } else {
      [ok, reason] = await gatedCheck(ctx, gate, session, username, password);
      if (reason === "invalid_credentials" && !ok) {
        session.loginFailures++;
        session.loginAllowedAt = Date.now() +
          Math.min(
            60_000,
            server.loginDelay * 2 ** (session.loginFailures - 1),
          );
      }
    }
    if (session.state !== "open") return;
    const record = ok ? server.users.users.get(username) : undefined;
    if (record !== undefined) {
      session.loginFailures = 0;
      session.loginAllowedAt = 0;
      session.username = username;
      session.permissionLevel = record.permissionLevel;
      ctx.hub.emit({ type: "login", username, socket: session, server });
    } else {
      ok = false;
      ctx.hub.emit({
        type: "login_failed",
        username,
        socket: session,
        server,
        reason,
      });
    }
    const answer = encodeTable({
      ok,
      username,
      permissionLevel: record?.permissionLevel ?? 0,
      reason: ok ? "" : reason,
    });
    session.lastLoginReply = withRequestId(
      Inner.LOGIN_RESULT,
      requestId,
      answer,
    );
    await sendControl(ctx, session, Inner.LOGIN_RESULT, requestId, answer);
  } finally {
    session.loginBusy = false;
  }
}
