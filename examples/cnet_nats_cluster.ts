// Copyright 2026 the moonwire authors. MIT license.
/**
 * cnet across machines on NATS: a named CryptoNet server ("weather") and a
 * client in two processes, each attached to a different node of a two-node
 * NATS cluster. The client discovers the server, connects over CTCP, reads
 * a forecast, logs in and posts a report; the bus carries only handshakes
 * and ciphertext for all of it.
 *
 * Run everything on this machine (starts a two-node `nats-server` cluster
 * on 127.0.0.1 and random ports, then both roles as child processes):
 *
 *     deno run -A examples/cnet_nats_cluster.ts
 *
 * Or run each role yourself against NATS servers you have (one URL each, or
 * several separated by commas), e.g. on two machines:
 *
 *     deno run -A examples/cnet_nats_cluster.ts server --nats nats://a:4222
 *     deno run -A examples/cnet_nats_cluster.ts client --nats nats://b:4222
 *
 * The server runs until SIGINT (Ctrl-C) or SIGTERM, then closes cleanly;
 * the client exits when done. Both keep their certificates and the user
 * table in a temporary directory (`--dir` to choose one).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { CNetNode, CttpRequest, type LuaTable } from "../cnet/mod.ts";
import { NatsModem } from "../cnet/nats.ts";

const PASSWORD = "correct horse battery staple";
const args = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { nats: { type: "string" }, dir: { type: "string" } },
});
const role = args.positionals[0];

if (role === "server") await server(args.values.nats, args.values.dir);
else if (role === "client") await client(args.values.nats, args.values.dir);
else if (role === undefined) await everything();
else {
  console.error(`unknown role ${role}: use server, client or nothing`);
  Deno.exit(2);
}

function natsUrls(value: string | undefined): string[] {
  if (value === undefined) {
    console.error("--nats <url>[,<url>...] is needed");
    Deno.exit(2);
  }
  return value.split(",");
}

/** The named server: hosts "weather" until SIGINT or SIGTERM. */
async function server(nats: string | undefined, dir?: string): Promise<void> {
  const directory = dir ?? await Deno.makeTempDir({ prefix: "weather_" });
  await using node = new CNetNode({
    directory,
    modems: { top: await NatsModem.connect(natsUrls(nats)) },
  });
  const weather = await node.host("weather");
  if (!await node.cryptoNet.userExists(weather, "ann")) {
    await node.cryptoNet.addUser(weather, "ann", PASSWORD);
  }
  const reports: string[] = [];
  node.setRestApi("GET", "/forecast", ([city]) => `${city}: sunny, 21 °C`);
  node.setRestApi("POST", "/reports", (_args, _header, data, connection) => {
    const who = connection.socket.username;
    const denied: LuaTable = { ok: false, error: "log in first" };
    if (who === undefined) return denied;
    reports.push(`${who}: ${data}`);
    console.log(`server: report from ${who}: ${data}`);
    return { ok: true, count: reports.length };
  });
  console.log("server: hosting weather");
  const stop = Promise.withResolvers<void>();
  Deno.addSignalListener("SIGINT", stop.resolve);
  Deno.addSignalListener("SIGTERM", stop.resolve);
  await stop.promise;
  Deno.removeSignalListener("SIGINT", stop.resolve);
  Deno.removeSignalListener("SIGTERM", stop.resolve);
  console.log(`server: stopping after ${reports.length} report(s)`);
  if (dir === undefined) await Deno.remove(directory, { recursive: true });
}

/** The client: discover, connect, GET, log in, POST. */
async function client(nats: string | undefined, dir?: string): Promise<void> {
  const directory = dir ??
    await Deno.makeTempDir({ prefix: "weather_client_" });
  await using node = new CNetNode({
    directory,
    modems: { top: await NatsModem.connect(natsUrls(nats)) },
  });
  const found = await node.cryptoNet.discover({ timeout: 1 });
  console.log(`client: found ${found.map((s) => s.name).join(", ")}`);
  const connection = await node.connectCtcp("weather", { timeout: 10 });
  console.log("client: connected to weather");
  const forecast = await node.sendCttpRequest(
    connection,
    new CttpRequest("GET", "/forecast/oslo"),
  );
  console.log(`client: GET /forecast/oslo -> ${forecast.response?.data}`);
  const post = () =>
    node.sendCttpRequest(
      connection,
      new CttpRequest("POST", "/reports", {}, "light rain"),
    );
  const early = await post();
  console.log(
    `client: POST /reports -> ${JSON.stringify(early.response?.data)}`,
  );
  console.log(
    `client: login as ann: ${await node.login(connection, "ann", PASSWORD)}`,
  );
  const late = await post();
  console.log(
    `client: POST /reports -> ${JSON.stringify(late.response?.data)}`,
  );
  await node.disconnectCtcp(connection);
  if (dir === undefined) await Deno.remove(directory, { recursive: true });
}

/** A nats-server on 127.0.0.1, a random port, in a cluster on another. */
async function natsServer(routes?: string) {
  const args = ["-a", "127.0.0.1", "-p", "-1", "--cluster_name", "example"];
  args.push("--cluster", "nats://127.0.0.1:-1");
  if (routes !== undefined) args.push("--routes", routes);
  const child = new Deno.Command("nats-server", { args, stderr: "piped" })
    .spawn();
  const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  // The route listener is logged just after "Server is ready".
  while (
    !log.includes("Server is ready") ||
    !log.includes("Listening for route connections")
  ) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`nats-server did not start: ${log}`);
    log += value;
  }
  // Keep reading, so the server never blocks on a full pipe.
  const draining = (async () => {
    while (!(await lines.read()).done) { /* discard */ }
  })();
  const port = /client connections on 127\.0\.0\.1:(\d+)/.exec(log)![1];
  const route = /route connections on 127\.0\.0\.1:(\d+)/.exec(log)![1];
  return {
    url: `nats://127.0.0.1:${port}`,
    route: `nats://127.0.0.1:${route}`,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await draining;
    },
  };
}

/** Two NATS nodes, the server on one and the client on the other. */
async function everything(): Promise<void> {
  const first = await natsServer();
  const second = await natsServer(first.route);
  const self = new URL(import.meta.url).pathname;
  const run = (...rest: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", self, ...rest],
      stdin: "null",
      stdout: "piped",
    }).spawn();
  const serverProcess = run("server", "--nats", first.url);
  const serverOut = serverProcess.stdout.pipeThrough(new TextDecoderStream())
    .getReader();
  let serverLog = "";
  try {
    while (!serverLog.includes("server: hosting weather\n")) {
      const { value, done } = await serverOut.read();
      if (done) throw new Error("The server role did not start");
      serverLog += value;
    }
    Deno.stdout.writeSync(new TextEncoder().encode(serverLog));
    const clientRun = await run("client", "--nats", second.url).output();
    Deno.stdout.writeSync(clientRun.stdout);
    serverProcess.kill("SIGTERM");
    let rest = "";
    for (;;) {
      const { value, done } = await serverOut.read();
      if (done) break;
      rest += value;
    }
    Deno.stdout.writeSync(new TextEncoder().encode(rest));
    await serverProcess.status;
    if (!clientRun.success) throw new Error("The client role failed");
  } finally {
    await second.stop();
    await first.stop();
  }
  console.log("done");
}
