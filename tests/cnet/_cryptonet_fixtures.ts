// Copyright 2026 the moonwire authors. MIT license.
// Shared set-up for the CryptoNet tests: temp directories, nodes on one
// MemoryNetwork, event recorders and waiting helpers.
import {
  CryptoNet,
  MemoryNetwork,
  type MemoryNetworkOptions,
  type Modem,
} from "../../cnet/mod.ts";
import { EVENT_TYPES } from "../../cnet/cryptonet/_event_types.ts";

export type Node = CryptoNet.CryptoNetNode;

export interface World extends AsyncDisposable {
  network: MemoryNetwork;
  directory: string;
  /** A node with its own sub-directory and one modem on "top". */
  node(
    name: string,
    options?: CryptoNet.CryptoNetNodeOptions & { modem?: Modem },
  ): Promise<Node>;
}

export async function createWorld(
  options: MemoryNetworkOptions = {},
): Promise<World> {
  const network = new MemoryNetwork(options);
  const directory = await Deno.makeTempDir({ prefix: "cryptonet_test_" });
  const nodes: Node[] = [];
  return {
    network,
    directory,
    async node(name, nodeOptions = {}) {
      const dir = `${directory}/${name}`;
      await Deno.mkdir(dir, { recursive: true });
      const { modem, ...rest } = nodeOptions;
      const node = new CryptoNet.CryptoNetNode({
        directory: dir,
        modems: { top: modem ?? network.createModem() },
        ...rest,
      });
      nodes.push(node);
      return node;
    },
    async [Symbol.asyncDispose]() {
      for (const node of nodes) await node.close();
      network.close();
      await Deno.remove(directory, { recursive: true });
    },
  };
}

/** Records every event of a node, as `type` or `type:detail` strings. */
export function record(node: Node): CryptoNet.CryptoNetEvent[] {
  const events: CryptoNet.CryptoNetEvent[] = [];
  for (const type of EVENT_TYPES) {
    node.on(type, (event) => events.push(event));
  }
  return events;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `predicate()` holds, polling; throws after `timeout` ms. */
export async function until(
  predicate: () => boolean,
  timeout = 5000,
  what = "condition",
): Promise<void> {
  const end = Date.now() + timeout;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Waits until `count()` stops changing for `quiet` ms (or `timeout`). */
export async function settle(
  count: () => number,
  quiet = 300,
  timeout = 10_000,
): Promise<void> {
  const end = Date.now() + timeout;
  let last = -1;
  let since = Date.now();
  while (Date.now() < end) {
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quiet) {
      return;
    }
    await sleep(10);
  }
}
