// Copyright 2026 the moonwire authors. MIT license.
// The hello frame both ends send first: "mmw", the protocol version, and the
// mode (0 plaintext, 1 Noise NNpsk0). Version 2 added the close record; a
// peer of another version is refused by name, never misparsed.
import { HandshakeError } from "../crypto/errors.ts";

/** The mm protocol version this end speaks. */
export const PROTOCOL_VERSION = 2;
const MAGIC = [0x6d, 0x6d, 0x77];

/** The hello frame for this end's mode. */
export function hello(encrypted: boolean): Uint8Array<ArrayBuffer> {
  return Uint8Array.of(...MAGIC, PROTOCOL_VERSION, encrypted ? 1 : 0);
}

/**
 * The peer's mode from its hello (true: encrypted); throws a HandshakeError
 * naming `peer` when the frame is not an mm hello of this version.
 */
export function readHello(frame: Uint8Array, peer: string): boolean {
  const mm = frame.length >= 4 && MAGIC.every((byte, i) => frame[i] === byte);
  if (mm && frame[3] !== PROTOCOL_VERSION) {
    throw new HandshakeError(
      `Cannot complete handshake with ${peer}: peer speaks mm protocol version ${
        frame[3]
      }, this end speaks version ${PROTOCOL_VERSION}`,
    );
  }
  if (!mm || frame.length !== 5 || frame[4] > 1) {
    throw new HandshakeError(
      `Cannot complete handshake with ${peer}: peer is not a moonwire mm endpoint`,
    );
  }
  return frame[4] === 1;
}
