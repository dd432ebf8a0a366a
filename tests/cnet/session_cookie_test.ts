// Copyright 2026 the moonwire authors. MIT license.
// The stateless cookie step, sans-I/O with a fake clock: the cookie jar
// (binding, rotation, expiry), the COOKIE and HELLO_COOKIE wire layout, and
// the client handshake repeating its HELLO with a cookie.
import assert from "node:assert/strict";
import { generateCertificate } from "../../crypto/mod.ts";
import { ClientHandshake } from "../../cnet/cryptonet/_client_handshake.ts";
import {
  COOKIE_ROTATION,
  CookieJar,
  type CookieSubject,
} from "../../cnet/cryptonet/_cookie.ts";
import {
  decodePacket,
  encodeCookie,
  encodeHello,
  type Packet,
  PacketType,
} from "../../cnet/cryptonet/_packet.ts";

/** Secrets 1, 2, 3, ... (each 32 bytes of that value), so runs repeat. */
function countingRandom(): (length: number) => Uint8Array {
  let next = 0;
  return (length) => new Uint8Array(length).fill(++next);
}

const SUBJECT: CookieSubject = {
  side: "top",
  channel: 1234,
  replyChannel: 4321,
  sessionId: new Uint8Array(16).fill(9),
  pattern: 2,
  name: "bank",
  message: new Uint8Array(32).fill(5),
};

const hex = (bytes: Uint8Array) => bytes.toHex();

Deno.test("cookie jar: a cookie is bound to the side, channels, session id, pattern, name and Noise message", () => {
  const jar = new CookieJar(0, countingRandom());
  const cookie = jar.make(SUBJECT, 0);
  assert.equal(cookie.length, 32);
  assert.equal(jar.check(SUBJECT, cookie, 0), true);
  // HMAC-SHA256 under secret 01*32 of 03 "top" 04d2 10e1 and the HELLO
  // (434e0105 09*16 02 04 "bank" 05*32), computed apart with node:crypto.
  assert.equal(
    hex(cookie),
    "08ede2907010761527e715d0f5291dcee16599ddf224aebac0321d2e413aa711",
  );
  const changes: Partial<CookieSubject>[] = [
    { side: "left" },
    { channel: 1235 },
    { replyChannel: 4322 },
    { sessionId: new Uint8Array(16).fill(8) },
    { pattern: 1 },
    { name: "bank2" },
    { message: new Uint8Array(32).fill(6) },
  ];
  for (const change of changes) {
    assert.equal(
      jar.check({ ...SUBJECT, ...change }, cookie, 0),
      false,
      JSON.stringify(Object.keys(change)),
    );
  }
  const flipped = cookie.slice();
  flipped[31] ^= 1;
  assert.equal(jar.check(SUBJECT, flipped, 0), false);
  assert.equal(jar.check(SUBJECT, cookie.subarray(0, 31), 0), false);
  assert.equal(jar.check(SUBJECT, new Uint8Array(32), 0), false);
  // Another node's jar (another secret) does not honour it.
  const other = new CookieJar(0, () => new Uint8Array(32).fill(77));
  assert.equal(other.check(SUBJECT, cookie, 0), false);
});

Deno.test("cookie jar: the secret rotates every 2 minutes; a cookie is honoured by the next secret, not the one after", () => {
  const jar = new CookieJar(0, countingRandom());
  const first = jar.make(SUBJECT, 0);
  assert.equal(jar.check(SUBJECT, first, COOKIE_ROTATION - 1), true);
  // Rotated at 120 s: new cookies differ, the old one is still good.
  const second = jar.make(SUBJECT, COOKIE_ROTATION);
  assert.notEqual(hex(second), hex(first));
  assert.equal(jar.check(SUBJECT, first, COOKIE_ROTATION), true);
  assert.equal(jar.check(SUBJECT, first, 2 * COOKIE_ROTATION - 1), true);
  // Rotated again at 240 s: the first is gone, the second still good.
  assert.equal(jar.check(SUBJECT, first, 2 * COOKIE_ROTATION), false);
  assert.equal(jar.check(SUBJECT, second, 2 * COOKIE_ROTATION), true);
  // Two periods without a call: both secrets are too old.
  const third = jar.make(SUBJECT, 2 * COOKIE_ROTATION);
  assert.equal(jar.check(SUBJECT, third, 4 * COOKIE_ROTATION), false);
  assert.equal(jar.check(SUBJECT, second, 4 * COOKIE_ROTATION), false);
});

Deno.test("Packet codec: COOKIE and HELLO_COOKIE byte for byte, round trip, and truncations refused", () => {
  const id16 = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const cookie = Uint8Array.from({ length: 32 }, (_, i) => i);
  const session = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";
  const cookieHex = hex(cookie);
  const cookiePacket = encodeCookie(id16, cookie);
  assert.equal(hex(cookiePacket), `434e010b${session}${cookieHex}`);
  assert.deepEqual(decodePacket(cookiePacket), {
    type: PacketType.COOKIE,
    sessionId: id16,
    cookie,
  });
  const withCookie = encodeHello(id16, 2, "x", Uint8Array.of(1, 2, 3), cookie);
  assert.equal(hex(withCookie), `434e010c${session}${cookieHex}020178010203`);
  assert.deepEqual(decodePacket(withCookie), {
    type: PacketType.HELLO_COOKIE,
    sessionId: id16,
    cookie,
    pattern: 2,
    name: "x",
    message: Uint8Array.of(1, 2, 3),
  });
  // Without a cookie the HELLO is as before.
  assert.equal(
    hex(encodeHello(id16, 2, "x", Uint8Array.of(1, 2, 3))),
    `434e0105${session}020178010203`,
  );
  for (let length = 0; length < cookiePacket.length; length++) {
    assert.equal(decodePacket(cookiePacket.slice(0, length)), undefined);
  }
  const longer = new Uint8Array(cookiePacket.length + 1);
  longer.set(cookiePacket);
  assert.equal(decodePacket(longer), undefined);
  // A HELLO_COOKIE must still carry pattern, name and a Noise message.
  for (let length = 0; length < withCookie.length - 3; length++) {
    assert.equal(decodePacket(withCookie.slice(0, length)), undefined);
  }
  const badPattern = withCookie.slice();
  badPattern[52] = 3;
  assert.equal(decodePacket(badPattern), undefined);
});

Deno.test("session core: a COOKIE makes the client repeat its HELLO with it at once, and every retransmission carries it", async () => {
  const identity = generateCertificate("core");
  const idBytes = crypto.getRandomValues(new Uint8Array(16));
  const hs = new ClientHandshake({
    action: 'connect to "core"',
    name: "core",
    idBytes,
    provided: identity.certificate,
    allowUnsigned: false,
    timeout: 5_000,
    certTimeout: 1_000,
    retransmit: 250,
    now: 0,
  });
  // Before the HELLO is written a cookie has nothing to repeat.
  hs.handleCookie(new Uint8Array(32).fill(1), 0);
  assert.equal(hs.pollTransmit(), undefined);
  await hs.start();
  hs.setCaKey(undefined);
  await hs.handleTimeout(0);
  const first = decodePacket(hs.pollTransmit()!) as Extract<
    Packet,
    { type: 5 }
  >;
  assert.equal(first.type, PacketType.HELLO);
  assert.equal(hs.pollTransmit(), undefined);
  const cookie = new Uint8Array(32).fill(7);
  hs.handleCookie(cookie, 100);
  const again = hs.pollTransmit()!;
  assert.equal(
    hex(again),
    hex(encodeHello(idBytes, first.pattern, "core", first.message, cookie)),
  );
  assert.equal(hs.pollTransmit(), undefined);
  // The retransmission timer restarted from the repeat: due at 350.
  assert.equal(hs.pollTimeout(), 350);
  await hs.handleTimeout(349);
  assert.equal(hs.pollTransmit(), undefined);
  await hs.handleTimeout(350);
  assert.equal(hex(hs.pollTransmit()!), hex(again));
  // A newer cookie replaces it.
  const newer = new Uint8Array(32).fill(8);
  hs.handleCookie(newer, 400);
  const repeat = decodePacket(hs.pollTransmit()!);
  assert.equal(repeat?.type, PacketType.HELLO_COOKIE);
  assert.deepEqual((repeat as { cookie: Uint8Array }).cookie, newer);
  // Once decided, cookies are ignored.
  hs.abort(new Error("done"));
  hs.handleCookie(cookie, 500);
  assert.equal(hs.pollTransmit(), undefined);
});
