// Copyright 2026 the moonwire authors. MIT license.
/**
 * The machine's own IP addresses (Pragtical `net.get_local_addresses`).
 *
 * @module
 */
import { Address } from "./address.ts";

/**
 * Lists the IP addresses of the local network interfaces (IPv4 and IPv6,
 * loopback included), each as a resolved {@linkcode Address}. Needs the
 * `sys` permission (`networkInterfaces`).
 *
 * @returns One address per distinct IP.
 *
 * @example Loopback is listed
 * ```ts
 * import { getLocalAddresses } from "@moonwire/moonwire/net";
 * import assert from "node:assert/strict";
 *
 * const ips = getLocalAddresses().map((address) => address.getIp());
 * assert.ok(ips.includes("127.0.0.1"));
 * ```
 */
export function getLocalAddresses(): Address[] {
  const seen = new Set<string>();
  const addresses: Address[] = [];
  for (const { address } of Deno.networkInterfaces()) {
    // Link-local IPv6 comes with a zone suffix on some systems.
    const ip = address.split("%")[0];
    if (seen.has(ip)) continue;
    seen.add(ip);
    addresses.push(new Address(ip, { ip }));
  }
  return addresses;
}
