// Copyright 2026 the moonwire authors. MIT license.
// Two CTTP cores (client and server) joined by a lossy pipe, for tests that
// exercise the protocol without CryptoNet underneath.
import { CnetCore } from "../../cnet/_cnet_core.ts";
import type { CtcpTuning } from "../../cnet/_ctcp_engine.ts";
import { connectionState } from "../../cnet/_ctcp_registry.ts";
import type { CttpRequest } from "../../cnet/cttp_request.ts";
import type { CttpResponse } from "../../cnet/cttp_response.ts";
import type { CtcpConnection } from "../../cnet/ctcp_connection.ts";
import { LossyPipe } from "./_cnet_lossy_pipe.ts";

export interface Link {
  name: string;
  peer?: Link;
}

export const FAST: Partial<CtcpTuning> = {
  retransmitTimeout: 20,
  maxRetransmitTimeout: 160,
  maxRetransmits: 30,
  idleTimeout: 10_000,
};

export function corePair(
  options: {
    seed?: number;
    loss?: number;
    duplicate?: number;
    maxDelay?: number;
    tuning?: Partial<CtcpTuning>;
    serverTuning?: Partial<CtcpTuning>;
    maxRequestSize?: number;
    maxPendingRequests?: number;
  } = {},
) {
  const pipe = new LossyPipe({ seed: 1, maxDelay: 3, ...options });
  const client: CnetCore<Link> = new CnetCore<Link>({
    send: (link, packet) =>
      pipe.carry(packet, (value) => server.receive(link.peer!, value)),
    tuning: { ...FAST, ...options.tuning },
    maxPendingRequests: options.maxPendingRequests,
  });
  const server: CnetCore<Link> = new CnetCore<Link>({
    send: (link, packet) =>
      pipe.carry(packet, (value) => client.receive(link.peer!, value)),
    tuning: { ...FAST, ...options.tuning, ...options.serverTuning },
    maxRequestSize: options.maxRequestSize,
  });
  const links = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const a: Link = { name: `client${i}` };
      const b: Link = { name: `server${i}`, peer: a };
      a.peer = b;
      return a;
    });
  const close = () => {
    client.close();
    server.close();
    pipe.close();
  };
  return { pipe, client, server, links, close };
}

export function request(
  connection: CtcpConnection<Link>,
  req: CttpRequest,
  timeout = 5000,
): Promise<{ response: CttpResponse | null; acknowledged: boolean }> {
  return connectionState(connection)!.request(req, timeout) as Promise<{
    response: CttpResponse | null;
    acknowledged: boolean;
  }>;
}

export function disconnect(
  connection: CtcpConnection<Link>,
  timeout = 5000,
): Promise<boolean> {
  return connectionState(connection)!.close(timeout);
}

export async function waitFor(
  condition: () => boolean,
  timeout = 5000,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("Condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
