// Copyright 2026 the moonwire authors. MIT license.
// Runs inside a private network namespace (tests/_netns.ts): UdpModem.create
// in multicast mode aborted while it joins the group, then created again on
// the same port. Prints one JSON line the test asserts on.
import { UdpModem } from "../../../cnet/mod.ts";

// Never join a group on a real network: refuse to run unless loopback is
// the only interface (a fresh `unshare -n` namespace).
function isolated(): boolean {
  return Deno.networkInterfaces().every((nic) => nic.name === "lo");
}

async function run() {
  const options = { group: "239.255.67.79", port: 47802 };
  const controller = new AbortController();
  const creating = UdpModem.create({ ...options, signal: controller.signal });
  // create() is past its checks and bind, waiting on the join.
  controller.abort(new Error("Stop"));
  const aborted = await creating.then(
    () => ({ name: "created" }),
    (error: DOMException) => ({
      name: error.name,
      message: error.message,
      cause: (error.cause as Error).message,
    }),
  );
  // The aborted attempt left nothing behind: the next one works as usual.
  await using modem = await UdpModem.create({
    ...options,
    signal: new AbortController().signal,
  });
  return { aborted, mode: modem.mode, port: modem.port };
}

if (import.meta.main) {
  if (!isolated()) {
    console.error("refusing to run: not inside a private network namespace");
    Deno.exit(2);
  }
  console.log(JSON.stringify(await run()));
}
