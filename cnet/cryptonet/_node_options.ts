// Copyright 2026 the moonwire authors. MIT license.
// The option, answer and counter types of CryptoNetNode, re-exported by
// cryptonet_node.ts.
import type { Certificate } from "../../crypto/mod.ts";
import type { Modem } from "../modem.ts";
import type { ModemSide } from "../modem_side.ts";

/** Options for {@linkcode CryptoNetNode}. */
export interface CryptoNetNodeOptions {
  /**
   * Working directory for every relative file path (certificates, keys,
   * user tables). Default: the current directory when the node is created.
   */
  directory?: string;
  /**
   * Modems to attach, by side (more can be attached with `attach`). They
   * belong to the node: `close()` closes them (see `closeModems`).
   */
  modems?: Partial<Record<ModemSide, Modem>>;
  /**
   * Whether `close()` closes the node's modems, those given here and those
   * attached later (default true, so a program whose work is done exits by
   * itself after `await using`). `false` leaves them open for the caller to
   * close or reuse. `detach()` always hands a modem back unclosed.
   */
  closeModems?: boolean;
  /** Events buffered for `listen()`/`events()`; oldest dropped (2000). */
  eventQueueSize?: number;
  /** Seconds without hearing from the peer before a session closes (60). */
  idleTimeout?: number;
  /** Seconds of silence after which a keepalive is sent (20). */
  keepAliveInterval?: number;
  /** Seconds between retransmissions of handshakes and requests (0.25). */
  retransmitInterval?: number;
  /** Seconds a server keeps a half-open handshake (5). */
  handshakeTimeout?: number;
  /** Seconds to wait for a login or logout answer (10). */
  requestTimeout?: number;
  /** Largest encoded message in bytes, after reassembly (1 MiB). */
  maxMessageSize?: number;
  /**
   * Most sessions (open and half-open) per server (1024). Once all are
   * taken, the oldest session not logged in (see `maxPreLoginSessions`) is
   * closed for a new client; logged-in sessions are never closed for one.
   */
  maxSessions?: number;
  /**
   * Password checks (32 MiB of scrypt each) running at once across all of
   * this node's servers (2): bounds a login storm's memory to about this
   * many × 32 MiB.
   */
  maxConcurrentLogins?: number;
  /**
   * Logins waiting for one of those checks (32). Beyond them a login fails
   * at once with reason `busy`, without a check and without counting as a
   * failed attempt, so the client can retry; so does one that waited half
   * of `requestTimeout`. A burst of logins thus drains within about
   * `maxConcurrentLogins + maxWaitingLogins` checks (about 100 ms of one
   * CPU each at the default cost), after which a user retrying on `busy`
   * gets in.
   */
  maxWaitingLogins?: number;
  /**
   * Most half-open handshakes per server (64); once full the oldest is
   * dropped for a new one. From half of it in use (or with the pre-login
   * or total cap reached), the server is under load: it answers a HELLO
   * with a stateless cookie and does the handshake only when the client
   * repeats its HELLO with it, proving it receives on its reply channel.
   */
  maxHalfOpenSessions?: number;
  /**
   * Most sessions not logged in (half-open included) per server (256);
   * once full, the oldest of them (by when it connected) with no login
   * being checked is closed for a new client. So a new client keeps its
   * slot until that many newer anonymous sessions arrive, and for good
   * once logged in.
   */
  maxPreLoginSessions?: number;
}

/** Options for {@linkcode CryptoNetNode.host} (the seed's parameters). */
export interface HostOptions {
  /** Answer `discover` requests (default true). */
  discoverable?: boolean;
  /**
   * Never reveal the certificate, in discovery or handshakes: only clients
   * that already have it can connect (NK only). Default false.
   */
  hideCertificate?: boolean;
  /** The modem to listen on (default: a side with a modem). */
  modemSide?: ModemSide;
  /**
   * The certificate, or its file (default `<serverName>.crt`). When both
   * files are missing they are generated; only one present is an error.
   * Default names need a server name that is a plain file name.
   */
  certificate?: Certificate | string;
  /** The X25519 private key, or its file (default `<serverName>_private.key`). */
  privateKey?: Uint8Array | string;
  /** The user table file (default `<serverName>_users.tbl`). */
  userTablePath?: string;
  /**
   * Seconds of delay after the first failed login, doubling each time up to
   * 60 s (0.5); applied per socket and per user name. See `login` for the
   * resulting bound on guesses.
   */
  loginDelay?: number;
  /** Failed logins per socket before all further attempts fail (5). */
  maxLoginAttempts?: number;
  /**
   * Password checks per second for this whole server, any user (20, with a
   * burst of as many); further attempts get `rate_limited` without a check.
   */
  maxLoginChecksPerSecond?: number;
  /** scrypt cost (log2 N) for new password hashes (15, the minimum). */
  passwordCost?: number;
}

/** Options for {@linkcode CryptoNetNode.connect} (the seed's parameters). */
export interface ConnectOptions {
  /** Seconds to wait for the server (default 5). */
  timeout?: number;
  /**
   * Seconds to collect certificate answers when no certificate is given
   * (default 1): more than one different unsigned answer is refused.
   */
  certTimeout?: number;
  /**
   * The server's certificate or its file (default `<serverName>.crt` when
   * that file exists); the handshake is then NK. A certificate the user
   * loaded from a file or built is trusted as is (the seed's rule); one
   * that came from `discover()`, `requestCertificate()` or an earlier NX
   * `socket.certificate` came from the network and is verified like one
   * learned in a handshake: with a CA key it must carry its signature
   * (unless `allowUnsigned`). Without a certificate it is learned in the
   * handshake (NX).
   */
  certificate?: Certificate | string;
  /** The modem to use (default: a side with a modem). */
  modemSide?: ModemSide;
  /**
   * The certificate authority public key or its file (default
   * `certAuth.key` when it exists). A file that exists but is invalid throws.
   * Certificates learned in the handshake or from the network must carry
   * its signature; the user's own `certificate` is trusted as is and only
   * checked (for `socket.certificateVerified`) against an explicitly given
   * key.
   */
  certAuthKey?: Uint8Array | string;
  /**
   * Accept learned certificates without a valid CA signature (default
   * false). Without a CA key they are accepted only when exactly one
   * server answers.
   */
  allowUnsigned?: boolean;
  /** Aborts the wait (AbortError); a session opened later is closed at once. */
  signal?: AbortSignal;
}

/** Options for {@linkcode CryptoNetNode.discover}. */
export interface DiscoverOptions {
  /** Seconds to collect answers (default 1). */
  timeout?: number;
  /** The modem to use (default: a side with a modem). */
  modemSide?: ModemSide;
  /**
   * The certificate authority public key or its file (no default file:
   * answers are only listed). With it, each answer's `verified` says
   * whether it vouches for the certificate, and answers it does not vouch
   * for are left out unless `allowUnsigned`.
   */
  certAuthKey?: Uint8Array | string;
  /** With `certAuthKey`, list unverified answers too (default false). */
  allowUnsigned?: boolean;
  /** Aborts the wait (AbortError); the answers are dropped. */
  signal?: AbortSignal;
}

/** A server that answered {@linkcode CryptoNetNode.discover}. */
export interface DiscoveredServer {
  /** Its name. */
  name: string;
  /**
   * Its certificate, `undefined` when it hides it. It came from the
   * network: `connect` verifies it like one learned in a handshake.
   */
  certificate: Certificate | undefined;
  /**
   * Whether the certificate's signature is valid for the `certAuthKey`
   * given to `discover` (`false` without one, or without a certificate).
   */
  verified: boolean;
}

/** Options for {@linkcode CryptoNetNode.requestCertificate}. */
export interface RequestCertificateOptions {
  /** Seconds to collect answers (default 1). */
  timeout?: number;
  /** The modem to use (default: a side with a modem). */
  modemSide?: ModemSide;
  /** As in {@linkcode ConnectOptions.certAuthKey}. */
  certAuthKey?: Uint8Array | string;
  /** As in {@linkcode ConnectOptions.allowUnsigned}. */
  allowUnsigned?: boolean;
  /** Aborts the wait (AbortError); the answer is dropped. */
  signal?: AbortSignal;
}

/** The answer of {@linkcode CryptoNetNode.requestCertificate}. */
export interface RequestedCertificate {
  /** The chosen certificate. */
  certificate: Certificate;
  /** Whether a CA key vouched for it. */
  verified: boolean;
}

/** Options for {@linkcode CryptoNetNode.login}. */
export interface LoginOptions {
  /** Aborts the wait (AbortError); a login that succeeds later is logged out. */
  signal?: AbortSignal;
}

/** Options for {@linkcode CryptoNetNode.initCertificateAuthority}. */
export interface InitCertificateAuthorityOptions {
  /** Public key file (default `certAuth.key`). */
  publicKeyPath?: string;
  /** Private key file, mode 0600 (default `certAuth_private.key`). */
  privateKeyPath?: string;
  /** Replace existing files (default false: existing files are an error). */
  overwrite?: boolean;
}

/** Options for {@linkcode CryptoNetNode.signCertificate}. */
export interface SignCertificateOptions {
  /** CA private key or its file (default `certAuth_private.key`). */
  certAuthPrivateKey?: Uint8Array | string;
}

/** Options for {@linkcode CryptoNetNode.openChannel}. */
export interface ChannelOptions {
  /** The modem (default: a side with a modem). */
  modemSide?: ModemSide;
}

/** Counters of a {@linkcode CryptoNetNode}. */
export interface CryptoNetNodeStats {
  /** Packets dropped anywhere on this node. */
  droppedPackets: number;
  /** Of those, authenticated packets refused as replays. */
  replayedPackets: number;
  /** Events dropped from a full event queue. */
  droppedEvents: number;
  /** Partial fragmented messages dropped (limits or timeouts). */
  droppedReassemblies: number;
  /**
   * Packets a modem refused (send queue full, closed) on paths no call
   * waits for: answers to the network, retransmissions, keepalives. The
   * node carries on; a call that waits on its packets rejects instead.
   */
  transmitErrors: number;
}
