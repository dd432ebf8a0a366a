// Copyright 2026 the moonwire authors. MIT license.
// Runs an interop peer (openssl, socat, dnsmasq) for a test and always reaps
// it, together with everything it forked.

/** A running peer process. */
export interface Peer extends AsyncDisposable {
  /** The peer's process id, which is also its process group id. */
  readonly pid: number;
  /** Everything the peer printed so far (stdout and stderr). */
  output(): string;
  /**
   * Kills the peer's whole process group and waits until the peer exited and
   * its pipes are drained; after `stopTimeout` ms, kills the group with
   * SIGKILL and stops reading.
   */
  stop(): Promise<void>;
}

/** How a peer is started and when it counts as ready. */
export interface PeerOptions {
  /** Ready once this text appears in its output. */
  ready?: string;
  /** Ready once this TCP port on 127.0.0.1 accepts connections. */
  tcpPort?: number;
  /** Ready once this UDP port on 127.0.0.1 is bound. */
  udpPort?: number;
  cwd?: string;
  /** How long to wait for readiness, in ms (10 s). */
  timeout?: number;
  /** How long stop() waits for a clean exit before SIGKILL, in ms (5 s). */
  stopTimeout?: number;
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

async function acceptsTcp(port: number): Promise<boolean> {
  try {
    const probe = await Deno.connect({ hostname: "127.0.0.1", port });
    probe.close();
    return true;
  } catch {
    return false;
  }
}

function udpBound(port: number): boolean {
  try {
    Deno.listenDatagram({ transport: "udp", hostname: "127.0.0.1", port })
      .close();
    return false;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return true;
    throw error;
  }
}

/** Sends `signal` to every process in the group `pgid`; false if none is left. */
function killGroup(pgid: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
async function settlesWithin(promise: Promise<unknown>, ms: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts `command` in its own process group and waits until it is ready (see
 * {@linkcode PeerOptions}). Forked children (socat `fork`) join that group, so
 * stop() ends them too instead of waiting on the pipes they hold open.
 */
export async function startPeer(
  command: string,
  args: string[],
  options: PeerOptions = {},
): Promise<Peer> {
  const child = new Deno.Command(command, {
    args,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // A new session: the peer leads its own process group.
    detached: true,
  }).spawn();
  const pid = child.pid;
  let text = "";
  const readers = [child.stdout.getReader(), child.stderr.getReader()];
  const drained = Promise.all(readers.map(async (reader) => {
    const decoder = new TextDecoder();
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      text += decoder.decode(value, { stream: true });
    }
  }));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      killGroup(pid, "SIGTERM");
      const clean = await settlesWithin(
        Promise.all([child.status, drained]),
        options.stopTimeout ?? 5_000,
      );
      if (!clean) {
        // Something ignored SIGTERM or a stray still holds a pipe.
        killGroup(pid, "SIGKILL");
        await Promise.all(readers.map((reader) => reader.cancel()));
        await child.status;
        await drained;
      }
    })();
    return stopping;
  };
  const deadline = performance.now() + (options.timeout ?? 10_000);
  try {
    while (true) {
      if (options.ready !== undefined && text.includes(options.ready)) break;
      if (options.tcpPort !== undefined && await acceptsTcp(options.tcpPort)) {
        break;
      }
      if (options.udpPort !== undefined && udpBound(options.udpPort)) break;
      if (
        options.ready === undefined && options.tcpPort === undefined &&
        options.udpPort === undefined
      ) break;
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
    pid,
    output: () => text,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A running peer and the port it serves on 127.0.0.1. */
export interface PortPeer extends Peer {
  readonly port: number;
}

/**
 * Starts socat listening on a free TCP port of 127.0.0.1 and forking each
 * connection to `target` (default `EXEC:cat`, an echo).
 */
export async function startSocatTcp(target = "EXEC:cat"): Promise<PortPeer> {
  const port = freePort();
  const peer = await startPeer("socat", [
    `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork`,
    target,
  ], { tcpPort: port });
  return { ...peer, port };
}

/** `length` bytes of a fixed non-repeating-looking pattern to echo. */
export function echoData(length: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(length);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
  return data;
}

/**
 * Starts `openssl s_server -rev` (answers each line reversed) on a free port
 * of 127.0.0.1 with the given leaf certificate, plus `extraArgs`.
 */
export async function startTlsServer(
  certs: { certPath: string; keyPath: string },
  extraArgs: string[] = [],
): Promise<PortPeer> {
  const port = freePort();
  const peer = await startPeer("openssl", [
    "s_server",
    "-accept",
    `127.0.0.1:${port}`,
    "-cert",
    certs.certPath,
    "-key",
    certs.keyPath,
    "-rev",
    ...extraArgs,
  ], { ready: "ACCEPT" });
  return { ...peer, port };
}
