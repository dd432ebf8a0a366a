// Copyright 2026 the moonwire authors. MIT license.
// Child program for the NATS cluster test: one cNet computer on a NatsModem
// attached to the NATS node given. "server": hosts "cluster-door" with user
// ann and GET /echo/<i>, prints "ready", and on a line on stdin prints how
// many requests it answered and whether they came in order, then exits.
// "client": discovers, connects CTCP, logs in as ann and sends 1000 CTTP
// requests (50 at a time), then prints one JSON line with what it saw.
import { CNetNode, CttpRequest } from "../../cnet/mod.ts";
import { NatsModem } from "../../cnet/nats.ts";

const [role, directory, servers, password] = Deno.args;
const REQUESTS = 1000;
const BATCH = 50;

await using node = new CNetNode({
  directory,
  modems: { top: await NatsModem.connect(servers.split(",")) },
});

if (role === "server") {
  const door = await node.host("cluster-door");
  await node.cryptoNet.addUser(door, "ann", password, 2);
  const order: number[] = [];
  node.setRestApi("GET", "/echo", ([i]) => {
    order.push(Number(i));
    return { i: Number(i), body: `plaintext body marker ${i}` };
  });
  console.log("ready");
  for await (const _ of Deno.stdin.readable) break;
  const inOrder = order.every((value, index) => value === index);
  console.log(`answered ${order.length}, in order: ${inOrder}`);
} else {
  const found = await node.cryptoNet.discover({ timeout: 1 });
  const connection = await node.connectCtcp("cluster-door", { timeout: 10 });
  const login = await node.login(connection, "ann", password);
  let answered = 0;
  let matching = 0;
  for (let start = 0; start < REQUESTS; start += BATCH) {
    const results = await Promise.all(
      Array.from({ length: BATCH }, (_, k) =>
        node.sendCttpRequest(
          connection,
          new CttpRequest("GET", `/echo/${start + k}`),
          { timeout: 20 },
        )),
    );
    results.forEach(({ response }, k) => {
      if (response === null) return;
      answered++;
      const data = response.data as { i: number; body: string };
      if (data.i === start + k && response.statusCode === 200) matching++;
    });
  }
  await node.disconnectCtcp(connection);
  console.log(JSON.stringify({
    found: found.map((server) => server.name),
    login,
    answered,
    matching,
  }));
}
