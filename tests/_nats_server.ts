// Copyright 2026 the moonwire authors. MIT license.
// Real nats-server processes for the NATS tests: each on 127.0.0.1 and a
// random port (-p -1), clusters with routes on random cluster ports, read
// from the server's log ("Listening for client connections on ...",
// "Server is ready"). Every server is killed and reaped by stop() or
// `await using`, also when a test fails.
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { ignoreReason } from "./_tools.ts";

/** Why NATS tests are ignored here, or `undefined` when nats-server exists. */
export const natsIgnore: string | undefined = ignoreReason("nats-server");

const decoder = new TextDecoder();
const READY_MS = 10_000;

/** One running nats-server. */
export interface NatsServer extends AsyncDisposable {
  readonly name: string;
  readonly pid: number;
  /** Client port. */
  readonly port: number;
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** `nats://127.0.0.1:<cluster port>` when clustered. */
  readonly routeUrl: string | undefined;
  /** The log so far. */
  readonly log: string;
  /** Sends `signal` (SIGSTOP, SIGCONT, SIGKILL ...). */
  kill(signal: Deno.Signal): void;
  /** Kills (SIGKILL works on a stopped process too) and reaps; idempotent. */
  stop(): Promise<void>;
}

/** Options of {@linkcode startNatsServer}. */
export interface NatsServerOptions {
  name?: string;
  /** Listen for routes on a random cluster port. */
  cluster?: boolean;
  /** Route URLs of nodes to join (implies `cluster`). */
  routes?: string[];
  /** Client port (default -1: a random free port). */
  port?: number;
  /** Configuration file text (e.g. `max_payload: 4096`). */
  config?: string;
}

let counter = 0;

/** Starts nats-server and waits for "Server is ready". */
export async function startNatsServer(
  options: NatsServerOptions = {},
): Promise<NatsServer> {
  const name = options.name ?? `moonwire-test-${Deno.pid}-${++counter}`;
  const args = ["-a", "127.0.0.1", "-p", `${options.port ?? -1}`, "-n", name];
  let configFile: string | undefined;
  if (options.config !== undefined) {
    configFile = await Deno.makeTempFile({ suffix: ".conf" });
    await Deno.writeTextFile(configFile, options.config);
    args.push("-c", configFile);
  }
  const clustered = options.cluster || options.routes !== undefined;
  if (clustered) {
    args.push("--cluster_name", "moonwire", "--cluster", "nats://127.0.0.1:-1");
  }
  if (options.routes !== undefined) {
    args.push("--routes", options.routes.join(","));
  }
  const child = new Deno.Command("nats-server", {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  let wake: (() => void) | undefined;
  // Read the log to the end, so the server never blocks on a full pipe.
  const reading = (async () => {
    for await (const chunk of child.stderr) {
      log += decoder.decode(chunk);
      wake?.();
    }
    wake?.();
  })();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    wake?.();
    return s;
  });
  let stopped: Promise<void> | undefined;
  const stop = () =>
    stopped ??= (async () => {
      if (!exited) {
        try {
          child.kill("SIGKILL");
        } catch {
          // Exited meanwhile.
        }
      }
      await status;
      await reading;
      if (configFile !== undefined) await Deno.remove(configFile);
    })();
  try {
    const deadline = Date.now() + READY_MS;
    // The route listener may be logged just after "Server is ready".
    const ready = () =>
      log.includes("Server is ready") &&
      (!clustered || log.includes("Listening for route connections"));
    while (!ready()) {
      if (exited || Date.now() > deadline) {
        throw new Error(`nats-server ${name} did not start: ${log}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const port = Number(
    /Listening for client connections on 127\.0\.0\.1:(\d+)/.exec(log)![1],
  );
  const route = /Listening for route connections on 127\.0\.0\.1:(\d+)/.exec(
    log,
  );
  return {
    name,
    pid: child.pid,
    port,
    url: `nats://127.0.0.1:${port}`,
    routeUrl: route === null ? undefined : `nats://127.0.0.1:${route[1]}`,
    get log() {
      return log;
    },
    kill: (signal) => child.kill(signal),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A cluster of nats-servers routed to each other. */
export interface NatsCluster extends AsyncDisposable {
  readonly servers: NatsServer[];
  readonly urls: string[];
  stop(): Promise<void>;
}

/**
 * Starts `size` routed nodes (the first is the seed the others route to)
 * and waits until a message published on any node reaches a subscriber on
 * every other node.
 */
export async function startNatsCluster(size: number): Promise<NatsCluster> {
  const servers: NatsServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    const seed = await startNatsServer({ cluster: true });
    servers.push(seed);
    const others = await Promise.all(
      Array.from(
        { length: size - 1 },
        () => startNatsServer({ routes: [seed.routeUrl!] }),
      ),
    );
    servers.push(...others);
    await waitForMesh(servers.map((server) => server.url)).catch((error) => {
      const logs = servers.map((server) => `${server.name}:\n${server.log}`);
      throw new Error(`${error.message}\n${logs.join("\n")}`, { cause: error });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    servers,
    urls: servers.map((server) => server.url),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Opens a plain client connection to `url` (the caller closes it). */
export function natsClient(url: string): Promise<NatsConnection> {
  return connect({ servers: url, ignoreClusterUpdates: true });
}

async function waitForMesh(urls: string[]): Promise<void> {
  const clients = await Promise.all(urls.map(natsClient));
  try {
    const heard = clients.map(() => new Set<number>());
    clients.forEach((client, i) =>
      client.subscribe("moonwire.test.mesh", {
        callback: (_error, message) => void heard[i].add(message.data[0]),
      })
    );
    const deadline = Date.now() + READY_MS;
    const meshed = () => heard.every((set) => set.size === clients.length);
    while (!meshed()) {
      if (Date.now() > deadline) throw new Error("NATS cluster did not form");
      clients.forEach((client, i) =>
        client.publish("moonwire.test.mesh", new Uint8Array([i]))
      );
      await Promise.all(clients.map((client) => client.flush()));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}
