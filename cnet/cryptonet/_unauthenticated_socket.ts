// Copyright 2026 the moonwire authors. MIT license.
// The socket a `plain_message` event carries. A PLAIN packet is bound only
// to the session id, which travels in clear in every header: anyone on the
// medium can send one in a session's name. So the event's socket names the
// session (to reply to, or close) but withholds who logged in over it.
import type { Certificate } from "../../crypto/mod.ts";
import type { ModemSide } from "../modem_side.ts";
import type { Session } from "./_session.ts";
import type { Server, SessionProtocol, Socket } from "./_views.ts";

/** A session's socket with its login identity withheld. */
export class UnauthenticatedSocket implements Socket {
  readonly #session: Session;

  constructor(session: Session) {
    this.#session = session;
  }

  /** The session behind `socket` when it is such a view, else `socket`. */
  static unwrap(socket: unknown): unknown {
    return socket instanceof UnauthenticatedSocket ? socket.#session : socket;
  }

  get id(): string {
    return this.#session.id;
  }
  get role(): "client" | "server" {
    return this.#session.role;
  }
  get serverName(): string {
    return this.#session.serverName;
  }
  get server(): Server | undefined {
    return this.#session.server;
  }
  get side(): ModemSide {
    return this.#session.side;
  }
  /** Always `undefined`: the message may not come from the logged-in user. */
  get username(): undefined {
    return undefined;
  }
  /** Always 0, for the same reason. */
  get permissionLevel(): 0 {
    return 0;
  }
  get certificate(): Certificate {
    return this.#session.certificate;
  }
  get certificateVerified(): boolean {
    return this.#session.certificateVerified;
  }
  get protocol(): SessionProtocol {
    return this.#session.protocol;
  }
  get isOpen(): boolean {
    return this.#session.isOpen;
  }
  close(): Promise<void> {
    return this.#session.close();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
