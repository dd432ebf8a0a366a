// Copyright 2026 the moonwire authors. MIT license.
// IPv4 address parsing and the broadcast addresses DatagramEndpoint.send()
// refuses while broadcast is off.

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The four parts of a dotted IPv4 address, or `null`. */
export function parseIpv4(address: string): number[] | null {
  const match = IPV4.exec(address);
  if (match === null) return null;
  const parts = match.slice(1).map(Number);
  return parts.every((part) => part <= 255) ? parts : null;
}

// Directed broadcast addresses of the local interfaces, read once and only
// when the permission is already granted (never prompt from a send).
let directedBroadcasts: Set<string> | undefined;

/** The limited and the local directed broadcast addresses. */
export function broadcastAddresses(): Set<string> {
  if (directedBroadcasts !== undefined) return directedBroadcasts;
  const found = new Set<string>(["255.255.255.255"]);
  try {
    const status = Deno.permissions.querySync({
      name: "sys",
      kind: "networkInterfaces",
    });
    if (status.state === "granted") {
      for (const nic of Deno.networkInterfaces()) {
        if (nic.family !== "IPv4") continue;
        const address = parseIpv4(nic.address);
        const mask = parseIpv4(nic.netmask);
        if (address === null || mask === null) continue;
        const maskBits = ((mask[0] << 24) | (mask[1] << 16) | (mask[2] << 8) |
          mask[3]) >>> 0;
        // A /31 or /32 has no broadcast address.
        if (maskBits >= 0xffff_fffe) continue;
        found.add(
          address.map((part, i) => (part | (~mask[i] & 255))).join("."),
        );
      }
    }
  } catch {
    // No permission API or no interfaces: only the limited broadcast address.
  }
  directedBroadcasts = found;
  return found;
}
