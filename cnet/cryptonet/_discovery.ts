// Copyright 2026 the moonwire authors. MIT license.
// The server registry's public face: answering DISCOVER and CERT_REQUEST
// for the node's servers, and, on the asking side, `discover` and
// `requestCertificate` (send, retransmit, collect answers for a while,
// judge them by the same rules as connect).
import {
  type Certificate,
  decodeCertificate,
  encodeCertificate,
  HandshakeError,
  verifyCertificate,
} from "../../crypto/mod.ts";
import { ConnectionClosedError, TimeoutError } from "../../net/mod.ts";
import { ambiguousAnswers } from "./_client_handshake.ts";
import type { ModemEntry } from "./_modem_table.ts";
import type { NodeContext } from "./_node_context.ts";
import {
  encodeCertReply,
  encodeCertRequest,
  encodeDiscover,
  encodeDiscoverReply,
  nameBytes,
  type Packet,
  PacketType,
} from "./_packet.ts";
import {
  DISCOVERY_CHANNEL,
  randomReplyChannel,
  serverChannel,
} from "./_server_channel.ts";
import type { ServerState } from "./_session.ts";
import { seconds } from "./_checks.ts";
import { loadCaKey } from "./_files.ts";
import type {
  DiscoveredServer,
  DiscoverOptions,
  RequestCertificateOptions,
  RequestedCertificate,
} from "./_node_options.ts";

// Certificates that came from the network (discover, requestCertificate,
// an NX handshake): connect verifies these like a handshake's; only one
// the user loaded or built is trusted as is (seed 000).
const learned = new WeakSet<Certificate>();

/** Marks `certificate` as learned from the network; returns it. */
export function markLearned(certificate: Certificate): Certificate {
  learned.add(certificate);
  return certificate;
}

/** Whether `certificate` came from the network (see markLearned). */
export function isLearned(certificate: Certificate): boolean {
  return learned.has(certificate);
}

/** The node's servers listening on `channel` of the modem `entry`. */
export function serversOn(
  ctx: NodeContext,
  entry: ModemEntry,
  channel: number,
): ServerState[] {
  const out: ServerState[] = [];
  for (const server of ctx.servers) {
    if (server.side === entry.side && server.channel === channel) {
      out.push(server);
    }
  }
  return out;
}

/** Answers a DISCOVER (each discoverable server) or a CERT_REQUEST. */
export function answerRequest(
  ctx: NodeContext,
  entry: ModemEntry,
  channel: number,
  replyChannel: number,
  packet: Extract<Packet, { type: 1 | 3 }>,
): void {
  if (packet.type === PacketType.DISCOVER) {
    if (channel !== DISCOVERY_CHANNEL) return;
    for (const server of ctx.servers) {
      if (server.side !== entry.side || !server.discoverable) continue;
      ctx.transmit(
        entry.modem,
        replyChannel,
        server.channel,
        encodeDiscoverReply(
          packet.requestId,
          server.name,
          server.hideCertificate
            ? undefined
            : encodeCertificate(server.certificate),
        ),
      );
    }
    return;
  }
  for (const server of serversOn(ctx, entry, channel)) {
    if (server.name !== packet.name || server.hideCertificate) continue;
    ctx.transmit(
      entry.modem,
      replyChannel,
      server.channel,
      encodeCertReply(packet.requestId, encodeCertificate(server.certificate)),
    );
  }
}

/**
 * Sends a request on `entry` and retransmits it, passing every answer to
 * `onPacket` until `timeout` ms have passed.
 */
async function collect(
  ctx: NodeContext,
  entry: ModemEntry,
  timeout: number,
  request: (requestId: Uint8Array) => { channel: number; packet: Uint8Array },
  onPacket: (packet: Packet) => void,
): Promise<void> {
  const requestId = crypto.getRandomValues(new Uint8Array(8));
  const key = requestId.toHex();
  const replyChannel = randomReplyChannel();
  const { channel, packet } = request(requestId);
  ctx.modems.retain(entry, replyChannel);
  ctx.collectors.set(key, onPacket);
  const done = Promise.withResolvers<void>();
  // The user's call waits on these transmits: a refusal rejects it.
  const send = () => {
    try {
      entry.modem.transmit(channel, replyChannel, packet);
    } catch (error) {
      done.reject(error);
    }
  };
  send();
  const resend = setInterval(send, ctx.settings.retransmit);
  const deadline = setTimeout(done.resolve, timeout);
  const onAbort = () =>
    done.reject(
      new ConnectionClosedError("Cannot wait for answers: node is closed"),
    );
  ctx.abort.signal.addEventListener("abort", onAbort);
  try {
    await done.promise;
  } finally {
    clearInterval(resend);
    clearTimeout(deadline);
    ctx.abort.signal.removeEventListener("abort", onAbort);
    ctx.collectors.delete(key);
    ctx.modems.release(entry, replyChannel);
  }
}

export async function discover(
  ctx: NodeContext,
  options: DiscoverOptions,
): Promise<DiscoveredServer[]> {
  const action = "discover";
  ctx.checkOpen(action);
  const timeout = seconds(action, "timeout", options.timeout ?? 1);
  // Only a key given here: answers are listed, not trusted, so the default
  // file is left to connect, which verifies what it is handed.
  const caKey = options.certAuthKey === undefined
    ? undefined
    : await loadCaKey(ctx.directory, options.certAuthKey, true, action);
  const entry = ctx.modems.entry(action, options.modemSide);
  const found = new Map<string, DiscoveredServer>();
  await collect(ctx, entry, timeout, (requestId) => ({
    channel: DISCOVERY_CHANNEL,
    packet: encodeDiscover(requestId),
  }), (packet) => {
    if (packet.type !== PacketType.DISCOVER_REPLY) return;
    let certificate: Certificate | undefined;
    if (packet.certificate !== undefined) {
      try {
        certificate = decodeCertificate(packet.certificate);
      } catch {
        ctx.counters.droppedPackets++;
        return;
      }
      if (certificate.name !== packet.name) return;
    }
    const verified = certificate !== undefined && caKey !== undefined &&
      verifyCertificate(certificate, caKey);
    // With a CA key, a certificate it does not vouch for is an impostor's
    // as likely as not: listed only when asked for.
    if (
      certificate !== undefined && caKey !== undefined && !verified &&
      !options.allowUnsigned
    ) {
      return;
    }
    const key = `${packet.name}\0${
      certificate ? certificate.publicKey.toHex() : ""
    }`;
    if (!found.has(key)) {
      found.set(key, {
        name: packet.name,
        certificate: certificate && markLearned(certificate),
        verified,
      });
    }
  });
  return [...found.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  );
}

export async function requestCertificate(
  ctx: NodeContext,
  name: string,
  options: RequestCertificateOptions,
): Promise<RequestedCertificate> {
  const action = `request certificate for "${name}"`;
  ctx.checkOpen(action);
  nameBytes(action, name);
  const timeout = seconds(action, "timeout", options.timeout ?? 1);
  const caKey = await loadCaKey(
    ctx.directory,
    options.certAuthKey,
    typeof options.certAuthKey === "string",
    action,
  );
  const entry = ctx.modems.entry(action, options.modemSide);
  const verified = new Map<string, Certificate>();
  const unverified = new Map<string, Certificate>();
  let refused = 0;
  await collect(ctx, entry, timeout, (requestId) => ({
    channel: serverChannel(name),
    packet: encodeCertRequest(requestId, name),
  }), (packet) => {
    if (packet.type !== PacketType.CERT_REPLY) return;
    let certificate: Certificate;
    try {
      certificate = decodeCertificate(packet.certificate);
    } catch {
      ctx.counters.droppedPackets++;
      return;
    }
    if (certificate.name !== name) return;
    const key = certificate.publicKey.toHex();
    if (caKey !== undefined && verifyCertificate(certificate, caKey)) {
      verified.set(key, certificate);
    } else if (caKey === undefined || options.allowUnsigned) {
      unverified.set(key, certificate);
    } else {
      refused++;
    }
  });
  const first = verified.values().next();
  if (!first.done) {
    return { certificate: markLearned(first.value), verified: true };
  }
  if (unverified.size === 1) {
    return {
      certificate: markLearned(unverified.values().next().value!),
      verified: false,
    };
  }
  if (unverified.size > 1) throw ambiguousAnswers(action, unverified.size);
  if (refused > 0) {
    throw new HandshakeError(
      `Cannot ${action}: no answering certificate is signed by the certificate authority`,
    );
  }
  throw new TimeoutError(`Cannot ${action}: no answer within ${timeout} ms`);
}
