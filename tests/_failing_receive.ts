// Copyright 2026 the moonwire authors. MIT license.
// Makes DatagramEndpoint.receive() fail at once, every time, so the tests of
// each UDP face can check that a repeating receive error neither spins the
// event loop nor goes unreported.
import { DatagramEndpoint } from "../net/datagram_endpoint.ts";

/**
 * Runs `fn` while every `DatagramEndpoint.receive()` rejects with
 * `Error("Receive failed")`; `fn` gets the number of calls so far. After
 * 100 000 calls receive gives `null`, so a loop that spins still ends and
 * the test can report it.
 */
export async function withFailingReceive(
  fn: (calls: () => number) => Promise<void>,
): Promise<void> {
  const receive = DatagramEndpoint.prototype.receive;
  let calls = 0;
  DatagramEndpoint.prototype.receive = function () {
    if (++calls >= 100_000) return Promise.resolve(null);
    return Promise.reject(new Error("Receive failed"));
  };
  try {
    await fn(() => calls);
  } finally {
    DatagramEndpoint.prototype.receive = receive;
  }
}
