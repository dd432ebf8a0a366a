// Copyright 2026 the moonwire authors. MIT license.
// The medium of the cnet commands (--modem and its options). Each medium is
// one case of createModem; the NATS modem (./cnet/nats) is not part of this
// build yet, so --modem nats is a usage error until its case is added here.
import { isIP } from "node:net";
import { type Modem, UdpModem, type UdpModemPeer } from "../cnet/mod.ts";
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
    description: "Medium: udp (nats once the NATS modem is available)",
    default: "udp",
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

/** Checks the modem options before anything is opened. */
export function modemKind(input: CommandInput): "udp" {
  const kind = stringOption(input, "modem", "udp");
  if (kind === "nats") throw new UsageError("NATS modem not available");
  if (kind !== "udp") {
    throw new UsageError(`Unknown modem ${JSON.stringify(kind)} (use udp)`);
  }
  return kind;
}

/** Opens the modem the options describe. */
export async function createModem(input: CommandInput): Promise<Modem> {
  modemKind(input);
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
