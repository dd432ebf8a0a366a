// Copyright 2026 the moonwire authors. MIT license.
/**
 * The echo server of Cuberite's cNetwork documentation, written with
 * moonwire's callback API: listen, give every incoming connection the same
 * link callbacks, echo what arrives, log accepts, closes and errors.
 *
 * ```sh
 * deno run -A examples/net_echo_server.ts [port]   # default 0: any free port
 * ```
 *
 * Prints `listening on 127.0.0.1:<port>` first; stops cleanly on SIGINT or
 * SIGTERM (closing the server and every link).
 *
 * @module
 */
import {
  type LinkCallbacks,
  listen,
  type ListenCallbacks,
  type ServerHandle,
} from "@moonwire/moonwire/net";

/**
 * Starts the echo server on `hostname`:`port`.
 *
 * @param port The TCP port (0 picks a free one).
 * @param hostname The address to bind.
 * @param log Where log lines go.
 * @returns The server handle (check `isListening()`).
 */
export function startEchoServer(
  port: number,
  hostname = "127.0.0.1",
  log: (line: string) => void = console.log,
): ServerHandle {
  // The same callbacks serve every connection.
  const echoLinkCallbacks: LinkCallbacks = {
    onError(link, code, message) {
      log(
        `error talking to ${link.getRemoteIp()}:${link.getRemotePort()}: ${code} (${message})`,
      );
    },
    onReceivedData(link, data) {
      // Send the received data back to the remote peer.
      link.send(data);
    },
    onRemoteClosed(link) {
      log(`connection to ${link.getRemoteIp()}:${link.getRemotePort()} closed`);
    },
  };
  const listenCallbacks: ListenCallbacks = {
    onIncomingConnection(_remoteIp, _remotePort, _localPort) {
      return echoLinkCallbacks;
    },
    onAccepted(link) {
      log(`accepted ${link.getRemoteIp()}:${link.getRemotePort()}`);
    },
    onError(code, message) {
      log(`cannot listen: ${code} (${message})`);
    },
  };
  return listen(port, listenCallbacks, { hostname });
}

if (import.meta.main) {
  const port = Number(Deno.args[0] ?? "0");
  const server = startEchoServer(port);
  if (!server.isListening()) Deno.exit(1); // onError already logged why
  console.log(`listening on 127.0.0.1:${server.getPort()}`);
  const stop = async () => {
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
    server.close();
    await server.closed;
    console.log("stopped");
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}
