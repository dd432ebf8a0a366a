// Copyright 2026 the moonwire authors. MIT license.
// The part of Deno.Conn that StreamSocket uses, so a node:tls socket (the only
// way to skip certificate verification per connection on Deno) can stand in.

/** The byte-stream operations StreamSocket needs from a connection. */
export interface StreamConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  readonly localAddr: Deno.Addr;
  readonly remoteAddr: Deno.Addr;
}
