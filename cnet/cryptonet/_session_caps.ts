// Copyright 2026 the moonwire authors. MIT license.
// How many sessions a server holds, by kind: half-open handshakes and
// sessions not logged in (pre-login, which includes the half-open ones)
// are capped apart from the total, so anonymous peers cannot hold every
// slot. A new HELLO is admitted, asked for a cookie first (under load and
// not yet proven to receive on its reply channel, see _cookie.ts) or
// refused; to admit it the oldest half-open handshake, or the oldest idle
// pre-login session, is closed first. Oldest by when it connected, not by
// when it was last heard from: an attacker can keep its own sessions busy,
// but not make them younger, so a new client is the last to go. Idle: no
// login of it is being checked. Logged-in sessions are never evicted: only
// the total cap refuses a client once all of them are.
import { positiveInteger } from "./_checks.ts";
import type { NodeContext } from "./_node_context.ts";
import type { CryptoNetNodeOptions } from "./_node_options.ts";
import type { ServerState, Session } from "./_session.ts";
import type { SessionCaps } from "./_session_types.ts";
import { closeSession } from "./_session_driver.ts";

/** The caps' defaults, per server. */
export const SESSION_CAP_DEFAULTS = {
  maxSessions: 1024,
  maxHalfOpenSessions: 64,
  maxPreLoginSessions: 256,
} as const;

/** The caps from the node's options (RangeError for a bad one). */
export function sessionCaps(
  action: string,
  options: CryptoNetNodeOptions,
): SessionCaps {
  const cap = (name: keyof SessionCaps) =>
    positiveInteger(
      action,
      name,
      options[name] ?? SESSION_CAP_DEFAULTS[name],
      1_000_000,
    );
  return {
    maxSessions: cap("maxSessions"),
    maxHalfOpenSessions: cap("maxHalfOpenSessions"),
    maxPreLoginSessions: cap("maxPreLoginSessions"),
  };
}

export type Admission = "accept" | "cookie" | "refuse";

/**
 * Decides a new HELLO for `server`; `proven` when it carried a valid
 * cookie. Under load (half the half-open cap in use, or the pre-login or
 * total cap reached) an unproven HELLO gets a cookie; a proven one (or any,
 * not under load) is admitted, evicting as needed.
 */
export function admit(
  ctx: NodeContext,
  server: ServerState,
  proven: boolean,
): Admission {
  const caps = ctx.settings;
  const halfOpenCap = Math.min(caps.maxHalfOpenSessions, caps.maxSessions);
  const preLoginCap = Math.min(caps.maxPreLoginSessions, caps.maxSessions);
  let total = 0;
  let halfOpen = 0;
  let preLogin = 0;
  let oldestHalfOpen: Session | undefined;
  let oldestIdle: Session | undefined;
  for (const session of server.sessions) {
    if (session.state === "closed") continue;
    total++;
    if (session.state !== "open") {
      halfOpen++;
      if (
        oldestHalfOpen === undefined ||
        session.core.created < oldestHalfOpen.core.created
      ) {
        oldestHalfOpen = session;
      }
    }
    if (session.username === undefined) {
      preLogin++;
      if (
        !session.loginBusy &&
        (oldestIdle === undefined ||
          session.core.created < oldestIdle.core.created)
      ) {
        oldestIdle = session;
      }
    }
  }
  const full = preLogin >= preLoginCap || total >= caps.maxSessions;
  if (!proven && (full || halfOpen >= Math.ceil(halfOpenCap / 2))) {
    return "cookie";
  }
  if (halfOpen >= halfOpenCap && oldestHalfOpen !== undefined) {
    evict(ctx, server, oldestHalfOpen);
    if (oldestHalfOpen === oldestIdle) oldestIdle = undefined;
    total--;
    preLogin--;
  }
  if (preLogin >= preLoginCap || total >= caps.maxSessions) {
    if (oldestIdle === undefined) return "refuse";
    evict(ctx, server, oldestIdle);
  }
  return "accept";
}

function evict(ctx: NodeContext, server: ServerState, session: Session): void {
  server.counters.evicted++;
  closeSession(ctx, session, "closed", true).catch(() => ctx.drop(server));
}
