// Copyright 2026 the moonwire authors. MIT license.
// What moonwire's own layers (mm sessions) reach of a FramedConnection
// beyond its public API; filled in by the class's static block.
import type { FrameReceiver } from "./_frame_read_queue.ts";

export type { FrameReceiver } from "./_frame_read_queue.ts";

/** Internal access to FramedConnection. */
export const framedAccess: {
  /**
   * The next frame now (or `null` at the end), else `undefined`, and
   * `receiver` is called when one arrives; throws the connection's error.
   * Frames are borrowed as with `read()` (valid until the next read). The
   * connection is typed loosely so this file imports nothing of it.
   */
  readInto?: (
    connection: object,
    receiver: FrameReceiver,
  ) => Uint8Array<ArrayBuffer> | null | undefined;
} = {};
