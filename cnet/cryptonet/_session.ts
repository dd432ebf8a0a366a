// Copyright 2026 the moonwire authors. MIT license.
// The internal state behind a Socket (one end of a session) and a Server.
// The node (cryptonet_node.ts) drives them; these classes only hold state
// and expose the read-only public view.
import type {
  Certificate,
  KeyPair,
  NoiseCipherState,
} from "../../crypto/mod.ts";
import type { Modem } from "../modem.ts";
import type { ModemSide } from "../modem_side.ts";
import type { LoginThrottle } from "./_login_throttle.ts";
import { MessageOrder } from "./_message_order.ts";
import { Reassembly, type ReassemblyLimits } from "./_reassembly.ts";
import { ReplayWindow } from "./_replay_window.ts";
import type { UserTable } from "./_user_table.ts";
import type { Server, ServerStats, SessionProtocol, Socket } from "./_views.ts";

export type SessionPhase = "handshaking" | "pending" | "open" | "closed";

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
  reassembly: ReassemblyLimits;
  closer: (session: Session) => Promise<void>;
}

/** One end of a session. Implements the public Socket view. */
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
  readonly window = new ReplayWindow();
  /** Drops messages older than one already delivered. */
  readonly order = new MessageOrder();
  readonly reassembly: Reassembly;
  readonly #closer: (session: Session) => Promise<void>;

  state: SessionPhase = "handshaking";
  certificate!: Certificate;
  certificateVerified = false;
  username: string | undefined = undefined;
  permissionLevel = 0;
  sendCipher: NoiseCipherState | undefined;
  receiveCipher: NoiseCipherState | undefined;
  sendCounter = 0n;
  nextMessageId = 0;
  nextRequestId = 1;
  created = Date.now();
  lastReceived = Date.now();
  lastSent = Date.now();
  /** Serialises outgoing encryption so counters go out in order. */
  tx: Promise<void> = Promise.resolve();
  /** Serialises incoming decryption so events keep arrival order. */
  rx: Promise<void> = Promise.resolve();
  /** Server side: the HELLO this session answered and the cached answer. */
  hello: Uint8Array | undefined;
  helloReply: Uint8Array<ArrayBuffer> | undefined;
  helloReplyChannel = 0;
  /** Client side: waiting requests by request id. */
  readonly requests = new Map<number, (body: Uint8Array) => void>();
  /** An authenticated message arrived from the peer. */
  confirmed = false;
  /** Client side: retransmits OPEN until the server confirms. */
  openTimer: ReturnType<typeof setInterval> | undefined;
  /** Client side: sends the first OPEN now, while it is still deferred. */
  firstOpen: (() => void) | undefined;
  /** An encrypted message was queued on this session. */
  spoke = false;
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
    this.reassembly = new Reassembly(init.reassembly);
    this.#closer = init.closer;
  }

  get server(): Server | undefined {
    return this.serverState;
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  close(): Promise<void> {
    return this.#closer(this);
  }

  /**
   * Drops what only a live session needs, once it is closed and its last
   * packet (the CLOSE, if any) is out: destroys both cipher states (zeroing
   * the session keys), the HELLO and its cached answer, the cached login
   * answer and partial messages. A closed socket can outlive its session by
   * far (the application or the event queue may hold it); after this, it
   * keeps no key material. Every operation on it already fails with
   * ConnectionClosedError before touching these fields. Idempotent.
   */
  wipe(): void {
    this.sendCipher?.destroy();
    this.sendCipher = undefined;
    this.receiveCipher?.destroy();
    this.receiveCipher = undefined;
    this.hello = undefined;
    this.helloReply = undefined;
    this.lastLoginReply = undefined;
    this.reassembly.clear();
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
