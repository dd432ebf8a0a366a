// Copyright 2026 the moonwire authors. MIT license.
// What the driver's units share: settings, modems, the event hub, servers,
// sessions, waiting collectors and the counters. CryptoNetNode owns one and
// hands it to each unit.
import type { Modem } from "../modem.ts";
import type { EventHub } from "./_event_hub.ts";
import type { ModemTable } from "./_modem_table.ts";
import type { Packet } from "./_packet.ts";
import type { ServerState, Session } from "./_session.ts";
import type { SessionLimits } from "./_session_types.ts";

/** The node's timeouts (ms) and limits, checked by the constructor. */
export interface NodeSettings
  extends Omit<SessionLimits, "reassembly" | "maxCounter"> {
  maxSessions: number;
}

export class NodeContext {
  readonly directory: string;
  readonly settings: NodeSettings;
  readonly modems: ModemTable;
  readonly hub: EventHub;
  readonly servers = new Set<ServerState>();
  readonly serverSessions = new Map<string, Session>();
  readonly clientSessions = new Map<string, Session>();
  readonly helloWaiters = new Map<string, (reply: Uint8Array) => void>();
  readonly collectors = new Map<string, (packet: Packet) => void>();
  readonly abort = new AbortController();
  readonly counters = {
    droppedPackets: 0,
    replayedPackets: 0,
    transmitErrors: 0,
  };
  readonly limits: SessionLimits;
  isClosed = false;
  /** The login exchange, set by the node (see _login_exchange.ts). */
  onLoginRequest: (
    session: Session,
    requestId: number,
    body: Uint8Array,
  ) => void = () => {};

  constructor(
    directory: string,
    settings: NodeSettings,
    modems: ModemTable,
    hub: EventHub,
  ) {
    this.directory = directory;
    this.settings = settings;
    this.modems = modems;
    this.hub = hub;
    this.limits = {
      ...settings,
      reassembly: {
        maxBytes: settings.maxMessageSize + 1,
        maxFragments: 65535,
        maxConcurrent: 8,
        timeout: Math.max(settings.handshakeTimeout, 10_000),
      },
    };
  }

  checkOpen(action: string): void {
    if (this.isClosed) throw new Error(`Cannot ${action}: node is closed`);
  }

  drop(server: ServerState | undefined, replay = false): void {
    this.counters.droppedPackets++;
    if (replay) this.counters.replayedPackets++;
    if (server !== undefined) {
      server.counters.droppedPackets++;
      if (replay) server.counters.replayedPackets++;
    }
  }

  /**
   * Transmits on a path no user call awaits (answers to the network,
   * retransmissions, keepalives): a modem that refuses (queue full, closed)
   * must not take the node down, so the error is counted and dropped.
   */
  transmit(
    modem: Modem,
    channel: number,
    replyChannel: number,
    payload: Uint8Array,
  ): boolean {
    try {
      modem.transmit(channel, replyChannel, payload);
      return true;
    } catch {
      this.counters.transmitErrors++;
      return false;
    }
  }

  *allSessions(): Iterable<Session> {
    yield* this.clientSessions.values();
    yield* this.serverSessions.values();
  }
}
