// Copyright 2026 the moonwire authors. MIT license.
import type { Certificate } from "../../crypto/mod.ts";
import type { ModemSide } from "../modem_side.ts";
import type { Socket } from "./socket.ts";

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
