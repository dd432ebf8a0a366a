// Copyright 2026 the moonwire authors. MIT license.
// Every UDP entry without --unstable-net, for real: a subprocess runs a tiny
// script under a temporary deno.json that maps the same npm imports as ours
// but enables no unstable API, with our lock file and --frozen.
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);
const FLAG =
  'Deno.listenDatagram needs the --unstable-net flag (or "unstable": ["net"] in deno.json)';

const script = (root: string) => `
import { DatagramEndpoint } from "${root}net/datagram_endpoint.ts";
import { openUdp } from "${root}net/udp.ts";
import { resolveAddress } from "${root}net/address.ts";
import { createUdpEndpoint } from "${root}net/create_udp_endpoint.ts";
import { UdpModem } from "${root}cnet/udp_modem.ts";

function describe(error) {
  return { name: error.name, message: error.message, cause: String(error.cause) };
}
const results = {};
try { DatagramEndpoint.bind(); } catch (error) { results.bind = describe(error); }
const errors = [];
try {
  createUdpEndpoint(0, { onReceivedData() {}, onError: (c, m) => errors.push(c + " " + m) });
} catch (error) { results.createUdpEndpoint = describe(error); }
results.onError = errors;
try { await UdpModem.create({ peers: [] }); } catch (error) { results.udpModem = describe(error); }
console.log(JSON.stringify(results));
openUdp(resolveAddress("127.0.0.1"), 0);
`;

Deno.test("every UDP entry names the missing --unstable-net flag", async () => {
  const config = JSON.parse(
    await Deno.readTextFile(new URL("deno.json", root)),
  );
  const dir = await Deno.makeTempDir({ prefix: "moonwire_unstable_" });
  try {
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({ imports: config.imports }),
    );
    await Deno.writeTextFile(`${dir}/main.js`, script(root.href));
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--frozen",
        `--config=${dir}/deno.json`,
        `--lock=${new URL("deno.lock", root).pathname}`,
        "--allow-all",
        `${dir}/main.js`,
      ],
      cwd: dir,
      env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    const cause = "TypeError: Deno.listenDatagram is not a function";
    assert.deepEqual(JSON.parse(stdout), {
      bind: {
        name: "TypeError",
        message: `Cannot bind datagram endpoint: ${FLAG}`,
        cause,
      },
      createUdpEndpoint: {
        name: "TypeError",
        message: `Cannot bind UDP endpoint: ${FLAG}`,
        cause,
      },
      onError: [],
      udpModem: {
        name: "TypeError",
        message: `Cannot create UDP modem: ${FLAG}`,
        cause,
      },
    });
    assert.equal(
      stderr.split("\n")[0],
      `error: Uncaught (in promise) TypeError: Cannot open UDP socket: ${FLAG}`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
