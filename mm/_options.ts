// Copyright 2026 the moonwire authors. MIT license.
// Argument validation shared by Server and Client: every rule is checked
// before any socket is opened.
import { deriveKey } from "../crypto/derive_key.ts";
import { parseCipherKey } from "../crypto/parse_cipher_key.ts";
import type { LuaTable } from "../net/table_codec.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import { type EventQueue, queueOf } from "./_event_queue.ts";
import { NetworkEvents } from "./network_events.ts";

/** Fixed HKDF label: the PSK is bound to this protocol and version. */
export const PSK_LABEL = "moonwire mm v2 psk";

export interface ResolvedOptions {
  readonly psk: Uint8Array | undefined;
  readonly events: EventQueue;
  readonly handshakeTimeout: number;
  readonly heartbeatInterval: number;
  readonly maxMessageSize: number;
  readonly maxQueuedBytes: number;
  readonly rekeyRecords: number;
  readonly rekeyBytes: number;
}

export function checkAddress(action: string, address: unknown): string {
  if (typeof address !== "string") {
    throw new TypeError(
      `Cannot ${action}: address must be a string, got ${describe(address)}`,
    );
  }
  if (address.length === 0) {
    throw new SyntaxError(`Cannot ${action}: address is empty`);
  }
  return address;
}

export function checkPort(
  action: string,
  port: unknown,
  allowAny: boolean,
): number {
  if (port === undefined && allowAny) return 0;
  if (typeof port !== "number") {
    throw new TypeError(
      `Cannot ${action}: port must be a number, got ${describe(port)}`,
    );
  }
  if (allowAny && port === 0) return 0;
  if (!Number.isInteger(port) || port < 1024 || port > 65535) {
    throw new RangeError(
      `Cannot ${action}: port ${port} is outside 1024-65535${
        allowAny ? " (or 0 to let the system choose)" : ""
      }`,
    );
  }
  return port;
}

export function checkNumber(
  action: string,
  name: string,
  value: unknown,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number") {
    throw new TypeError(
      `Cannot ${action}: ${name} must be a number, got ${describe(value)}`,
    );
  }
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `Cannot ${action}: ${name} ${value} is not an integer of at least ${min}`,
    );
  }
  return value;
}

export function resolveOptions(
  action: string,
  options: string | ConnectionOptions | undefined,
): ResolvedOptions {
  if (typeof options === "string") options = { cipherKey: options };
  options ??= {};
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `Cannot ${action}: options must be a cipher key string or an object, got ${
        describe(options)
      }`,
    );
  }
  const key = options.cipherKey;
  const psk = key === undefined
    ? undefined
    : deriveKey(parseCipherKey(key), PSK_LABEL, 32);
  const hub = options.events ?? NetworkEvents.default;
  if (!(hub instanceof NetworkEvents)) {
    throw new TypeError(
      `Cannot ${action}: events must be a NetworkEvents instance`,
    );
  }
  return shared({
    psk,
    events: queueOf(hub),
    handshakeTimeout: checkNumber(
      action,
      "handshakeTimeout",
      options.handshakeTimeout,
      5000,
      1,
    ),
    heartbeatInterval: checkNumber(
      action,
      "heartbeatInterval",
      options.heartbeatInterval,
      25_000,
      0,
    ),
    maxMessageSize: checkNumber(
      action,
      "maxMessageSize",
      options.maxMessageSize,
      1024 * 1024,
      16,
    ),
    maxQueuedBytes: checkNumber(
      action,
      "maxQueuedBytes",
      options.maxQueuedBytes,
      4 * 1024 * 1024,
      1,
    ),
    rekeyRecords: checkNumber(
      action,
      "rekeyRecords",
      options.rekeyRecords,
      2 ** 20,
      1,
    ),
    rekeyBytes: checkNumber(
      action,
      "rekeyBytes",
      options.rekeyBytes,
      2 ** 30,
      1,
    ),
  });
}

// The last options resolved without a cipher key, held weakly: clients
// made with the same settings (the usual case) share one object instead of
// holding a copy each.
let lastPlain: WeakRef<ResolvedOptions> | undefined;

function shared(resolved: ResolvedOptions): ResolvedOptions {
  if (resolved.psk !== undefined) return resolved;
  const last = lastPlain?.deref();
  if (
    last !== undefined && last.events === resolved.events &&
    last.handshakeTimeout === resolved.handshakeTimeout &&
    last.heartbeatInterval === resolved.heartbeatInterval &&
    last.maxMessageSize === resolved.maxMessageSize &&
    last.maxQueuedBytes === resolved.maxQueuedBytes &&
    last.rekeyRecords === resolved.rekeyRecords &&
    last.rekeyBytes === resolved.rekeyBytes
  ) {
    return last;
  }
  lastPlain = new WeakRef(resolved);
  return resolved;
}

/** Whether `value` is a Lua table: an array, a plain object or a Map. */
export function isTable(value: unknown): value is LuaTable {
  if (Array.isArray(value) || value instanceof Map) return true;
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function checkTable(value: unknown): LuaTable {
  if (!isTable(value)) {
    throw new TypeError(
      `Cannot send message: expected a table (array, plain object or Map), got ${
        describe(value)
      }`,
    );
  }
  return value;
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof Uint8Array) return "Uint8Array";
  if (typeof value === "object") {
    return value.constructor?.name ?? "object";
  }
  return typeof value;
}

let nextSocketId = 1;

/** A process-unique socket identifier (the seed's GetSocket). */
export function newSocketId(): number {
  return nextSocketId++;
}
