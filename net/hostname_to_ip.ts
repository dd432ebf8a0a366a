// Copyright 2026 the moonwire authors. MIT license.
import dns from "node:dns";
import { isIP } from "node:net";
import { isHostnameFormat } from "./_callback_common.ts";
import {
  checkLookupOptions,
  lookupError,
  type LookupNameServer,
  runLookup,
} from "./_callback_lookup.ts";

/**
 * The callbacks of a name lookup ({@linkcode hostnameToIp},
 * {@linkcode ipToHostname}); Cuberite's `LookupCallbacks`.
 *
 * A lookup calls `onNameResolved` zero or more times, then exactly one of
 * `onFinished` or `onError`, and nothing after that. No callback runs inside
 * the call that starts the lookup.
 */
export interface LookupCallbacks {
  /**
   * A record was found: `hostname` resolves to `ip`. Called once per address
   * of a forward lookup, and once per name of a reverse lookup.
   *
   * @param hostname The host name.
   * @param ip The IP address.
   */
  onNameResolved(hostname: string, ip: string): void;
  /**
   * There are no more records for `query`.
   *
   * @param query The host name or IP address that was looked up.
   */
  onFinished(query: string): void;
  /**
   * The lookup failed.
   *
   * @param query The host name or IP address that was looked up.
   * @param code An errno-style code (`ENOTFOUND`) or an error class name
   * (`NotFound`, `TimeoutError`).
   * @param message What failed, then the details.
   */
  onError(query: string, code: string, message: string): void;
}

/** Options for {@linkcode hostnameToIp} and {@linkcode ipToHostname}. */
export interface LookupOptions {
  /**
   * Ask this DNS server directly (A and AAAA, or PTR) instead of the system
   * resolver. Without it the system resolver answers, so the hosts file is
   * honoured.
   */
  nameServer?: LookupNameServer;
  /** Give up after this many milliseconds and report `onError` (default
   * 5000). */
  timeout?: number;
}

export type { LookupNameServer };

/**
 * Looks up the IP addresses of `host` in the background; Cuberite's
 * `cNetwork:HostnameToIP`. Uses the system resolver (`getaddrinfo`, so
 * `localhost` and hosts-file names resolve) unless `options.nameServer` names
 * a DNS server to query for A and AAAA records. An IP literal resolves to
 * itself.
 *
 * @param host The host name (or IP literal) to resolve.
 * @param callbacks Receive each address, then the end or the error.
 * @param options A DNS server to ask instead, and a timeout.
 * @returns `true` when the lookup was started; `false` when `host` is not
 * shaped like a host name (no callback is called then).
 * @throws {TypeError} When `host` is not a string or a callback is not a
 * function.
 * @throws {RangeError} When a timeout or name server port is out of range.
 *
 * @example Resolve localhost
 * ```ts
 * import { hostnameToIp } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const ips: string[] = [];
 * const done = Promise.withResolvers<void>();
 * const started = hostnameToIp("localhost", {
 *   onNameResolved: (_hostname, ip) => ips.push(ip),
 *   onFinished: () => done.resolve(),
 *   onError: (_query, code, message) => done.reject(new Error(`${code} ${message}`)),
 * });
 * assert.equal(started, true);
 * await done.promise;
 * assert.ok(ips.includes("127.0.0.1") || ips.includes("::1"));
 * ```
 */
export function hostnameToIp(
  host: string,
  callbacks: LookupCallbacks,
  options?: LookupOptions,
): boolean {
  const action = "resolve hostname";
  if (typeof host !== "string") {
    throw new TypeError(
      `Cannot ${action}: host must be a string, got ${typeof host}`,
    );
  }
  const { nameServer, timeout } = checkLookupOptions(
    action,
    callbacks,
    options,
  );
  if (!isHostnameFormat(host)) return false;
  runLookup(host, callbacks, timeout, async (signal) => {
    if (isIP(host) !== 0) return [[host, host]];
    let ips: string[];
    if (nameServer === undefined) {
      ips = await systemLookup(host);
    } else {
      ips = await dnsLookup(host, nameServer, signal);
    }
    return ips.map((ip): [string, string] => [host, ip]);
  });
  return true;
}

function systemLookup(host: string): Promise<string[]> {
  const { promise, resolve, reject } = Promise.withResolvers<string[]>();
  dns.lookup(host, { all: true }, (error, addresses) => {
    if (error) reject(lookupError("resolve", host, error));
    else resolve(addresses.map((entry) => entry.address));
  });
  return promise;
}

async function dnsLookup(
  host: string,
  nameServer: { ipAddr: string; port: number },
  signal: AbortSignal,
): Promise<string[]> {
  const options = { nameServer, signal };
  const [a, aaaa] = await Promise.allSettled([
    Deno.resolveDns(host, "A", options),
    Deno.resolveDns(host, "AAAA", options),
  ]);
  const ips = [
    ...(a.status === "fulfilled" ? a.value : []),
    ...(aaaa.status === "fulfilled" ? aaaa.value : []),
  ];
  if (ips.length > 0) return ips;
  // A failure other than "no such name" (refused, timed out) says more.
  for (const result of [a, aaaa]) {
    if (
      result.status === "rejected" &&
      !(result.reason instanceof Deno.errors.NotFound)
    ) {
      throw lookupError("resolve", host, result.reason);
    }
  }
  const notFound = new Deno.errors.NotFound("no A or AAAA records");
  throw lookupError("resolve", host, notFound);
}
