// Copyright 2026 the moonwire authors. MIT license.
// Drives each session's sans-I/O core (_session_core.ts): after every call
// into it, service() sends what pollTransmit() gives over the session's
// modem, arms the session's one real timer for pollTimeout() and turns
// pollEvent() into node events and bookkeeping, in that fixed order.
import {
  ConnectionClosedError,
  encodeTable,
  type LuaValue,
  TimeoutError,
} from "../../net/mod.ts";
import { DeadlineTimer } from "./_deadline_timer.ts";
import type { NodeContext } from "./_node_context.ts";
import { encodePlain, Inner, PacketType } from "./_packet.ts";
import type { Session } from "./_session.ts";
import type { CloseReason, SessionEvent } from "./_session_types.ts";
import { UnauthenticatedSocket } from "./_unauthenticated_socket.ts";

const EMPTY = new Uint8Array(0);

/** Sends, re-arms and dispatches whatever the core has for the driver. */
export function service(ctx: NodeContext, session: Session): void {
  const core = session.core;
  for (let out = core.pollTransmit(); out; out = core.pollTransmit()) {
    try {
      session.modem.transmit(
        session.remoteChannel,
        session.localChannel,
        out.packet,
      );
    } catch (error) {
      // A user call waits on this packet: it rejects. Anything else is
      // counted (a full or closed modem must not end the process).
      if (out.onError !== undefined) out.onError(error);
      else ctx.counters.transmitErrors++;
    }
  }
  const at = core.pollTimeout();
  if (at === undefined) {
    session.timer?.clear();
  } else {
    session.timer ??= new DeadlineTimer(() => {
      const done = session.core.handleTimeout(Date.now());
      service(ctx, session);
      done.then(() => service(ctx, session));
    });
    session.timer.set(at);
  }
  for (let event = core.pollEvent(); event; event = core.pollEvent()) {
    onEvent(ctx, session, event);
  }
}

/** Runs `work` on the core, servicing it now and once it settles. */
function drive(
  ctx: NodeContext,
  session: Session,
  work: Promise<void>,
): Promise<void> {
  service(ctx, session);
  return work.finally(() => service(ctx, session));
}

/**
 * Queues from a user call: resolves once the packets are handed to the
 * modem, rejects with the modem's error when it refused one of them.
 */
async function userSend(
  ctx: NodeContext,
  session: Session,
  queue: (onError: (error: unknown) => void) => Promise<void>,
): Promise<void> {
  let failure: { error: unknown } | undefined;
  session.core.maxPayloadSize = session.modem.maxPayloadSize;
  await drive(ctx, session, queue((error) => failure ??= { error }));
  if (failure !== undefined) throw failure.error;
}

export function sendMessage(
  ctx: NodeContext,
  session: Session,
  message: LuaValue,
): Promise<void> {
  return userSend(
    ctx,
    session,
    (onError) => session.core.send(message, Date.now(), onError),
  );
}

export function sendPlain(
  ctx: NodeContext,
  session: Session,
  message: LuaValue,
): Promise<void> {
  // A plain message never opens the session on the server: the OPEN must
  // go first (queued ahead of it, so it does).
  const opened = session.core.openNow(Date.now());
  const body = encodeTable(message, {
    maxBytes: Math.min(
      session.modem.maxPayloadSize - 20,
      ctx.settings.maxMessageSize,
    ),
  });
  const packet = encodePlain(
    session.role === "client"
      ? PacketType.PLAIN_TO_SERVER
      : PacketType.PLAIN_TO_CLIENT,
    session.idBytes,
    body,
  );
  drive(ctx, session, opened);
  // In line with encrypted sends, so it never overtakes them.
  return userSend(
    ctx,
    session,
    (onError) => session.core.sendPlain(packet, onError),
  );
}

/** A control message no user call waits for (answers to the peer). */
export function sendControl(
  ctx: NodeContext,
  session: Session,
  kind: Inner,
  requestId: number,
  body: Uint8Array = EMPTY,
): Promise<void> {
  session.core.maxPayloadSize = session.modem.maxPayloadSize;
  return drive(
    ctx,
    session,
    session.core.sendControl(kind, requestId, body, Date.now()),
  );
}

/**
 * A client request (`start` calls the core's login or logout), which the
 * core retransmits until answered: resolves with the answer's body.
 */
export function request(
  ctx: NodeContext,
  session: Session,
  action: string,
  start: (now: number, onError: (error: unknown) => void) => {
    requestId: number;
    sent: Promise<void>;
  },
): Promise<Uint8Array<ArrayBuffer>> {
  const { promise, resolve, reject } = Promise.withResolvers<
    Uint8Array<ArrayBuffer>
  >();
  session.core.maxPayloadSize = session.modem.maxPayloadSize;
  const { requestId, sent } = start(Date.now(), reject);
  session.requests.set(requestId, { resolve, reject, action });
  drive(ctx, session, sent).catch(reject);
  return promise.finally(() => {
    session.requests.delete(requestId);
    session.core.cancelRequest(requestId);
  });
}

/** Rejects every waiting request of `session` (the node is closing). */
export function failRequests(session: Session, why: string): void {
  for (const waiter of session.requests.values()) {
    waiter.reject(
      new ConnectionClosedError(`Cannot ${waiter.action}: ${why}`),
    );
  }
  session.requests.clear();
}

export async function closeSession(
  ctx: NodeContext,
  session: Session,
  reason: CloseReason,
  notify: boolean,
): Promise<void> {
  const closing = session.core.close(
    reason,
    notify && !session.modem.isClosed,
    Date.now(),
  );
  await drive(ctx, session, closing);
  session.wipe();
}

export function resetLogin(ctx: NodeContext, session: Session): void {
  const username = session.username;
  session.username = undefined;
  session.permissionLevel = 0;
  if (username !== undefined) {
    ctx.hub.emit({
      type: "logout",
      username,
      socket: session,
      server: session.serverState,
    });
  }
}

function onEvent(
  ctx: NodeContext,
  session: Session,
  event: SessionEvent,
): void {
  const server = session.serverState;
  switch (event.type) {
    case "opened":
      ctx.hub.emit({ type: "connection_opened", socket: session, server });
      return;
    case "message":
      ctx.hub.emit({
        type: "encrypted_message",
        message: event.message,
        socket: session,
        server,
      });
      return;
    case "plain":
      ctx.hub.emit({
        type: "plain_message",
        authenticated: false,
        message: event.message,
        // Anyone who saw the session id could have sent it: no identity.
        socket: new UnauthenticatedSocket(session),
        server,
        side: session.side,
        channel: session.localChannel,
        distance: event.distance,
      });
      return;
    case "login":
      ctx.onLoginRequest(session, event.requestId, event.body);
      return;
    case "logout":
      resetLogin(ctx, session);
      if (session.role === "server") {
        sendControl(ctx, session, Inner.LOGOUT_RESULT, event.requestId)
          .catch(() => ctx.drop(server));
      }
      return;
    case "answer":
      session.requests.get(event.requestId)?.resolve(event.body);
      return;
    case "request_failed": {
      const waiter = session.requests.get(event.requestId);
      if (waiter === undefined) return;
      waiter.reject(
        event.reason === "timeout"
          ? new TimeoutError(
            `Cannot ${waiter.action}: no answer from "${session.serverName}" within ${ctx.settings.requestTimeout} ms`,
          )
          : event.reason === "closed"
          ? new ConnectionClosedError(
            `Cannot ${waiter.action}: socket is closed`,
          )
          : event.error,
      );
      return;
    }
    case "dropped":
      ctx.drop(server, event.replay);
      return;
    case "closed":
      forget(ctx, session);
      if (event.wasOpen) {
        ctx.hub.emit({
          type: "connection_closed",
          socket: session,
          server,
          reason: event.reason,
        });
      }
      // The CLOSE (if any) is sealed last; send it, then drop the keys.
      session.core.close(event.reason, false, Date.now()).then(() => {
        service(ctx, session);
        session.wipe();
      });
      return;
    case "expired":
      forget(ctx, session);
      session.wipe();
      return;
  }
}

/** Removes a closed session from the node's tables and its channel. */
export function forget(ctx: NodeContext, session: Session): void {
  if (session.role === "client") {
    if (ctx.clientSessions.get(session.id) === session) {
      ctx.clientSessions.delete(session.id);
      const entry = ctx.modems.get(session.side);
      if (entry !== undefined) ctx.modems.release(entry, session.localChannel);
    }
  } else {
    if (ctx.serverSessions.get(session.id) === session) {
      ctx.serverSessions.delete(session.id);
    }
    session.serverState?.sessions.delete(session);
  }
}
