// Copyright 2026 the moonwire authors. MIT license.
// Keeps a session's messages in send order over a modem that reorders. The
// replay window accepts a late packet (within its size) so that fragments
// can arrive in any order; this drops a message older than one already
// delivered, turning reordering into loss (CryptoNet is not reliable, but it
// is ordered). Sound because a message's packets have consecutive counters
// (sends are sealed one message at a time): a packet older than the last
// delivered message's completing packet belongs to an older message.

export class MessageOrder {
  #last = -1n;

  /** Whether a message packet with this counter may still be delivered. */
  accepts(counter: bigint): boolean {
    return counter > this.#last;
  }

  /** Records that the message completed by the packet `counter` was delivered. */
  delivered(counter: bigint): void {
    if (counter > this.#last) this.#last = counter;
  }
}
