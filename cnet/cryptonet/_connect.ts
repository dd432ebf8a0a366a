// Copyright 2026 the moonwire authors. MIT license.
// The client side of `connect`: loads what the handshake needs (the
// certificate, the CA key), runs the sans-I/O ClientHandshake over the
// modem with a real timer, and turns the chosen answer into an open
// client session.
import { HandshakeError, verifyCertificate } from "../../crypto/mod.ts";
import { ConnectionClosedError } from "../../net/mod.ts";
import { refillEphemeralKeysSoon } from "../../crypto/_ephemeral_pool.ts";
import { type Candidate, ClientHandshake } from "./_client_handshake.ts";
import { DeadlineTimer } from "./_deadline_timer.ts";
import { isLearned, markLearned } from "./_discovery.ts";
import { loadCaKey, loadClientCertificate } from "./_files.ts";
import type { ModemEntry } from "./_modem_table.ts";
import { checkPayload } from "./_modem_table.ts";
import type { NodeContext } from "./_node_context.ts";
import type { ConnectOptions } from "./_node_options.ts";
import { nameBytes, PacketType, PROTOCOL_NAMES } from "./_packet.ts";
import { randomReplyChannel, serverChannel } from "./_server_channel.ts";
import { Session } from "./_session.ts";
import { closeSession, service } from "./_session_driver.ts";
import { seconds } from "./_checks.ts";

export async function connect(
  ctx: NodeContext,
  serverName: string | undefined,
  options: ConnectOptions,
): Promise<Session> {
  ctx.checkOpen("connect");
  const timeout = seconds("connect", "timeout", options.timeout ?? 5);
  const certTimeout = seconds(
    "connect",
    "certTimeout",
    options.certTimeout ?? 1,
  );
  if (serverName !== undefined) nameBytes("connect", serverName);
  const provided = await loadClientCertificate(
    serverName,
    ctx.directory,
    options.certificate,
  );
  const name = serverName ?? provided?.name;
  if (name === undefined) {
    throw new TypeError("Cannot connect: give a server name or a certificate");
  }
  const action = `connect to "${name}"`;
  if (provided !== undefined && provided.name !== name) {
    throw new HandshakeError(
      `Cannot ${action}: the certificate is for "${provided.name}"`,
    );
  }
  // Loaded while the handshake runs; awaited before any answer is judged.
  // The user's own certificate is trusted as is (the seed's rule), so the
  // default CA key file is only read for certificates from the network.
  const learned = provided !== undefined && isLearned(provided);
  const caKey = provided !== undefined && !learned &&
      options.certAuthKey === undefined
    ? Promise.resolve(undefined)
    : loadCaKey(
      ctx.directory,
      options.certAuthKey,
      typeof options.certAuthKey === "string",
      action,
    );
  caKey.catch(() => {});
  if (learned && !options.allowUnsigned) {
    // Judged before any HELLO: an NK session to an impostor whose
    // certificate discovery handed over would carry the user's secrets.
    const key = await caKey;
    if (key !== undefined && !verifyCertificate(provided, key)) {
      throw new HandshakeError(
        `Cannot ${action}: the certificate came from the network and is not signed by the certificate authority`,
      );
    }
  }
  const entry = ctx.modems.entry(action, options.modemSide);
  checkPayload(action, entry.modem);
  const idBytes = crypto.getRandomValues(new Uint8Array(16));
  const handshake = new ClientHandshake({
    action,
    name,
    idBytes,
    provided,
    allowUnsigned: options.allowUnsigned ?? false,
    timeout,
    certTimeout,
    retransmit: ctx.settings.retransmit,
    now: Date.now(),
  });
  await handshake.start();
  const channel = serverChannel(name);
  const replyChannel = randomReplyChannel();
  ctx.modems.retain(entry, replyChannel);
  let session: Session | undefined;
  try {
    const id = idBytes.toHex();
    const candidate = await run(ctx, handshake, {
      entry,
      id,
      channel,
      replyChannel,
      caKey,
      action,
    });
    // Decided while the node was closing: its sessions are already gone.
    if (ctx.closing !== undefined) {
      throw new ConnectionClosedError(`Cannot ${action}: node is closed`);
    }
    session = new Session({
      idBytes,
      id,
      role: "client",
      serverName: name,
      server: undefined,
      side: entry.side,
      modem: entry.modem,
      localChannel: replyChannel,
      remoteChannel: channel,
      protocol: PROTOCOL_NAMES[handshake.pattern],
      limits: ctx.limits,
      now: Date.now(),
      closer: (s) => closeSession(ctx, s, "closed", true),
    });
    // Learned in an NX handshake: from the network, if it is used again.
    session.certificate = provided === undefined
      ? markLearned(candidate.certificate)
      : candidate.certificate;
    session.certificateVerified = candidate.verified;
    session.core.established(candidate.handshake.split(), Date.now());
    ctx.clientSessions.set(id, session);
    ctx.hub.emit({
      type: "connection_opened",
      socket: session,
      server: undefined,
    });
    service(ctx, session);
    return session;
  } catch (error) {
    ctx.modems.release(entry, replyChannel);
    throw error;
  }
}

/** Drives the handshake until it is decided: HELLOs out, answers in. */
async function run(
  ctx: NodeContext,
  handshake: ClientHandshake,
  where: {
    entry: ModemEntry;
    id: string;
    channel: number;
    replyChannel: number;
    caKey: Promise<Uint8Array | undefined>;
    action: string;
  },
): Promise<Candidate> {
  const decided = Promise.withResolvers<void>();
  const step = () => {
    let sent = false;
    for (
      let hello = handshake.pollTransmit();
      hello;
      hello = handshake.pollTransmit()
    ) {
      try {
        where.entry.modem.transmit(where.channel, where.replyChannel, hello);
        sent = true;
      } catch (error) {
        // connect waits on these HELLOs: the modem's refusal fails it.
        handshake.abort(error as Error);
      }
    }
    // The answer takes a round trip: make the next ephemeral keys now.
    if (sent) refillEphemeralKeysSoon();
    if (handshake.result !== undefined) decided.resolve();
    else timer.set(handshake.pollTimeout());
  };
  const timer = new DeadlineTimer(() =>
    handshake.handleTimeout(Date.now()).then(step)
  );
  ctx.helloWaiters.set(where.id, (packet) => {
    if (packet.type === PacketType.COOKIE) {
      // The server is under load: the HELLO again, with its cookie.
      handshake.handleCookie(packet.cookie, Date.now());
      step();
    } else handshake.handleReply(packet.message).then(step);
  });
  where.caKey.then(
    (key) => handshake.setCaKey(key),
    (error) => handshake.setCaKey(error),
  ).then(step);
  const onAbort = () => {
    handshake.abort(
      new ConnectionClosedError(`Cannot ${where.action}: node is closed`),
    );
    step();
  };
  ctx.abort.signal.addEventListener("abort", onAbort);
  // The first HELLO is due now.
  handshake.handleTimeout(Date.now()).then(step);
  try {
    await decided.promise;
  } finally {
    timer.clear();
    ctx.abort.signal.removeEventListener("abort", onAbort);
    ctx.helloWaiters.delete(where.id);
  }
  const result = handshake.result!;
  if (!result.ok) throw result.error;
  return result.candidate;
}
