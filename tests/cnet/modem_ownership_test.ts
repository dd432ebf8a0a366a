// Copyright 2026 the moonwire authors. MIT license.
// Ownership of the modems given to a node: a node closes them in close(),
// so a program whose work is done exits by itself; closeModems: false opts
// out; detach() hands a modem back.
import assert from "node:assert/strict";
import { CNetNode, CryptoNet, MemoryNetwork } from "../../cnet/mod.ts";

async function runProgram(args: string[]) {
  const directory = await Deno.makeTempDir({ prefix: "cnet_ownership_" });
  const script = new URL("./_udp_program.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, directory, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Generous on a loaded machine; a program that never ends is killed.
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    child.kill("SIGKILL");
  }, 30_000);
  try {
    const output = await child.output();
    return {
      killed,
      code: output.code,
      stdout: new TextDecoder().decode(output.stdout),
      stderr: new TextDecoder().decode(output.stderr),
    };
  } finally {
    clearTimeout(timer);
    await Deno.remove(directory, { recursive: true });
  }
}

Deno.test("cnet ownership: a program with two CNetNodes over UdpModems given in the options exits by itself after its work", async () => {
  const result = await runProgram([]);
  assert.equal(result.killed, false, `never exited; stderr: ${result.stderr}`);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "hello over UDP\nclosed: true\n");
});

Deno.test("cnet ownership: with closeModems: false the modems stay open for the program to close", async () => {
  const result = await runProgram(["--keep"]);
  assert.equal(result.killed, false, `never exited; stderr: ${result.stderr}`);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "hello over UDP\nstill open: true\n");
});

Deno.test("cnet ownership: close() closes modems from the options and from attach(), not detached ones", async () => {
  using network = new MemoryNetwork();
  const directory = await Deno.makeTempDir({ prefix: "cnet_ownership_" });
  try {
    const given = network.createModem();
    const attached = network.createModem();
    const detached = network.createModem();
    const node = new CryptoNet.CryptoNetNode({
      directory,
      modems: { top: given },
    });
    node.attach("left", attached);
    node.attach("right", detached);
    assert.equal(node.detach("right"), detached);
    await node.close();
    assert.deepEqual(
      [given.isClosed, attached.isClosed, detached.isClosed],
      [true, true, false],
    );
    const keeper = new CNetNode({
      directory,
      modems: { top: detached },
      closeModems: false,
    });
    await keeper.close();
    assert.equal(detached.isClosed, false);
    detached.close();
    assert.throws(
      () => new CryptoNet.CryptoNetNode({ closeModems: "yes" as never }),
      {
        name: "TypeError",
        message: "Cannot create node: closeModems must be a boolean",
      },
    );
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
