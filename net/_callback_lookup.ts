// Copyright 2026 the moonwire authors. MIT license.
// The machinery under hostnameToIp and ipToHostname: one lookup runs in the
// background and reports 0..n onNameResolved, then exactly one of
// onFinished/onError, never synchronously inside the starting call.
import { isIP } from "node:net";
import { TimeoutError } from "./errors.ts";
import {
  assertCallbacks,
  assertString,
  errorCode,
  errorMessage,
  invoke,
} from "./_callback_common.ts";

/** The callbacks a lookup reports to (mirrors LookupCallbacks). */
export interface LookupSink {
  onNameResolved(hostname: string, ip: string): void;
  onFinished(query: string): void;
  onError(query: string, code: string, message: string): void;
}

/** A DNS server to ask instead of the system resolver. */
export interface LookupNameServer {
  /** The server's IP address. */
  ipAddr: string;
  /** The server's UDP/TCP port (default 53). */
  port?: number;
}

/** Validated lookup options. */
export interface CheckedLookupOptions {
  nameServer: { ipAddr: string; port: number } | undefined;
  timeout: number;
}

/** Validates lookup options; throws TypeError/RangeError at once. */
export function checkLookupOptions(
  action: string,
  callbacks: unknown,
  options: { nameServer?: LookupNameServer; timeout?: number } | undefined,
): CheckedLookupOptions {
  assertCallbacks(action, "callbacks", callbacks, [
    "onNameResolved",
    "onFinished",
    "onError",
  ]);
  if (options === undefined) return { nameServer: undefined, timeout: 5000 };
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`Cannot ${action}: options must be an object`);
  }
  const timeout = options.timeout ?? 5000;
  if (typeof timeout !== "number") {
    throw new TypeError(`Cannot ${action}: timeout must be a number`);
  }
  if (!(timeout > 0) || timeout > 2_147_483_647) {
    throw new RangeError(
      `Cannot ${action}: timeout ${timeout} is out of range 1-2147483647`,
    );
  }
  let nameServer: CheckedLookupOptions["nameServer"];
  if (options.nameServer !== undefined) {
    const server = options.nameServer;
    if (typeof server !== "object" || server === null) {
      throw new TypeError(`Cannot ${action}: nameServer must be an object`);
    }
    const ipAddr = assertString(action, "nameServer.ipAddr", server.ipAddr);
    if (isIP(ipAddr) === 0) {
      throw new TypeError(
        `Cannot ${action}: nameServer.ipAddr "${ipAddr}" is not an IP address`,
      );
    }
    const port = server.port ?? 53;
    if (typeof port !== "number") {
      throw new TypeError(`Cannot ${action}: nameServer.port must be a number`);
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new RangeError(
        `Cannot ${action}: nameServer.port ${port} is out of range 1-65535`,
      );
    }
    nameServer = { ipAddr, port };
  }
  return { nameServer, timeout };
}

/**
 * Runs `work` in the background with a timeout and reports its results:
 * each `[hostname, ip]` pair through onNameResolved, then onFinished; a
 * rejection through onError (once).
 */
export function runLookup(
  query: string,
  sink: LookupSink,
  timeout: number,
  work: (signal: AbortSignal) => Promise<Array<[string, string]>>,
): void {
  const run = async () => {
    // Never report inside the starting call, even for answers known at once.
    await Promise.resolve();
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new TimeoutError(
          `Cannot look up ${query}: no answer within ${timeout} ms`,
        );
        controller.abort(error);
        reject(error);
      }, timeout);
    });
    let pairs: Array<[string, string]>;
    try {
      pairs = await Promise.race([work(controller.signal), expired]);
    } catch (error) {
      invoke(sink.onError, sink, query, errorCode(error), errorMessage(error));
      return;
    } finally {
      clearTimeout(timer);
    }
    for (const [hostname, ip] of pairs) {
      invoke(sink.onNameResolved, sink, hostname, ip);
    }
    invoke(sink.onFinished, sink, query);
  };
  run();
}

/** Wraps a resolver error with the query in the message, keeping its code. */
export function lookupError(
  action: string,
  query: string,
  cause: unknown,
): Error {
  const error = new Error(
    `Cannot ${action} ${query}: ${errorMessage(cause)}`,
    { cause },
  );
  error.name = cause instanceof Error ? cause.name : "Error";
  Object.defineProperty(error, "code", { value: errorCode(cause) });
  return error;
}

/** The reverse-lookup name of an IP address (`in-addr.arpa`/`ip6.arpa`). */
export function reverseName(ip: string): string {
  if (isIP(ip) === 4) {
    return ip.split(".").reverse().join(".") + ".in-addr.arpa";
  }
  const nibbles = expandIpv6(ip).split("").reverse().join(".");
  return nibbles + ".ip6.arpa";
}

/** The 32 hex digits of an IPv6 address. */
function expandIpv6(ip: string): string {
  let text = ip.split("%")[0].toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = text.slice(0, v4.index) +
      ((a << 8) | b).toString(16) + ":" + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, ""];
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === "" ? [] : tail.split(":");
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [
    ...headGroups,
    ...Array.from({ length: missing }, () => "0"),
    ...tailGroups,
  ];
  return groups.map((group) => group.padStart(4, "0")).join("");
}
