// Copyright 2026 the moonwire authors. MIT license.
// Uses this checkout from a fresh project elsewhere, the way the README's
// "From a local clone" section says: a deno.json with `links` pointing at
// the checkout, imports by the package's own name, `--unstable-net` for UDP.
import assert from "node:assert/strict";

const checkout = new URL("..", import.meta.url).pathname;
const decoder = new TextDecoder();

const PROGRAM = `
import { Client, EVENT_RECEIVE, pollEvents, Server } from "@moonwire/moonwire/mm";
import { CNetNode, CttpRequest, CttpRequestMethod, UdpModem } from "@moonwire/moonwire/cnet";

// mm: one table there and back.
const server = new Server("127.0.0.1", 0);
const client = new Client("127.0.0.1", server.getPort());
const { ok } = await client.waitForConnect();
client.send({ text: "hi" });
let got;
while (got === undefined) {
  for (const event of pollEvents()) {
    if (event.event === EVENT_RECEIVE) got = event.packet;
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
console.log("mm", ok, JSON.stringify(got));
await client.disconnect();
await server.close();

// cnet: a CTTP request between two nodes over UdpModem peer lists.
const a = await UdpModem.create({ hostname: "127.0.0.1", port: 0, peers: [] });
const b = await UdpModem.create({ hostname: "127.0.0.1", port: 0, peers: [] });
a.addPeer("127.0.0.1", b.port);
b.addPeer("127.0.0.1", a.port);
const folders = [await Deno.makeTempDir(), await Deno.makeTempDir()];
await using host = new CNetNode({ directory: folders[0], modems: { top: a } });
await using user = new CNetNode({ directory: folders[1], modems: { top: b } });
await host.host("shop");
host.setRestApi(CttpRequestMethod.GET, "/items", ([id]) => ({ id }));
const { response } = await user.connectAndSendCttpRequest(
  "shop",
  new CttpRequest(CttpRequestMethod.GET, "/items/7"),
);
console.log("cnet", response?.statusCode, JSON.stringify(response?.data));
for (const folder of folders) await Deno.remove(folder, { recursive: true });
`;

Deno.test("a fresh project elsewhere uses this checkout through deno.json links, without warnings", async () => {
  const project = await Deno.makeTempDir({ prefix: "moonwire-outside-" });
  try {
    await Deno.writeTextFile(
      `${project}/deno.json`,
      JSON.stringify({ links: [checkout] }, null, 2),
    );
    await Deno.writeTextFile(`${project}/main.ts`, PROGRAM);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--unstable-net", "main.ts"],
      cwd: project,
      stdin: "null",
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    }).output();
    const stdout = decoder.decode(out.stdout);
    const stderr = decoder.decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    assert.equal(
      stdout,
      'mm true {"text":"hi"}\ncnet 200 {"id":"7"}\n',
    );
    // No "unstable field", "not a dependency" or other warning.
    assert.doesNotMatch(stderr, /warning|error/i, stderr);
  } finally {
    await Deno.remove(project, { recursive: true });
  }
});
