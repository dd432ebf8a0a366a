// Copyright 2026 the moonwire authors. MIT license.
// The medium of the cnet commands (--modem and its options). Each medium is
// one case of createModem: UDP (multicast or a peer list) or NATS (the
// NatsModem of ./cnet/nats, across machines on a NATS server or cluster).
import { isIP } from "node:net";
import { type Modem, UdpModem, type UdpModemPeer } from "../cnet/mod.ts";
import type { NatsModem } from "../cnet/nats.ts";
import {
  type CommandInput,
  integerArgument,
  type OptionSpec,
  stringOption,
  UsageError,
} from "./_args.ts";

export const MODEM_OPTIONS: Record<string, OptionSpec> = {
  modem: {
    type: "string",
    value: "KIND",
    description: "Medium: udp, or nats (NATS subjects, across machines)",
    default: "udp",
  },
  nats: {
    type: "string",
    value: "URL,...",
    description:
      "NATS server URLs for --modem nats (a cluster's nodes announce the others)",
  },
  peers: {
    type: "string",
    value: "HOST:PORT,...",
    description: "UDP peer list (unicast) instead of multicast",
  },
  group: {
    type: "string",
    value: "ADDR",
    description: "UDP multicast group",
    default: "239.255.67.78",
  },
  port: {
    type: "string",
    value: "PORT",
    description:
      "UDP port: the group's port (multicast), this modem's own (peer list)",
    default: "47800 multicast, any free port with --peers",
  },
  bind: {
    type: "string",
    value: "ADDR",
    description: "Local address to bind",
    default: "0.0.0.0 multicast, 127.0.0.1 with --peers",
  },
};

const UDP_ONLY = ["peers", "group", "port", "bind"];

/** Parses `--peers host:port,...` (IPv4 addresses). */
export function parsePeers(text: string): UdpModemPeer[] {
  return text.split(",").filter((entry) => entry !== "").map((entry) => {
    const match = /^([^:]+):([0-9]+)$/.exec(entry);
    if (match === null || isIP(match[1]) !== 4) {
      throw new UsageError(
        `--peers entry ${JSON.stringify(entry)} is not IPV4:PORT`,
      );
    }
    return {
      hostname: match[1],
      port: integerArgument("--peers port", match[2], 1, 65535),
    };
  });
}

/** Parses `--nats url,...`: NATS URLs (`nats://host:port` or `host:port`). */
export function parseNatsServers(text: string): string[] {
  const servers = text.split(",").filter((entry) => entry !== "");
  if (servers.length === 0) {
    throw new UsageError("--nats needs at least one URL");
  }
  for (const server of servers) {
    if (!/^(nats:\/\/)?[^\s/:]+(:[0-9]{1,5})?$/.test(server)) {
      throw new UsageError(
        `--nats entry ${
          JSON.stringify(server)
        } is not a NATS URL (nats://HOST:PORT)`,
      );
    }
  }
  return servers;
}

/** Checks the modem options before anything is opened. */
export function modemKind(input: CommandInput): "udp" | "nats" {
  const kind = stringOption(input, "modem", "udp");
  if (kind !== "udp" && kind !== "nats") {
    throw new UsageError(
      `Unknown modem ${JSON.stringify(kind)} (use udp or nats)`,
    );
  }
  const nats = stringOption(input, "nats");
  if (kind === "udp" && nats !== undefined) {
    throw new UsageError("--nats needs --modem nats");
  }
  if (kind === "nats") {
    if (nats === undefined) {
      throw new UsageError("--modem nats needs --nats URL");
    }
    parseNatsServers(nats);
    for (const name of UDP_ONLY) {
      if (stringOption(input, name) !== undefined) {
        throw new UsageError(`--${name} is for --modem udp`);
      }
    }
  }
  return kind;
}

/** Says where a modem of createModem is attached, for the ready line. */
export function describeModem(modem: Modem): string {
  if (modem instanceof UdpModem) return `udp port ${modem.port}`;
  if ("server" in modem) return `nats ${(modem as NatsModem).server}`;
  return "modem";
}

/** Opens the modem the options describe. */
export async function createModem(input: CommandInput): Promise<Modem> {
  if (modemKind(input) === "nats") {
    // Loaded only here, so `--modem udp` never loads the NATS client.
    const { NatsModem } = await import("../cnet/nats.ts");
    return await NatsModem.connect(
      parseNatsServers(stringOption(input, "nats")!),
    );
  }
  const peersText = stringOption(input, "peers");
  const portText = stringOption(input, "port");
  const group = stringOption(input, "group");
  const bind = stringOption(input, "bind");
  if (peersText !== undefined && group !== undefined) {
    throw new UsageError("--peers and --group cannot be used together");
  }
  if (group !== undefined && isIP(group) !== 4) {
    throw new UsageError(
      `--group ${JSON.stringify(group)} is not an IPv4 address`,
    );
  }
  if (bind !== undefined && isIP(bind) !== 4) {
    throw new UsageError(
      `--bind ${JSON.stringify(bind)} is not an IPv4 address`,
    );
  }
  return await UdpModem.create({
    ...(peersText === undefined ? {} : { peers: parsePeers(peersText) }),
    ...(group === undefined ? {} : { group }),
    ...(portText === undefined
      ? {}
      : { port: integerArgument("--port", portText, 0, 65535) }),
    ...(bind === undefined ? {} : { hostname: bind }),
  });
}
