// Copyright 2026 the moonwire authors. MIT license.
// Runs an interop peer (openssl, socat) for a test and always reaps it.

/** A running peer process. */
export interface Peer extends AsyncDisposable {
  /** Everything the peer printed so far (stdout and stderr). */
  output(): string;
  /** Kills the peer and waits until it exited and its pipes are drained. */
  stop(): Promise<void>;
}

/** A free local TCP (or UDP) port on 127.0.0.1, released for the peer to bind. */
export function freePort(transport: "tcp" | "udp" = "tcp"): number {
  if (transport === "udp") {
    const socket = Deno.listenDatagram({
      transport: "udp",
      hostname: "127.0.0.1",
      port: 0,
    });
    const port = (socket.addr as Deno.NetAddr).port;
    socket.close();
    return port;
  }
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  return port;
}

/**
 * Starts `command` and waits until `ready` appears in its output (or, with
 * `tcpPort`, until that port accepts connections).
 */
export async function startPeer(
  command: string,
  args: string[],
  options: {
    ready?: string;
    tcpPort?: number;
    cwd?: string;
    timeout?: number;
  } = {},
): Promise<Peer> {
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) text += decoder.decode(chunk);
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      try {
        child.kill("SIGTERM");
      } catch {
        // Exited already.
      }
    }
    await child.status;
    await drained;
  };
  const deadline = performance.now() + (options.timeout ?? 10_000);
  try {
    while (true) {
      if (options.ready !== undefined && text.includes(options.ready)) break;
      if (options.tcpPort !== undefined) {
        try {
          const probe = await Deno.connect({
            hostname: "127.0.0.1",
            port: options.tcpPort,
          });
          probe.close();
          break;
        } catch {
          // Not listening yet.
        }
      }
      if (options.ready === undefined && options.tcpPort === undefined) break;
      if (performance.now() > deadline) {
        throw new Error(`${command} did not start: ${text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    output: () => text,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
