// Copyright 2026 the moonwire authors. MIT license.
// The settings an mm session runs with (its FramedConnection options and
// limits); the session itself is in _session.ts.
import type { FramedConnectionOptions } from "../net/framed_connection.ts";
import type { ResolvedOptions } from "./_options.ts";
import { messageOptions, RECORD_HEADER_SIZE } from "./_record.ts";
import type { ResolvedTableOptions } from "../net/_table_encoder.ts";
import { TAG_SIZE } from "./_record_cipher.ts";

/**
 * How long a local close waits for queued tables to be sent (and a client
 * disconnect for a connection still being made) before giving up.
 */
export const CLOSE_GRACE = 2000;
/** Frame limit for a given message limit: record header + tag. */
export function frameLimit(maxMessageSize: number): number {
  return maxMessageSize + RECORD_HEADER_SIZE + TAG_SIZE;
}

/**
 * Frame limit until the handshake is done: a hello is 5 bytes and Noise
 * NNpsk0 messages under 256, so an unauthenticated peer cannot make us
 * allocate a big frame buffer (the real limit is set once it may be needed).
 */
export const HANDSHAKE_FRAME_LIMIT = 1024;

/** FramedConnection settings for an mm connection. */
export function framedOptions(
  options: ResolvedOptions,
): FramedConnectionOptions {
  const interval = options.heartbeatInterval;
  return {
    maxFrameSize: HANDSHAKE_FRAME_LIMIT,
    keepAlive: interval > 0 ? { interval, maxMissed: 2 } : undefined,
    // Let the peer see our end and finish before the socket closes.
    closeTimeout: 1000,
    // Every record is decrypted or decoded (tables copy their bytes) before
    // the next read, so frames can be views of one reused read buffer.
    borrowFrames: true,
  };
}

// The last table options made: clients with the same message limit (the
// usual case) share one object instead of holding a copy each.
let lastTableOptions: ResolvedTableOptions | undefined;

/** `messageOptions(maxMessageSize)`, shared while the limit is the same. */
export function tableOptions(maxMessageSize: number): ResolvedTableOptions {
  if (lastTableOptions?.maxBytes !== maxMessageSize) {
    lastTableOptions = messageOptions(maxMessageSize);
  }
  return lastTableOptions;
}
