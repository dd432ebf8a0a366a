// Copyright 2026 the moonwire authors. MIT license.
// The server's stateless retry step under load, after WireGuard's cookie
// reply: a HELLO is answered with a COOKIE (an HMAC-SHA256, keyed by a
// secret rotated every two minutes, over where the HELLO came from and
// what it says), for which the server keeps no state and does no
// Diffie-Hellman. Only a sender that receives on its reply channel can
// repeat the HELLO with the cookie; the MAC is checked (in constant time)
// before any key work. Sans-I/O: time is passed in.
import { createHmac } from "node:crypto";
import { timingSafeEqual } from "../../crypto/mod.ts";
import {
  COOKIE_LENGTH,
  encodeHello,
  type HandshakePattern,
} from "./_packet.ts";

/** ms a cookie secret is used for making cookies. */
export const COOKIE_ROTATION = 120_000;

/** What a cookie is bound to: the path of the HELLO and the HELLO itself. */
export interface CookieSubject {
  /** The modem side the HELLO arrived on. */
  side: string;
  /** The server channel it arrived on. */
  channel: number;
  /** The sender's reply channel (where the COOKIE goes). */
  replyChannel: number;
  sessionId: Uint8Array;
  pattern: HandshakePattern;
  name: string;
  /** The Noise message (the sender's ephemeral key and payload). */
  message: Uint8Array;
}

const encoder = new TextEncoder();

export class CookieJar {
  readonly #random: (length: number) => Uint8Array;
  #current: Uint8Array;
  #previous: Uint8Array | undefined;
  #since: number;

  /**
   * @param now The clock reading (ms) the first secret starts at.
   * @param random Fills fresh secrets (default: the system's CSPRNG).
   */
  constructor(
    now: number,
    random: (length: number) => Uint8Array = (length) =>
      crypto.getRandomValues(new Uint8Array(length)),
  ) {
    this.#random = random;
    this.#current = random(32);
    this.#since = now;
  }

  /** The cookie for `subject` at `now`. */
  make(subject: CookieSubject, now: number): Uint8Array<ArrayBuffer> {
    this.#rotate(now);
    return mac(this.#current, subject);
  }

  /**
   * Whether `cookie` was made for `subject` by the current secret or the
   * one before it (so a cookie stays good for two to four minutes).
   */
  check(subject: CookieSubject, cookie: Uint8Array, now: number): boolean {
    this.#rotate(now);
    if (cookie.length !== COOKIE_LENGTH) return false;
    // Both compared, so the time taken does not tell which secret matched.
    const current = timingSafeEqual(mac(this.#current, subject), cookie);
    const previous = this.#previous !== undefined &&
      timingSafeEqual(mac(this.#previous, subject), cookie);
    return current || previous;
  }

  #rotate(now: number): void {
    const age = now - this.#since;
    if (age < COOKIE_ROTATION) return;
    // After two periods the old secret is too old to honour as well.
    this.#previous = age < 2 * COOKIE_ROTATION ? this.#current : undefined;
    this.#current = this.#random(32);
    this.#since = now;
  }
}

function mac(
  secret: Uint8Array,
  subject: CookieSubject,
): Uint8Array<ArrayBuffer> {
  const path = new Uint8Array(4);
  const view = new DataView(path.buffer);
  view.setUint16(0, subject.channel);
  view.setUint16(2, subject.replyChannel);
  const side = encoder.encode(subject.side);
  return new Uint8Array(
    createHmac("sha256", secret)
      .update(Uint8Array.of(side.length))
      .update(side)
      .update(path)
      .update(
        encodeHello(
          subject.sessionId,
          subject.pattern,
          subject.name,
          subject.message,
        ),
      )
      .digest(),
  );
}
