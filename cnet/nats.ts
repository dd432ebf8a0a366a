// Copyright 2026 the moonwire authors. MIT license.
/**
 * cnet on NATS: {@linkcode NatsModem}, a cnet {@linkcode Modem} whose channels are
 * NATS subjects, so CryptoNet servers and clients, CTCP and CTTP run across
 * machines and data centres on a NATS cluster, unchanged. This is the only
 * cnet entry point that imports the NATS client (`@nats-io/transport-node`);
 * `@moonwire/moonwire/cnet` never does.
 *
 * | ComputerCraft / cnet | NATS |
 * | --- | --- |
 * | channel N | subject `<prefix>.N` (default prefix `"moonwire.cnet"`) |
 * | `modem.open(ch)` / `close(ch)` | subscribe / unsubscribe `<prefix>.<ch>` |
 * | `modem.transmit(ch, replyCh, payload)` | publish on `<prefix>.<ch>`: 12-byte header (`"N"`, version 1, reply channel u16, sender id) + payload |
 * | a modem never hears itself | sender id checked; own connections also set `noEcho` |
 * | payload limit | server `max_payload` less 12 bytes; larger is a `RangeError` |
 * | (the world) | a NATS server or cluster; nodes fail over within seconds |
 *
 * Ownership: `NatsModem.connect(servers)` owns the connection it opens (the
 * modem's `close()` closes it); `new NatsModem(connection)` uses the caller's
 * connection and leaves it open. Pass the modem to a `CNetNode` in `modems`
 * and the node closes it. Connection states reach `onStatus`
 * ({@linkcode NatsStatus}).
 *
 * What the bus sees: CryptoNet sessions are Noise-encrypted before they reach
 * the modem, so a subscriber to every subject sees handshakes and ciphertext
 * only, never passwords or CTTP bodies; discovery answers (server names and
 * certificates) and `sendUnencrypted` messages are plain, as on any modem.
 *
 * @example A cnet server and client over NATS (skipped where no server runs)
 * ```ts ignore
 * import { CNetNode, CttpRequest } from "@moonwire/moonwire/cnet";
 * import { NatsModem } from "@moonwire/moonwire/cnet/nats";
 *
 * const servers = ["nats://127.0.0.1:4222"];
 * await using server = new CNetNode({
 *   modems: { top: await NatsModem.connect(servers) },
 * });
 * await server.host("weather");
 * server.setRestApi("GET", "/today", () => "sunny");
 * await using client = new CNetNode({
 *   modems: { top: await NatsModem.connect(servers) },
 * });
 * const { response } = await client.connectAndSendCttpRequest(
 *   "weather",
 *   new CttpRequest("GET", "/today"),
 * );
 * console.log(response?.data); // "sunny"
 * ```
 *
 * @module
 */
export * from "./nats_modem.ts";
export type {
  NatsConnectOptions,
  NatsStatus,
  NatsStatusHandler,
} from "../net/_nats_connection.ts";
// The modem contract, so this entry point's documentation is complete.
export type {
  Modem,
  ModemMessage,
  ModemMessageHandler,
  ModemSubscription,
} from "./modem.ts";
