// Copyright 2026 the moonwire authors. MIT license.
// Two FramedConnections over loopback TCP, for the framed connection tests.
import {
  FramedConnection,
  type FramedConnectionOptions,
} from "../../net/framed_connection.ts";

/** A connected client/server pair; disposing aborts both. */
export interface Pair {
  client: FramedConnection;
  server: FramedConnection;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function pair(
  clientOptions: FramedConnectionOptions = {},
  serverOptions: FramedConnectionOptions = {},
): Promise<Pair> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const accepted = listener.accept();
    const client = await FramedConnection.connect(
      "127.0.0.1",
      listener.addr.port,
      clientOptions,
    );
    const server = new FramedConnection(await accepted, serverOptions);
    return {
      client,
      server,
      async [Symbol.asyncDispose]() {
        client.abort();
        server.abort();
        await Promise.all([client.closed, server.closed]);
      },
    };
  } finally {
    listener.close();
  }
}
