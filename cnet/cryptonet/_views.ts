// Copyright 2026 the moonwire authors. MIT license.
// The public views of a hosted server and of a session end. They refer to
// each other, so they share this file (no import cycle); server.ts and
// socket.ts re-export them.
import type { Certificate } from "../../crypto/mod.ts";
import type { ModemSide } from "../modem_side.ts";

/**
 * Counters of a {@linkcode Server}: packets on its channel that were
 * dropped (malformed, truncated, oversized, failing authentication, replayed)
 * while it kept serving.
 *
 * @example Read the counters
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const stats: CryptoNet.ServerStats = {
 *   droppedPackets: 0,
 *   replayedPackets: 0,
 *   handshakes: 1,
 *   cookies: 0,
 *   evicted: 0,
 * };
 * assert.equal(stats.droppedPackets, 0);
 * ```
 */
export interface ServerStats {
  /** Packets dropped: malformed, failing authentication or replayed. */
  droppedPackets: number;
  /** Of those, authenticated packets refused by the replay window. */
  replayedPackets: number;
  /** Handshakes answered (not counting retransmitted answers). */
  handshakes: number;
  /**
   * HELLOs answered with a cookie under load instead of a handshake (no
   * state kept, no key work done).
   */
  cookies: number;
  /**
   * Sessions not logged in (half-open ones included) closed to make room
   * for a new client.
   */
  evicted: number;
}

/**
 * A hosted CryptoNet server: a name (which fixes its channel), a
 * certificate, the sessions it accepted and its user table.
 *
 * @example Host a server
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory,
 *   modems: { left: network.createModem() },
 * });
 * const server = await node.host("server-doc");
 * assert.equal(server.name, "server-doc");
 * assert.equal(server.side, "left");
 * assert.equal(server.discoverable, true);
 * assert.equal(server.certificate.name, "server-doc");
 * assert.deepEqual(server.sockets, []);
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export interface Server extends AsyncDisposable {
  /** The server's name. */
  readonly name: string;
  /** The channel it listens on (derived from the name). */
  readonly channel: number;
  /** The side of the modem it listens on. */
  readonly side: ModemSide;
  /** Its certificate. */
  readonly certificate: Certificate;
  /** Whether it answers `discover`. */
  readonly discoverable: boolean;
  /** Whether it keeps its certificate to itself (NK handshakes only). */
  readonly hideCertificate: boolean;
  /** Absolute path of its user table file. */
  readonly userTablePath: string;
  /** The open sessions it accepted. */
  readonly sockets: readonly Socket[];
  /** A snapshot of its counters. */
  readonly stats: ServerStats;
  /** `false` once closed. */
  readonly isOpen: boolean;
  /** Closes every session and stops serving; idempotent. */
  close(): Promise<void>;
}

/**
 * The Noise protocol a CryptoNet session was made with: NK when the client
 * already had the server's certificate, NX when it learned the certificate
 * in the handshake.
 *
 * @example Check how a session was made
 * ```ts
 * import type { CryptoNet } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const protocol: CryptoNet.SessionProtocol = "Noise_NK_25519_ChaChaPoly_SHA256";
 * assert.ok(protocol.startsWith("Noise_NK"));
 * ```
 */
export type SessionProtocol =
  | "Noise_NK_25519_ChaChaPoly_SHA256"
  | "Noise_NX_25519_ChaChaPoly_SHA256";

/**
 * One end of an encrypted CryptoNet session: returned by `connect` on the
 * client, carried by `connection_opened` (and every later event) on the
 * server. Messages go out with `send(socket, message)`.
 *
 * `username` and `permissionLevel` follow `login`/`logout` (level 0 until
 * login). On the client, `certificate` is the server's certificate and
 * `certificateVerified` tells whether a certificate authority key vouched
 * for it (`false` for an unsigned certificate accepted without a CA key).
 *
 * @example A connected socket
 * ```ts
 * import { CryptoNet, MemoryNetwork } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * using network = new MemoryNetwork();
 * const directory = await Deno.makeTempDir();
 * await using node = new CryptoNet.CryptoNetNode({
 *   directory,
 *   modems: { top: network.createModem(), bottom: network.createModem() },
 * });
 * await node.host("socket-doc", { modemSide: "top" });
 * const socket = await node.connect("socket-doc", { modemSide: "bottom" });
 * assert.equal(socket.serverName, "socket-doc");
 * assert.equal(socket.permissionLevel, 0);
 * assert.equal(socket.username, undefined);
 * assert.equal(socket.id.length, 32);
 * assert.equal(socket.protocol, "Noise_NK_25519_ChaChaPoly_SHA256");
 * await Deno.remove(directory, { recursive: true });
 * ```
 */
export interface Socket extends AsyncDisposable {
  /** Random 16-byte session id as 32 lowercase hex characters. */
  readonly id: string;
  /** `"client"` for sockets from `connect`, `"server"` for accepted ones. */
  readonly role: "client" | "server";
  /** The name of the server this session is with. */
  readonly serverName: string;
  /** The accepting server (server side), `undefined` on the client. */
  readonly server: Server | undefined;
  /** The side of the modem the session runs over. */
  readonly side: ModemSide;
  /** The logged-in user, `undefined` until `login` succeeds. */
  readonly username: string | undefined;
  /** The logged-in user's permission level; 0 until login. */
  readonly permissionLevel: number;
  /** The server's certificate. */
  readonly certificate: Certificate;
  /**
   * Whether the certificate's signature was checked against a certificate
   * authority key and is valid.
   */
  readonly certificateVerified: boolean;
  /** The Noise protocol the session was made with. */
  readonly protocol: SessionProtocol;
  /** `false` once closed (locally, by the peer, or by a timeout). */
  readonly isOpen: boolean;
  /** Closes the session, telling the peer; idempotent. */
  close(): Promise<void>;
}
