// Copyright 2026 the moonwire authors. MIT license.
// Argument errors of the callback API throw at once (TypeError/RangeError);
// malformed host strings and bad port values passed to connect() return
// false, as the seed says; none of them calls any callback.
import assert from "node:assert/strict";
import { connect } from "../../net/connect.ts";
import { listen } from "../../net/listen.ts";
import { hostnameToIp } from "../../net/hostname_to_ip.ts";
import { ipToHostname } from "../../net/ip_to_hostname.ts";
import { enumLocalIpAddresses } from "../../net/enum_local_ip_addresses.ts";

const called: string[] = [];
const link = {
  onConnected: () => called.push("connected"),
  onReceivedData: () => called.push("data"),
  onRemoteClosed: () => called.push("closed"),
  onError: () => called.push("error"),
};
const lookup = {
  onNameResolved: () => called.push("resolved"),
  onFinished: () => called.push("finished"),
  onError: () => called.push("lookupError"),
};
const server = {
  onIncomingConnection: () => null,
  onError: () => called.push("listenError"),
};

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

Deno.test("connect() returns false for a bad port value, as the seed says, and calls nothing", async () => {
  called.length = 0;
  for (const port of [0, -1, 65536, 70000, 80.5, NaN, Infinity]) {
    assert.equal(connect("127.0.0.1", port, link), false, `port ${port}`);
  }
  await tick();
  assert.deepEqual(called, []);
});

Deno.test("connect() rejects bad port types and callbacks at once", async () => {
  assert.throws(
    () => connect("127.0.0.1", "80" as unknown as number, link),
    {
      name: "TypeError",
      message: "Cannot connect: port must be a number, got string",
    },
  );
  assert.throws(
    () => connect(42 as unknown as string, 80, link),
    {
      name: "TypeError",
      message: "Cannot connect: host must be a string, got number",
    },
  );
  assert.throws(
    () => connect("127.0.0.1", 80, null as unknown as typeof link),
    {
      name: "TypeError",
      message: "Cannot connect: callbacks must be an object, got null",
    },
  );
  assert.throws(
    () =>
      connect("127.0.0.1", 80, {
        ...link,
        onError: "log" as unknown as () => void,
      }),
    {
      name: "TypeError",
      message:
        "Cannot connect: callbacks.onError must be a function, got string",
    },
  );
  const { onReceivedData: _, ...missing } = link;
  assert.throws(
    () => connect("127.0.0.1", 80, missing as unknown as typeof link),
    {
      name: "TypeError",
      message:
        "Cannot connect: callbacks.onReceivedData must be a function, got undefined",
    },
  );
  assert.throws(
    () =>
      connect("127.0.0.1", 80, {
        ...link,
        onConnected: 1 as unknown as () => void,
      }),
    {
      name: "TypeError",
      message:
        "Cannot connect: callbacks.onConnected must be a function, got number",
    },
  );
  assert.throws(() => connect("127.0.0.1", 80, link, { timeout: 0 }), {
    name: "RangeError",
    message: "Cannot connect: timeout 0 is out of range 1-2147483647",
  });
  await tick();
  assert.deepEqual(called, []);
});

Deno.test("connect() returns false for a malformed host and calls nothing", async () => {
  for (
    const host of ["", "bad host", "a/b", ".", "x".repeat(254), "ex\0mple"]
  ) {
    assert.equal(connect(host, 80, link), false, JSON.stringify(host));
  }
  await tick();
  assert.deepEqual(called, []);
});

Deno.test("listen() rejects bad ports and callbacks at once", async () => {
  assert.throws(() => listen(65536, server), {
    name: "RangeError",
    message: "Cannot listen: port 65536 is out of range 0-65535",
  });
  assert.throws(
    () => listen(0, { onError: () => {} } as unknown as typeof server),
    {
      name: "TypeError",
      message:
        "Cannot listen: callbacks.onIncomingConnection must be a function, got undefined",
    },
  );
  assert.throws(
    () =>
      listen(0, { ...server, onAccepted: [] as unknown as () => void }, {
        hostname: "127.0.0.1",
      }),
    {
      name: "TypeError",
      message:
        "Cannot listen: callbacks.onAccepted must be a function, got array",
    },
  );
  assert.throws(
    () => listen(0, server, { hostname: "127.0.0.1", maxQueuedBytes: 0 }),
    {
      name: "RangeError",
      message: "Cannot listen: maxQueuedBytes 0 is out of range 1-2147483647",
    },
  );
  await tick();
  assert.deepEqual(called, []);
});

Deno.test("lookups reject bad callbacks and options at once, return false for malformed input", async () => {
  assert.throws(
    () =>
      hostnameToIp(
        "localhost",
        { ...lookup, onFinished: undefined } as unknown as typeof lookup,
      ),
    {
      name: "TypeError",
      message:
        "Cannot resolve hostname: callbacks.onFinished must be a function, got undefined",
    },
  );
  assert.throws(() => hostnameToIp(null as unknown as string, lookup), {
    name: "TypeError",
    message: "Cannot resolve hostname: host must be a string, got object",
  });
  assert.throws(
    () =>
      hostnameToIp("localhost", lookup, {
        nameServer: { ipAddr: "127.0.0.1", port: 0 },
      }),
    {
      name: "RangeError",
      message:
        "Cannot resolve hostname: nameServer.port 0 is out of range 1-65535",
    },
  );
  assert.throws(
    () =>
      hostnameToIp("localhost", lookup, {
        nameServer: { ipAddr: "dns.example" },
      }),
    {
      name: "TypeError",
      message:
        'Cannot resolve hostname: nameServer.ipAddr "dns.example" is not an IP address',
    },
  );
  assert.throws(() => hostnameToIp("localhost", lookup, { timeout: -5 }), {
    name: "RangeError",
    message: "Cannot resolve hostname: timeout -5 is out of range 1-2147483647",
  });
  assert.throws(
    () =>
      ipToHostname(
        "127.0.0.1",
        { ...lookup, onNameResolved: 3 } as unknown as typeof lookup,
      ),
    {
      name: "TypeError",
      message:
        "Cannot resolve address: callbacks.onNameResolved must be a function, got number",
    },
  );
  assert.throws(() => ipToHostname(7 as unknown as string, lookup), {
    name: "TypeError",
    message: "Cannot resolve address: ip must be a string, got number",
  });
  assert.equal(hostnameToIp("", lookup), false);
  assert.equal(hostnameToIp("two words", lookup), false);
  assert.equal(ipToHostname("localhost", lookup), false);
  assert.equal(ipToHostname("300.1.1.1", lookup), false);
  assert.equal(ipToHostname("", lookup), false);
  await tick();
  assert.deepEqual(called, []);
});

Deno.test("enumLocalIpAddresses() lists loopback once per address", () => {
  const addresses = enumLocalIpAddresses();
  assert.ok(addresses.includes("127.0.0.1"));
  assert.equal(new Set(addresses).size, addresses.length);
  for (const address of addresses) assert.equal(typeof address, "string");
});
