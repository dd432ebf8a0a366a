// Copyright 2026 the moonwire authors. MIT license.
// The TLS layer of a TcpLink (startTlsClient/startTlsServer): node:tls over
// a stream adapter fed by the link's StreamSocket. That is the only way on
// Deno 2.9.6 to start TLS as a *server* on an accepted link (Deno.startTls
// is client-only) and to present a client certificate during STARTTLS
// (Deno.startTls has no cert/key options). The StreamSocket stays the one
// socket core; node:tls only turns bytes into bytes.
import tls from "node:tls";
import { Duplex } from "node:stream";
import { isIP } from "node:net";
import { ConnectionClosedError, TimeoutError } from "./errors.ts";
import type { StreamSocket } from "./stream_socket.ts";
import {
  isNotTlsAnswer,
  NOT_TLS_REASON,
  withContext,
} from "./_error_context.ts";

/** Options for {@linkcode TcpLink.prototype.startTlsClient}. */
export interface StartTlsClientOptions {
  /** Client certificate (PEM) to present; Cuberite's `OwnCert`. */
  ownCert?: string;
  /** Private key (PEM) of `ownCert`; Cuberite's `OwnPrivateKey`. */
  ownPrivateKey?: string;
  /** Password of an encrypted `ownPrivateKey`. */
  ownPrivateKeyPassword?: string;
  /** Trusted roots (PEM) instead of the default root store. */
  caCerts?: string[];
  /** Name the server certificate must carry (and SNI). Default: the host
   * given to `connect()`, or the remote IP. */
  serverName?: string;
  /** Skip certificate verification. Insecure; honoured only when `true`. */
  unsafelyDisableVerification?: boolean;
  /** Milliseconds the handshake may take before `onError` (default 5000). */
  timeout?: number;
}

/** Options for {@linkcode TcpLink.prototype.startTlsServer}. */
export interface StartTlsServerOptions {
  /** Password of an encrypted private key. */
  ownPrivateKeyPassword?: string;
  /**
   * Bytes already received in plain text that belong to the TLS stream
   * (usually the ClientHello that made the server decide to start TLS).
   */
  startData?: Uint8Array;
  /** Milliseconds the handshake may take before `onError` (default 5000). */
  timeout?: number;
}

/** What the TLS layer needs from its link. */
export interface LinkTlsHooks {
  /** The link's socket, once it may start TLS (throws otherwise). */
  socket(action: string): StreamSocket;
  /** `ip:port` of the peer, for error messages. */
  peer(): string;
  /** Whether the link is over (no callbacks any more). */
  done(): boolean;
  /** Whether `shutdown()` was called. */
  writeShut(): boolean;
  /** Decrypted bytes arrived. */
  data(bytes: Uint8Array<ArrayBuffer>): void;
  /** The link ends: cleanly (`undefined`) or with the error. */
  terminate(error: Error | undefined): void;
}

/** node:tls running over one link's StreamSocket. */
export class LinkTls {
  #hooks: LinkTlsHooks;
  #socket: StreamSocket;
  #input: Duplex;
  #secure: tls.TLSSocket | undefined;
  // Ciphertext (null = end) held back until node:tls has started: on Deno,
  // a TLS socket that fails before its deferred _start() throws an uncaught
  // TypeError from inside node:tls.
  #backlog: (Uint8Array | null)[] | undefined = [];
  #startTimer: ReturnType<typeof setTimeout> | undefined;
  #ready = false;
  #pending: Uint8Array[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  // Resolves once TLS handed everything to the socket and it half-closed.
  #finished = Promise.withResolvers<void>();

  /**
   * Starts the client handshake; `name` is the server name unless
   * `options.serverName` is given.
   */
  static client(
    options: StartTlsClientOptions,
    name: string,
    hooks: LinkTlsHooks,
  ): LinkTls {
    const action = "start TLS client";
    const socket = hooks.socket(action);
    checkOptionStrings(action, options, [
      "ownCert",
      "ownPrivateKey",
      "ownPrivateKeyPassword",
      "serverName",
    ]);
    if (
      options.caCerts !== undefined &&
      (!Array.isArray(options.caCerts) ||
        options.caCerts.some((cert) => typeof cert !== "string"))
    ) {
      throw new TypeError(
        `Cannot ${action}: caCerts must be an array of strings`,
      );
    }
    const timeout = checkTimeout(action, options.timeout);
    if (options.ownCert || options.ownPrivateKey) {
      if (!options.ownCert || !options.ownPrivateKey) {
        throw new TypeError(
          `Cannot ${action}: ownCert and ownPrivateKey go together`,
        );
      }
      checkPem(action, "ownCert", options.ownCert, "CERTIFICATE");
      checkPem(action, "ownPrivateKey", options.ownPrivateKey, "PRIVATE KEY");
    }
    const host = options.serverName ?? name;
    const layer = new LinkTls(socket, hooks);
    const secure = tls.connect({
      socket: layer.#input,
      host,
      servername: isIP(host) === 0 ? host : undefined,
      ca: options.caCerts,
      cert: options.ownCert || undefined,
      key: options.ownPrivateKey || undefined,
      passphrase: options.ownPrivateKeyPassword || undefined,
      rejectUnauthorized: options.unsafelyDisableVerification !== true,
    });
    layer.#attach(secure, "secureConnect", timeout, action);
    return layer;
  }

  /** Starts the server handshake with this certificate chain and key. */
  static server(
    certPem: string,
    keyPem: string,
    options: StartTlsServerOptions,
    hooks: LinkTlsHooks,
  ): LinkTls {
    const action = "start TLS server";
    if (typeof certPem !== "string" || typeof keyPem !== "string") {
      throw new TypeError(
        `Cannot ${action}: certPem and keyPem must be PEM strings`,
      );
    }
    checkOptionStrings(action, options, ["ownPrivateKeyPassword"]);
    if (
      options.startData !== undefined &&
      !(options.startData instanceof Uint8Array)
    ) {
      throw new TypeError(`Cannot ${action}: startData must be a Uint8Array`);
    }
    const timeout = checkTimeout(action, options.timeout);
    const socket = hooks.socket(action);
    checkPem(action, "certPem", certPem, "CERTIFICATE");
    checkPem(action, "keyPem", keyPem, "PRIVATE KEY");
    const layer = new LinkTls(socket, hooks);
    if (options.startData && options.startData.length > 0) {
      layer.#backlog!.push(options.startData.slice());
    }
    const secure = new tls.TLSSocket(layer.#input, {
      isServer: true,
      cert: certPem,
      key: keyPem,
      passphrase: options.ownPrivateKeyPassword || undefined,
    });
    layer.#attach(secure, "secure", timeout, action);
    return layer;
  }

  // The raw side of node:tls: ciphertext in from the socket's read loop,
  // ciphertext out through the socket's write queue.
  private constructor(socket: StreamSocket, hooks: LinkTlsHooks) {
    this.#socket = socket;
    this.#hooks = hooks;
    const input = new Duplex({
      read() {},
      write(chunk: Uint8Array, _encoding, callback) {
        socket.write(chunk).then(() => callback(), callback);
      },
    });
    // A failed write also fails the socket's read loop, which reports it.
    input.on("error", () => {});
    this.#input = input;
    this.#startTimer = setTimeout(() => {
      this.#startTimer = undefined;
      const backlog = this.#backlog ?? [];
      this.#backlog = undefined;
      if (hooks.done()) return;
      for (const chunk of backlog) input.push(chunk);
    }, 0);
  }

  /** Whether the handshake is done. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Plain bytes not yet encrypted and handed to the socket. */
  get pendingBytes(): number {
    return (this.#secure?.writableLength ?? 0) +
      this.#pending.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  /** Ciphertext from the socket. */
  receive(chunk: Uint8Array): void {
    if (this.#backlog) this.#backlog.push(chunk);
    else this.#input.push(chunk);
  }

  /** The socket's end of stream: it reaches TLS after every byte. */
  receiveEnd(): void {
    if (this.#backlog) this.#backlog.push(null);
    else this.#input.push(null);
    if (!this.#ready) {
      // node:tls on Deno may not report a close in mid-handshake: give it a
      // moment to report an alert it got, then fail instead of waiting for
      // the handshake timeout.
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#hooks.terminate(handshakeClosedError());
      }, 200);
    }
  }

  /** Encrypts and sends (held until the handshake is done). */
  send(bytes: Uint8Array): void {
    if (this.#ready) this.#secure!.write(bytes);
    else this.#pending.push(bytes);
  }

  /** shutdown(): close_notify, then half-close (once the handshake is done). */
  end(): void {
    if (this.#ready) this.#secure!.end();
  }

  /** Ends TLS and resolves once everything went out and the socket half-closed. */
  finish(): Promise<void> {
    if (!this.#secure!.writableEnded) this.#secure!.end();
    return this.#finished.promise;
  }

  /** The link is ending: no timer fires and no backlog is fed any more. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    clearTimeout(this.#startTimer);
    this.#startTimer = undefined;
    this.#backlog = undefined;
  }

  /** Drops what is held and destroys the TLS socket. */
  destroy(): void {
    this.#pending = [];
    this.#secure?.destroy();
  }

  #attach(
    secure: tls.TLSSocket,
    readyEvent: string,
    timeout: number,
    action: string,
  ): void {
    this.#secure = secure;
    const socket = this.#socket;
    const hooks = this.#hooks;
    const finished = this.#finished;
    // node:tls on Deno never calls the adapter's final(): half-close the
    // socket ourselves once every encrypted byte was handed to it.
    secure.once("finish", () => {
      socket.closeWrite().catch(() => {}).finally(() => finished.resolve());
    });
    // A TLS socket destroyed by a failure never finishes: nothing to flush.
    secure.once("close", () => {
      if (!secure.writableFinished) finished.resolve();
    });
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      hooks.terminate(
        new TimeoutError(
          `Cannot complete TLS handshake: no answer within ${timeout} ms`,
        ),
      );
    }, timeout);
    secure.once(readyEvent, () => {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      if (hooks.done()) return;
      this.#ready = true;
      for (const chunk of this.#pending) secure.write(chunk);
      this.#pending = [];
      if (hooks.writeShut()) secure.end();
    });
    secure.on("data", (data: Uint8Array) => {
      if (!hooks.done()) hooks.data(new Uint8Array(data));
    });
    // An end before the handshake finished is a failed handshake.
    secure.on("end", () => {
      hooks.terminate(this.#ready ? undefined : handshakeClosedError());
    });
    secure.on("error", (error: Error) => {
      // OpenSSL's "wrong version number" names neither the peer nor the
      // cause; the errno-style code stays (onError's code comes from it).
      hooks.terminate(
        isNotTlsAnswer(error)
          ? withContext(
            error,
            `Cannot ${action} with ${hooks.peer()}: ${NOT_TLS_REASON}`,
          )
          : error,
      );
    });
  }
}

function checkOptionStrings(
  action: string,
  options: object,
  names: string[],
): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot ${action}: options must be an object`);
  }
  const record = options as Record<string, unknown>;
  for (const name of names) {
    if (record[name] !== undefined && typeof record[name] !== "string") {
      throw new TypeError(`Cannot ${action}: ${name} must be a string`);
    }
  }
}

function handshakeClosedError(): Error {
  const error = new ConnectionClosedError(
    "Cannot complete TLS handshake: the peer closed the connection",
  );
  Object.defineProperty(error, "code", { value: "ECONNRESET" });
  return error;
}

function checkPem(
  action: string,
  name: string,
  pem: string,
  label: string,
): void {
  if (!pem.includes("-----BEGIN ") || !pem.includes(`${label}-----`)) {
    throw new SyntaxError(
      `Cannot ${action}: ${name} is not a PEM ${label.toLowerCase()}`,
    );
  }
}

function checkTimeout(action: string, timeout: unknown): number {
  const value = timeout ?? 5000;
  if (typeof value !== "number") {
    throw new TypeError(`Cannot ${action}: timeout must be a number`);
  }
  if (!(value > 0) || value > 2_147_483_647) {
    throw new RangeError(
      `Cannot ${action}: timeout ${value} is out of range 1-2147483647`,
    );
  }
  return value;
}
