// Copyright 2026 the moonwire authors. MIT license.
import { CNetNode } from "./cnet_node.ts";

/**
 * Sets up cNet and calls `onStart` with the node when the event loop starts
 * (seed 000); the same as `startEventLoop`: it runs until the node is closed. Uses the default node
 * ({@linkcode CNetNode.default}). Closing the node also closes the modems
 * attached to it, so the program then exits.
 *
 * @param onStart Called when cNet is set up.
 * @returns A promise that resolves when the node is closed.
 *
 * @example Run the program's body
 * ```ts
 * import { setup } from "@moonwire/moonwire/cnet";
 * import assert from "node:assert/strict";
 *
 * const steps: string[] = [];
 * await setup(async (node) => {
 *   steps.push("started");
 *   await node.close(); // ends the event loop
 * });
 * assert.deepEqual(steps, ["started"]);
 * ```
 */
export function setup(
  onStart: (node: CNetNode) => void | Promise<void>,
): Promise<void> {
  return CNetNode.default.setup(onStart);
}
