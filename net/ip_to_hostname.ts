// Copyright 2026 the moonwire authors. MIT license.
import dns from "node:dns";
import { isIP } from "node:net";
import {
  checkLookupOptions,
  lookupError,
  reverseName,
  runLookup,
} from "./_callback_lookup.ts";
import type { LookupCallbacks, LookupOptions } from "./hostname_to_ip.ts";

// Resolver answers that mean "this address has no name".
const NO_NAME = new Set(["ENOTFOUND", "EAI_NONAME", "ENODATA", "NotFound"]);

/**
 * Looks up the host name of an IP address in the background; Cuberite's
 * `cNetwork:IPToHostname`. Uses the system resolver (`getnameinfo`, so the
 * hosts file is honoured) unless `options.nameServer` names a DNS server to
 * query for PTR records. When the address has no name, `onNameResolved` is
 * called with the numeric address as the name (`onNameResolved(ip, ip)`),
 * like `getnameinfo` without `NI_NAMEREQD`.
 *
 * @param ip The IPv4 or IPv6 address.
 * @param callbacks Receive each name as `onNameResolved(name, ip)`, then the
 * end or the error.
 * @param options A DNS server to ask instead, and a timeout.
 * @returns `true` when the lookup was started; `false` when `ip` is not an IP
 * address (no callback is called then).
 * @throws {TypeError} When `ip` is not a string or a callback is not a
 * function.
 * @throws {RangeError} When a timeout or name server port is out of range.
 *
 * @example Reverse-resolve the loopback address
 * ```ts
 * import { ipToHostname } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const names: string[] = [];
 * const done = Promise.withResolvers<void>();
 * ipToHostname("127.0.0.1", {
 *   onNameResolved: (hostname) => names.push(hostname),
 *   onFinished: () => done.resolve(),
 *   onError: (_query, code, message) => done.reject(new Error(`${code} ${message}`)),
 * });
 * await done.promise;
 * assert.equal(names.length, 1); // "localhost", or "127.0.0.1" without a name
 * ```
 */
export function ipToHostname(
  ip: string,
  callbacks: LookupCallbacks,
  options?: LookupOptions,
): boolean {
  const action = "resolve address";
  if (typeof ip !== "string") {
    throw new TypeError(
      `Cannot ${action}: ip must be a string, got ${typeof ip}`,
    );
  }
  const { nameServer, timeout } = checkLookupOptions(
    action,
    callbacks,
    options,
  );
  if (isIP(ip) === 0) return false;
  runLookup(ip, callbacks, timeout, async (signal) => {
    let names: string[];
    try {
      names = nameServer === undefined
        ? await systemReverse(ip)
        : await dnsReverse(ip, nameServer, signal);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === "string" && NO_NAME.has(code)) names = [];
      else throw error;
    }
    if (names.length === 0) names = [ip];
    return names.map((name): [string, string] => [name, ip]);
  });
  return true;
}

function systemReverse(ip: string): Promise<string[]> {
  const { promise, resolve, reject } = Promise.withResolvers<string[]>();
  dns.lookupService(ip, 0, (error, hostname) => {
    if (error) reject(lookupError("resolve", ip, error));
    else resolve(hostname ? [hostname] : []);
  });
  return promise;
}

async function dnsReverse(
  ip: string,
  nameServer: { ipAddr: string; port: number },
  signal: AbortSignal,
): Promise<string[]> {
  try {
    const names = await Deno.resolveDns(reverseName(ip), "PTR", {
      nameServer,
      signal,
    });
    return names.map((name) => name.endsWith(".") ? name.slice(0, -1) : name);
  } catch (error) {
    throw lookupError("resolve", ip, error);
  }
}
