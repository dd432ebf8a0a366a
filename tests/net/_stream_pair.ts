// Copyright 2026 the moonwire authors. MIT license.
// Two StreamSockets over loopback TCP, for the StreamSocket tests.
import { StreamSocket } from "../../net/stream_socket.ts";

/** A connected pair: client StreamSocket and the accepted server StreamSocket. */
export async function pair(
  options: { maxQueuedBytes?: number; readChunkSize?: number } = {},
): Promise<{ client: StreamSocket; server: StreamSocket }> {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted = listener.accept();
  const client = await StreamSocket.connect(
    "127.0.0.1",
    listener.addr.port,
    options,
  );
  const server = new StreamSocket(await accepted, options);
  return { client, server };
}
