// Copyright 2026 the moonwire authors. MIT license.
// The flags of StreamSocket's boolean state, packed in one number field:
// an idle socket holds one field instead of twelve.
export const CHUNK_SIZE_GIVEN = 1;
export const TERMINAL_SENT = 2;
export const CLOSED = 4;
export const FINISHED = 8;
export const PAUSED = 16;
export const PARKED = 32;
export const READING = 64;
export const READ_STOPPED = 128;
export const BORROW = 256;
export const LENT = 512;
export const WRITE_SHUT = 1024;
export const UPGRADING = 2048;
