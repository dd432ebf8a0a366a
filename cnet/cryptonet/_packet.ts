// Copyright 2026 the moonwire authors. MIT license.
// Wire format of CryptoNet packets (one packet = one modem payload).
//
// Every packet starts with "CN" (0x43 0x4e), version 1, and a type byte.
//
//   DISCOVER        requestId[8]
//   DISCOVER_REPLY  requestId[8] flags[1] nameLength[1] name certificate?
//   CERT_REQUEST    requestId[8] nameLength[1] name
//   CERT_REPLY      requestId[8] certificate
//   HELLO           sessionId[16] pattern[1] nameLength[1] name noiseMessage
//   HELLO_REPLY     sessionId[16] noiseMessage
//   DATA_*          sessionId[16] counter[8, big-endian] ciphertext
//   PLAIN_*         sessionId[16] table
//   COOKIE          sessionId[16] cookie[32]
//   HELLO_COOKIE    sessionId[16] cookie[32] pattern[1] nameLength[1] name
//                   noiseMessage
//
// COOKIE and HELLO_COOKIE are the server's stateless retry step under load
// (_cookie.ts): it answers a HELLO with a COOKIE and keeps no state; the
// client repeats the HELLO with it. A server not under load never sends a
// COOKIE, so clients from before this step (which drop it) still connect
// then; the version stays 1.
//
// The first 28 bytes of a DATA packet (header + session id + counter) are the
// AEAD associated data, so neither can be changed in transit. Parsing is
// strict and bounded: anything unexpected returns undefined (the caller
// drops and counts it).

export const MAGIC_0 = 0x43;
export const MAGIC_1 = 0x4e;
export const VERSION = 1;
export const HEADER_LENGTH = 4;
export const SESSION_ID_LENGTH = 16;
export const DATA_HEADER_LENGTH = HEADER_LENGTH + SESSION_ID_LENGTH + 8;
/** AEAD tag length of ChaChaPoly. */
export const TAG_LENGTH = 16;
/** Length of a COOKIE's MAC. */
export const COOKIE_LENGTH = 32;
/** Longest server name in UTF-8 bytes. */
export const MAX_NAME_BYTES = 128;

export const PacketType = {
  DISCOVER: 1,
  DISCOVER_REPLY: 2,
  CERT_REQUEST: 3,
  CERT_REPLY: 4,
  HELLO: 5,
  HELLO_REPLY: 6,
  DATA_TO_SERVER: 7,
  DATA_TO_CLIENT: 8,
  PLAIN_TO_SERVER: 9,
  PLAIN_TO_CLIENT: 10,
  COOKIE: 11,
  HELLO_COOKIE: 12,
} as const;
export type PacketType = typeof PacketType[keyof typeof PacketType];

export const HandshakePattern = { NK: 1, NX: 2 } as const;
export type HandshakePattern =
  typeof HandshakePattern[keyof typeof HandshakePattern];

export const PROTOCOL_NAMES = {
  [HandshakePattern.NK]: "Noise_NK_25519_ChaChaPoly_SHA256",
  [HandshakePattern.NX]: "Noise_NX_25519_ChaChaPoly_SHA256",
} as const;

export type Packet =
  | { type: 1; requestId: Uint8Array<ArrayBuffer> }
  | {
    type: 2;
    requestId: Uint8Array<ArrayBuffer>;
    name: string;
    certificate: Uint8Array<ArrayBuffer> | undefined;
  }
  | { type: 3; requestId: Uint8Array<ArrayBuffer>; name: string }
  | {
    type: 4;
    requestId: Uint8Array<ArrayBuffer>;
    certificate: Uint8Array<ArrayBuffer>;
  }
  | {
    type: 5;
    sessionId: Uint8Array<ArrayBuffer>;
    pattern: HandshakePattern;
    name: string;
    message: Uint8Array<ArrayBuffer>;
  }
  | {
    type: 12;
    sessionId: Uint8Array<ArrayBuffer>;
    cookie: Uint8Array<ArrayBuffer>;
    pattern: HandshakePattern;
    name: string;
    message: Uint8Array<ArrayBuffer>;
  }
  | {
    type: 6;
    sessionId: Uint8Array<ArrayBuffer>;
    message: Uint8Array<ArrayBuffer>;
  }
  | {
    type: 11;
    sessionId: Uint8Array<ArrayBuffer>;
    cookie: Uint8Array<ArrayBuffer>;
  }
  | {
    type: 7 | 8;
    sessionId: Uint8Array<ArrayBuffer>;
    counter: bigint;
    header: Uint8Array<ArrayBuffer>;
    ciphertext: Uint8Array<ArrayBuffer>;
  }
  | {
    type: 9 | 10;
    sessionId: Uint8Array<ArrayBuffer>;
    body: Uint8Array<ArrayBuffer>;
  };

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 bytes of a server name; RangeError when empty or too long. */
export function nameBytes(action: string, name: string): Uint8Array {
  if (typeof name !== "string") {
    throw new TypeError(`Cannot ${action}: server name must be a string`);
  }
  const bytes = encoder.encode(name);
  if (bytes.length === 0 || bytes.length > MAX_NAME_BYTES) {
    throw new RangeError(
      `Cannot ${action}: server name must be 1-${MAX_NAME_BYTES} UTF-8 bytes, got ${bytes.length}`,
    );
  }
  return bytes;
}

function header(type: PacketType, length: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(HEADER_LENGTH + length);
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = VERSION;
  out[3] = type;
  return out;
}

// Every packet but DATA is: header, its request or session id (idLength
// bytes), then fields in order; a number is one byte, bytes are copied.
function encodeFields(
  type: PacketType,
  idLength: number,
  id: Uint8Array,
  ...fields: (number | Uint8Array)[]
): Uint8Array<ArrayBuffer> {
  let length = idLength;
  for (const field of fields) {
    length += typeof field === "number" ? 1 : field.length;
  }
  const out = header(type, length);
  out.set(id, HEADER_LENGTH);
  let offset = HEADER_LENGTH + idLength;
  for (const field of fields) {
    if (typeof field === "number") {
      out[offset++] = field;
    } else {
      out.set(field, offset);
      offset += field.length;
    }
  }
  return out;
}

export function encodeDiscover(
  requestId: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return encodeFields(PacketType.DISCOVER, 8, requestId);
}

export function encodeDiscoverReply(
  requestId: Uint8Array,
  name: string,
  certificate: Uint8Array | undefined,
): Uint8Array<ArrayBuffer> {
  const n = nameBytes("answer discovery", name);
  return encodeFields(
    PacketType.DISCOVER_REPLY,
    8,
    requestId,
    certificate === undefined ? 0 : 1,
    n.length,
    n,
    certificate ?? new Uint8Array(0),
  );
}

export function encodeCertRequest(
  requestId: Uint8Array,
  name: string,
): Uint8Array<ArrayBuffer> {
  const n = nameBytes("request certificate", name);
  return encodeFields(PacketType.CERT_REQUEST, 8, requestId, n.length, n);
}

export function encodeCertReply(
  requestId: Uint8Array,
  certificate: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return encodeFields(PacketType.CERT_REPLY, 8, requestId, certificate);
}

/** A HELLO, or with `cookie` a HELLO_COOKIE (the repeat under load). */
export function encodeHello(
  sessionId: Uint8Array,
  pattern: HandshakePattern,
  name: string,
  message: Uint8Array,
  cookie?: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const n = nameBytes("connect", name);
  const rest = [pattern, n.length, n, message];
  return cookie === undefined
    ? encodeFields(PacketType.HELLO, SESSION_ID_LENGTH, sessionId, ...rest)
    : encodeFields(
      PacketType.HELLO_COOKIE,
      SESSION_ID_LENGTH,
      sessionId,
      cookie,
      ...rest,
    );
}

export function encodeCookie(
  sessionId: Uint8Array,
  cookie: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return encodeFields(PacketType.COOKIE, SESSION_ID_LENGTH, sessionId, cookie);
}

export function encodeHelloReply(
  sessionId: Uint8Array,
  message: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return encodeFields(
    PacketType.HELLO_REPLY,
    SESSION_ID_LENGTH,
    sessionId,
    message,
  );
}

/** The associated data (and prefix) of a DATA packet. */
export function encodeDataHeader(
  type: 7 | 8,
  sessionId: Uint8Array,
  counter: bigint,
): Uint8Array<ArrayBuffer> {
  const out = header(type, 16 + 8);
  out.set(sessionId, 4);
  new DataView(out.buffer).setBigUint64(20, counter);
  return out;
}

export function joinBytes(
  a: Uint8Array,
  b: Uint8Array,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export function encodePlain(
  type: 9 | 10,
  sessionId: Uint8Array,
  body: Uint8Array,
): Uint8Array<ArrayBuffer> {
  return encodeFields(type, SESSION_ID_LENGTH, sessionId, body);
}

function readName(
  bytes: Uint8Array<ArrayBuffer>,
  at: number,
): { name: string; end: number } | undefined {
  if (at >= bytes.length) return undefined;
  const length = bytes[at];
  if (length === 0 || length > MAX_NAME_BYTES) return undefined;
  const end = at + 1 + length;
  if (end > bytes.length) return undefined;
  try {
    return { name: decoder.decode(bytes.subarray(at + 1, end)), end };
  } catch {
    return undefined;
  }
}

/** Parses one packet; undefined for anything malformed. Never throws. */
export function decodePacket(
  bytes: Uint8Array<ArrayBuffer>,
): Packet | undefined {
  if (
    bytes.length < HEADER_LENGTH || bytes[0] !== MAGIC_0 ||
    bytes[1] !== MAGIC_1 || bytes[2] !== VERSION
  ) {
    return undefined;
  }
  const type = bytes[3];
  switch (type) {
    case PacketType.DISCOVER:
      if (bytes.length !== 12) return undefined;
      return { type, requestId: bytes.slice(4, 12) };
    case PacketType.DISCOVER_REPLY: {
      if (bytes.length < 14 || bytes[12] > 1) return undefined;
      const name = readName(bytes, 13);
      if (name === undefined) return undefined;
      const hasCertificate = bytes[12] === 1;
      if (hasCertificate === (name.end === bytes.length)) return undefined;
      return {
        type,
        requestId: bytes.slice(4, 12),
        name: name.name,
        certificate: hasCertificate ? bytes.slice(name.end) : undefined,
      };
    }
    case PacketType.CERT_REQUEST: {
      if (bytes.length < 13) return undefined;
      const name = readName(bytes, 12);
      if (name === undefined || name.end !== bytes.length) return undefined;
      return { type, requestId: bytes.slice(4, 12), name: name.name };
    }
    case PacketType.CERT_REPLY:
      if (bytes.length <= 12) return undefined;
      return {
        type,
        requestId: bytes.slice(4, 12),
        certificate: bytes.slice(12),
      };
    case PacketType.HELLO:
    case PacketType.HELLO_COOKIE: {
      const at = type === PacketType.HELLO ? 20 : 20 + COOKIE_LENGTH;
      if (bytes.length < at + 2) return undefined;
      const pattern = bytes[at];
      if (pattern !== HandshakePattern.NK && pattern !== HandshakePattern.NX) {
        return undefined;
      }
      const name = readName(bytes, at + 1);
      if (name === undefined || name.end >= bytes.length) return undefined;
      const hello = {
        sessionId: bytes.slice(4, 20),
        pattern,
        name: name.name,
        message: bytes.slice(name.end),
      };
      return type === PacketType.HELLO
        ? { type, ...hello }
        : { type, ...hello, cookie: bytes.slice(20, at) };
    }
    case PacketType.COOKIE:
      if (bytes.length !== 20 + COOKIE_LENGTH) return undefined;
      return { type, sessionId: bytes.slice(4, 20), cookie: bytes.slice(20) };
    case PacketType.HELLO_REPLY:
      if (bytes.length <= 20) return undefined;
      return {
        type,
        sessionId: bytes.slice(4, 20),
        message: bytes.slice(20),
      };
    case PacketType.DATA_TO_SERVER:
    case PacketType.DATA_TO_CLIENT:
      if (bytes.length < DATA_HEADER_LENGTH + TAG_LENGTH + 1) return undefined;
      return {
        type,
        sessionId: bytes.slice(4, 20),
        counter: new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(20),
        header: bytes.subarray(0, DATA_HEADER_LENGTH),
        ciphertext: bytes.subarray(DATA_HEADER_LENGTH),
      };
    case PacketType.PLAIN_TO_SERVER:
    case PacketType.PLAIN_TO_CLIENT:
      if (bytes.length <= 20) return undefined;
      return { type, sessionId: bytes.slice(4, 20), body: bytes.slice(20) };
    default:
      return undefined;
  }
}

// Inner messages: the plaintext of a DATA packet is kind[1] + body.
export const Inner = {
  OPEN: 1,
  OPEN_ACK: 2,
  MESSAGE: 3,
  CLOSE: 4,
  FRAGMENT: 5,
  LOGIN: 6,
  LOGIN_RESULT: 7,
  LOGOUT: 8,
  LOGOUT_RESULT: 9,
  PING: 10,
} as const;
export type Inner = typeof Inner[keyof typeof Inner];

/** FRAGMENT body: messageId[4] index[2] count[2] chunk. */
export const FRAGMENT_HEADER_LENGTH = 1 + 4 + 2 + 2;

/** Bytes a DATA packet adds around its inner plaintext. */
export const DATA_OVERHEAD = DATA_HEADER_LENGTH + TAG_LENGTH;
