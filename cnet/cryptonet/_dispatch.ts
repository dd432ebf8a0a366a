// Copyright 2026 the moonwire authors. MIT license.
// Packet dispatch: every modem message of the node lands here and goes to
// its unit: raw traffic to `modem_message`, requests to the discovery
// unit, answers to their collectors, HELLOs to a new server session (or a
// cookie, under load), HELLO_REPLYs and COOKIEs to a waiting connect, DATA
// and PLAIN to their session core.
import type { ModemMessage } from "../modem.ts";
import { refillEphemeralKeysSoon } from "../../crypto/_ephemeral_pool.ts";
import { answerRequest, serversOn } from "./_discovery.ts";
import type { ModemEntry } from "./_modem_table.ts";
import type { NodeContext } from "./_node_context.ts";
import {
  decodePacket,
  encodeCookie,
  HandshakePattern,
  type Packet,
  PacketType,
  PROTOCOL_NAMES,
} from "./_packet.ts";
import { type ServerState, Session } from "./_session.ts";
import { admit } from "./_session_caps.ts";
import { closeSession, forget, service } from "./_session_driver.ts";

export function onModemMessage(
  ctx: NodeContext,
  entry: ModemEntry,
  message: ModemMessage,
): void {
  if (ctx.isClosed) return;
  try {
    dispatch(ctx, entry, message);
  } catch {
    // A packet must never take the node down: count it and carry on.
    ctx.drop(undefined);
  }
}

function dispatch(
  ctx: NodeContext,
  entry: ModemEntry,
  message: ModemMessage,
): void {
  const { channel, replyChannel } = message;
  const packet = decodePacket(message.payload);
  if (packet === undefined) {
    if (entry.userChannels.has(channel)) {
      ctx.hub.emit({
        type: "modem_message",
        side: entry.side,
        channel,
        replyChannel,
        payload: message.payload,
        distance: message.distance,
      });
    } else if (entry.refs.has(channel)) {
      const servers = serversOn(ctx, entry, channel);
      if (servers.length === 0) ctx.drop(undefined);
      for (const server of servers) ctx.drop(server);
    }
    return;
  }
  switch (packet.type) {
    case PacketType.DISCOVER:
    case PacketType.CERT_REQUEST:
      answerRequest(ctx, entry, channel, replyChannel, packet);
      return;
    case PacketType.DISCOVER_REPLY:
    case PacketType.CERT_REPLY:
      ctx.collectors.get(packet.requestId.toHex())?.(packet);
      return;
    case PacketType.HELLO:
    case PacketType.HELLO_COOKIE: {
      const server = serversOn(ctx, entry, channel).find((s) =>
        s.name === packet.name
      );
      if (server !== undefined) acceptHello(ctx, server, packet, replyChannel);
      return;
    }
    case PacketType.HELLO_REPLY:
    case PacketType.COOKIE:
      ctx.helloWaiters.get(packet.sessionId.toHex())?.(packet);
      return;
    case PacketType.DATA_TO_SERVER:
    case PacketType.DATA_TO_CLIENT: {
      const session = find(ctx, entry, channel, packet);
      if (session === undefined) return;
      const done = session.core.handlePacket(
        packet.counter,
        packet.header,
        packet.ciphertext,
        Date.now(),
      );
      done.then(() => service(ctx, session));
      return;
    }
    case PacketType.PLAIN_TO_SERVER:
    case PacketType.PLAIN_TO_CLIENT: {
      const session = find(ctx, entry, channel, packet);
      if (session === undefined || session.state === "closed") return;
      // Behind the session's earlier packets, so an OPEN sent before it is
      // processed first.
      session.core.handlePlain(packet.body, message.distance).then(() =>
        service(ctx, session)
      );
      return;
    }
  }
}

/** The live session a DATA or PLAIN packet names, on the right channel. */
function find(
  ctx: NodeContext,
  entry: ModemEntry,
  channel: number,
  packet: Extract<Packet, { sessionId: Uint8Array; type: 7 | 8 | 9 | 10 }>,
): Session | undefined {
  const toServer = packet.type === PacketType.DATA_TO_SERVER ||
    packet.type === PacketType.PLAIN_TO_SERVER;
  const session = (toServer ? ctx.serverSessions : ctx.clientSessions).get(
    packet.sessionId.toHex(),
  );
  if (
    session === undefined || session.side !== entry.side ||
    session.localChannel !== channel
  ) {
    return undefined;
  }
  return session;
}

/** A HELLO for `server`: a new half-open session, or a retransmission. */
function acceptHello(
  ctx: NodeContext,
  server: ServerState,
  packet: Extract<Packet, { type: 5 | 12 }>,
  replyChannel: number,
): void {
  const id = packet.sessionId.toHex();
  const existing = ctx.serverSessions.get(id);
  if (existing !== undefined) {
    // A retransmitted HELLO gets the same answer again; anything else
    // claiming this session id is ignored.
    if (existing.serverState === server) {
      existing.core.handleHello(packet.message);
      service(ctx, existing);
    }
    return;
  }
  if (packet.pattern === HandshakePattern.NX && server.hideCertificate) return;
  const now = Date.now();
  const subject = {
    side: server.side,
    channel: server.channel,
    replyChannel,
    sessionId: packet.sessionId,
    pattern: packet.pattern,
    name: packet.name,
    message: packet.message,
  };
  // A wrong or stale cookie counts as none: the sender gets a fresh one.
  const proven = packet.type === PacketType.HELLO_COOKIE &&
    ctx.cookies.check(subject, packet.cookie, now);
  const admission = admit(ctx, server, proven);
  if (admission === "cookie") {
    server.counters.cookies++;
    ctx.transmit(
      server.modem,
      replyChannel,
      server.channel,
      encodeCookie(packet.sessionId, ctx.cookies.make(subject, now)),
    );
    return;
  }
  if (admission === "refuse") {
    ctx.drop(server);
    return;
  }
  const session = new Session({
    idBytes: packet.sessionId,
    id,
    role: "server",
    serverName: server.name,
    server,
    side: server.side,
    modem: server.modem,
    localChannel: server.channel,
    remoteChannel: replyChannel,
    protocol: PROTOCOL_NAMES[packet.pattern],
    limits: ctx.limits,
    now,
    closer: (s) => closeSession(ctx, s, "closed", true),
  });
  session.certificate = server.certificate;
  ctx.serverSessions.set(id, session);
  server.sessions.add(session);
  // Armed now: a handshake that never confirms expires.
  service(ctx, session);
  session.core.respond({
    serverName: server.name,
    pattern: packet.pattern,
    hello: packet.message,
    keyPair: server.keyPair,
    certificate: server.certificate,
  }).then((answered) => {
    if (answered) server.counters.handshakes++;
    // Refused (counted by its `dropped` event) or closed meanwhile.
    else forget(ctx, session);
    service(ctx, session);
    // The answer is out; the client's first message takes a round trip.
    refillEphemeralKeysSoon();
  });
}
