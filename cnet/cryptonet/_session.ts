// Copyright 2026 the moonwire authors. MIT license.
// The internal state behind a Socket (one end of a session) and a Server.
// The driver (cryptonet_node.ts and its units) works them; these classes
// hold state and expose the read-only public view.
import type {
  Certificate,
  KeyPair,
  NoiseCipherState,
} from "../../crypto/mod.ts";
import type { Modem } from "../modem.ts";
import type { ModemSide } from "../modem_side.ts";
import type { LoginThrottle } from "./_login_throttle.ts";
import type { DeadlineTimer } from "./_deadline_timer.ts";
import type { Reassembly } from "./_reassembly.ts";
import { SessionCore } from "./_session_core.ts";
import type { SessionLimits, SessionPhase } from "./_session_types.ts";
import type { UserTable } from "./_user_table.ts";
import type { Server, ServerStats, SessionProtocol, Socket } from "./_views.ts";

export interface SessionInit {
  idBytes: Uint8Array<ArrayBuffer>;
  id: string;
  role: "client" | "server";
  serverName: string;
  server: ServerState | undefined;
  side: ModemSide;
  modem: Modem;
  localChannel: number;
  remoteChannel: number;
  protocol: SessionProtocol;
  limits: SessionLimits;
  now: number;
  closer: (session: Session) => Promise<void>;
}

/** A waiting client request (login, logout). */
export interface RequestWaiter {
  resolve: (body: Uint8Array<ArrayBuffer>) => void;
  reject: (error: unknown) => void;
  action: string;
}

/**
 * One end of a session as the driver sees it: the sans-I/O core (keys,
 * counters, deadlines), where its packets go (modem, channels), its real
 * timer, and the login state. Implements the public Socket view.
 */
export class Session implements Socket {
  readonly id: string;
  readonly idBytes: Uint8Array<ArrayBuffer>;
  readonly role: "client" | "server";
  readonly serverName: string;
  readonly serverState: ServerState | undefined;
  readonly side: ModemSide;
  readonly modem: Modem;
  readonly localChannel: number;
  readonly remoteChannel: number;
  readonly protocol: SessionProtocol;
  readonly core: SessionCore;
  readonly #closer: (session: Session) => Promise<void>;

  certificate!: Certificate;
  certificateVerified = false;
  username: string | undefined = undefined;
  permissionLevel = 0;
  /** The driver's timer for core.pollTimeout(). */
  timer: DeadlineTimer | undefined;
  /** Client side: waiting requests by request id. */
  readonly requests = new Map<number, RequestWaiter>();
  /** Server side login bookkeeping. */
  loginFailures = 0;
  loginAllowedAt = 0;
  loginBusy = false;
  lastLoginRequest = -1;
  lastLoginReply: Uint8Array | undefined;

  constructor(init: SessionInit) {
    this.id = init.id;
    this.idBytes = init.idBytes;
    this.role = init.role;
    this.serverName = init.serverName;
    this.serverState = init.server;
    this.side = init.side;
    this.modem = init.modem;
    this.localChannel = init.localChannel;
    this.remoteChannel = init.remoteChannel;
    this.protocol = init.protocol;
    this.core = new SessionCore({
      role: init.role,
      idBytes: init.idBytes,
      maxPayloadSize: init.modem.maxPayloadSize,
      limits: init.limits,
      now: init.now,
    });
    this.#closer = init.closer;
  }

  get state(): SessionPhase {
    return this.core.state;
  }

  get sendCipher(): NoiseCipherState | undefined {
    return this.core.sendCipher;
  }

  get receiveCipher(): NoiseCipherState | undefined {
    return this.core.receiveCipher;
  }

  get hello(): Uint8Array | undefined {
    return this.core.hello;
  }

  get helloReply(): Uint8Array | undefined {
    return this.core.helloReply;
  }

  get reassembly(): Reassembly {
    return this.core.reassembly;
  }

  get server(): Server | undefined {
    return this.serverState;
  }

  get isOpen(): boolean {
    return this.core.state === "open";
  }

  close(): Promise<void> {
    return this.#closer(this);
  }

  /**
   * Drops what only a live session needs, once it is closed and its last
   * packet (the CLOSE, if any) is out: the core's keys, HELLO and partial
   * messages, and the cached login answer. A closed socket can outlive its
   * session by far (the application or the event queue may hold it);
   * after this, it keeps no key material. Idempotent.
   */
  wipe(): void {
    this.core.wipe();
    this.lastLoginReply = undefined;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

export interface ServerInit {
  name: string;
  channel: number;
  side: ModemSide;
  modem: Modem;
  certificate: Certificate;
  keyPair: KeyPair;
  discoverable: boolean;
  hideCertificate: boolean;
  users: UserTable;
  loginDelay: number;
  maxLoginAttempts: number;
  passwordCost: number;
  loginThrottle: LoginThrottle;
  closer: (server: ServerState) => Promise<void>;
}

/** A hosted server. Implements the public Server view. */
export class ServerState implements Server {
  readonly name: string;
  readonly channel: number;
  readonly side: ModemSide;
  readonly modem: Modem;
  readonly certificate: Certificate;
  readonly keyPair: KeyPair;
  readonly discoverable: boolean;
  readonly hideCertificate: boolean;
  readonly users: UserTable;
  readonly loginDelay: number;
  readonly maxLoginAttempts: number;
  readonly passwordCost: number;
  /** Per-name and server-wide login throttle. */
  readonly loginThrottle: LoginThrottle;
  readonly sessions = new Set<Session>();
  readonly counters: ServerStats = {
    droppedPackets: 0,
    replayedPackets: 0,
    handshakes: 0,
    cookies: 0,
    evicted: 0,
  };
  readonly #closer: (server: ServerState) => Promise<void>;
  open = true;

  constructor(init: ServerInit) {
    this.name = init.name;
    this.channel = init.channel;
    this.side = init.side;
    this.modem = init.modem;
    this.certificate = init.certificate;
    this.keyPair = init.keyPair;
    this.discoverable = init.discoverable;
    this.hideCertificate = init.hideCertificate;
    this.users = init.users;
    this.loginDelay = init.loginDelay;
    this.maxLoginAttempts = init.maxLoginAttempts;
    this.passwordCost = init.passwordCost;
    this.loginThrottle = init.loginThrottle;
    this.#closer = init.closer;
  }

  get userTablePath(): string {
    return this.users.path;
  }

  get sockets(): readonly Socket[] {
    return [...this.sessions].filter((session) => session.state === "open");
  }

  get stats(): ServerStats {
    return { ...this.counters };
  }

  get isOpen(): boolean {
    return this.open;
  }

  close(): Promise<void> {
    return this.#closer(this);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
