// Copyright 2026 the moonwire authors. MIT license.
// What the driver's units share: settings, modems, the event hub, servers,
// sessions, waiting collectors and the counters. CryptoNetNode owns one and
// hands it to each unit.
import { ConnectionClosedError } from "../../net/mod.ts";
import type { Modem } from "../modem.ts";
import { CookieJar } from "./_cookie.ts";
import type { EventHub } from "./_event_hub.ts";
import type { ModemTable } from "./_modem_table.ts";
import type { Packet } from "./_packet.ts";
import type { CryptoNetNodeStats } from "./_node_options.ts";
import { ServerState, Session } from "./_session.ts";
import type { SessionCaps, SessionLimits } from "./_session_types.ts";
import { UnauthenticatedSocket } from "./_unauthenticated_socket.ts";

/** The node's timeouts (ms) and limits, checked by the constructor. */
export interface NodeSettings
  extends Omit<SessionLimits, "reassembly" | "maxCounter">, SessionCaps {}

export class NodeContext {
  readonly directory: string;
  readonly settings: NodeSettings;
  readonly modems: ModemTable;
  readonly hub: EventHub;
  readonly servers = new Set<ServerState>();
  readonly serverSessions = new Map<string, Session>();
  readonly clientSessions = new Map<string, Session>();
  /** Connects waiting for their HELLO_REPLY (or a COOKIE), by session id. */
  readonly helloWaiters = new Map<
    string,
    (packet: Extract<Packet, { type: 6 | 11 }>) => void
  >();
  /** Makes and checks the cookies servers send under load. */
  readonly cookies = new CookieJar(Date.now());
  readonly collectors = new Map<string, (packet: Packet) => void>();
  readonly abort = new AbortController();
  readonly counters = {
    droppedPackets: 0,
    replayedPackets: 0,
    transmitErrors: 0,
  };
  readonly limits: SessionLimits;
  /** Whether closing the node closes its modems. */
  readonly closeModems: boolean;
  isClosed = false;
  /** Set when close() starts, before its sessions are closed. */
  closing: Promise<void> | undefined;
  /** Whether `setup` runs the event loop, and when it ends. */
  running = false;
  readonly closed = Promise.withResolvers<void>();
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
    closeModems: boolean,
  ) {
    this.closeModems = closeModems;
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

  get stats(): CryptoNetNodeStats {
    let reassemblies = 0;
    for (const session of this.allSessions()) {
      reassemblies += session.reassembly.dropped;
    }
    return {
      droppedPackets: this.counters.droppedPackets,
      replayedPackets: this.counters.replayedPackets,
      droppedEvents: this.hub.dropped,
      droppedReassemblies: reassemblies,
      transmitErrors: this.counters.transmitErrors,
    };
  }

  /** `server` as one of this node's open servers. */
  server(action: string, server: unknown): ServerState {
    if (!(server instanceof ServerState) || !this.servers.has(server)) {
      throw new TypeError(`Cannot ${action}: not an open server of this node`);
    }
    return server;
  }

  /** `socket` as one of this node's open sessions. */
  session(action: string, view: unknown): Session {
    const socket = UnauthenticatedSocket.unwrap(view);
    if (!(socket instanceof Session)) {
      throw new TypeError(`Cannot ${action}: expected a CryptoNet socket`);
    }
    const known =
      (socket.role === "client" ? this.clientSessions : this.serverSessions)
        .get(socket.id);
    if (known !== socket && socket.state !== "closed") {
      throw new TypeError(`Cannot ${action}: socket belongs to another node`);
    }
    if (socket.state !== "open") {
      throw new ConnectionClosedError(`Cannot ${action}: socket is closed`);
    }
    return socket;
  }
}
