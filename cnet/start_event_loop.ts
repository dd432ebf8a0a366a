// Copyright 2026 the moonwire authors. MIT license.
import { CNetNode } from "./cnet_node.ts";

/**
 * Starts the cNet event loop and calls `onStart` with the node once it is
 * set up (seed 001). Like the seed's loop it runs until the node is closed;
 * the returned promise resolves then. Uses the default node
 * ({@linkcode CNetNode.default}). Closing the node also closes the modems
 * attached to it, so the program then exits.
 *
 * @param onStart Called when the node is set up.
 * @returns A promise that resolves when the node is closed.
 *
 * @example Run the program's body
 * ```ts
 * import { startEventLoop } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * let started = false;
 * // The loop runs until the node is closed, like the seed's.
 * await startEventLoop(async (node) => {
 *   started = true;
 *   await node.close();
 * });
 * assert.equal(started, true);
 * ```
 */
export function startEventLoop(
  onStart: (node: CNetNode) => void | Promise<void>,
): Promise<void> {
  return CNetNode.default.startEventLoop(onStart);
}
