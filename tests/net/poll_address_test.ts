// Copyright 2026 the moonwire authors. MIT license.
import assert from "node:assert/strict";
import { Address, resolveAddress } from "../../net/address.ts";
import { getLocalAddresses } from "../../net/get_local_addresses.ts";

Deno.test("resolveAddress resolves IP literals at once", () => {
  const v4 = resolveAddress("127.0.0.1");
  assert.equal(v4.getStatus(), "success");
  assert.equal(v4.getIp(), "127.0.0.1");
  assert.equal(v4.getHostname(), "127.0.0.1");
  assert.equal(v4.error, null);
  const v6 = resolveAddress("::1");
  assert.equal(v6.getStatus(), "success");
  assert.equal(v6.getIp(), "::1");
  assert.equal(`${v6}`, "::1");
});

Deno.test("resolveAddress uses the system resolver (hosts file)", async () => {
  const address = resolveAddress("localhost");
  assert.equal(address.getStatus(), "waiting");
  assert.equal(address.getIp(), null);
  assert.equal(await address.waitUntilResolved(0), "waiting");
  assert.equal(await address.waitUntilResolved(-1), "success");
  assert.equal(address.getStatus(), "success");
  assert.equal(address.getIp(), "127.0.0.1");
  assert.equal(address.getHostname(), "localhost");
  assert.equal(address.toString(), "localhost");
  assert.equal(address.error, null);
  // Already done: any timeout returns at once.
  assert.equal(await address.waitUntilResolved(5000), "success");
});

Deno.test("resolveAddress reports a failed lookup", async () => {
  const address = resolveAddress("no-such-host.invalid");
  assert.equal(await address.waitUntilResolved(10_000), "failure");
  assert.equal(address.getStatus(), "failure");
  assert.equal(address.getIp(), null);
  assert.ok(address.error instanceof Error);
  assert.match(
    address.error.message,
    /^Cannot resolve no-such-host\.invalid: .*ENOTFOUND/,
  );
});

Deno.test("waitUntilResolved with a positive timeout returns the status then", async () => {
  const address = resolveAddress("localhost");
  const status = await address.waitUntilResolved(5000);
  assert.equal(status, "success");
});

Deno.test("Address argument checks", async () => {
  assert.throws(() => resolveAddress(42 as unknown as string), {
    name: "TypeError",
    message: "Cannot resolve address: hostname must be a string, got number",
  });
  assert.throws(() => resolveAddress(""), {
    name: "TypeError",
    message: "Cannot resolve address: hostname is empty",
  });
  assert.throws(() => new Address("x", { ip: "nope" }), {
    name: "TypeError",
    message: "Cannot resolve address: nope is not an IP address",
  });
  const address = resolveAddress("127.0.0.1");
  await assert.rejects(address.waitUntilResolved(-2), {
    name: "RangeError",
    message:
      "Cannot wait for address: timeout must be -1, 0 or a positive integer, got -2",
  });
  await assert.rejects(address.waitUntilResolved(1.5), RangeError);
  await assert.rejects(
    address.waitUntilResolved("1" as unknown as number),
    {
      name: "TypeError",
      message: "Cannot wait for address: timeout must be a number, got string",
    },
  );
});

Deno.test("Address with a known IP does not look up", () => {
  const address = new Address("example.test", { ip: "192.0.2.7" });
  assert.equal(address.getStatus(), "success");
  assert.equal(address.getIp(), "192.0.2.7");
  assert.equal(address.getHostname(), "example.test");
});

Deno.test("getLocalAddresses lists resolved interface addresses", () => {
  const addresses = getLocalAddresses();
  assert.ok(addresses.length >= 1);
  for (const address of addresses) {
    assert.ok(address instanceof Address);
    assert.equal(address.getStatus(), "success");
    assert.equal(address.getIp(), address.getHostname());
  }
  const ips = addresses.map((a) => a.getIp());
  assert.ok(ips.includes("127.0.0.1"));
  assert.equal(new Set(ips).size, ips.length);
  const expected = new Set(
    Deno.networkInterfaces().map((i) => i.address.split("%")[0]),
  );
  assert.deepEqual(new Set(ips), expected);
});
