// Copyright 2026 the moonwire authors. MIT license.
// hostnameToIp / ipToHostname through the system resolver (getaddrinfo and
// getnameinfo, hosts file included) and their event rules. The DNS-server
// path is tested against dnsmasq in tests/interop/callback_dnsmasq_test.ts.
import assert from "node:assert/strict";
import { hostnameToIp } from "../../net/hostname_to_ip.ts";
import { ipToHostname } from "../../net/ip_to_hostname.ts";
import type { LookupCallbacks } from "../../net/hostname_to_ip.ts";

/** Lookup callbacks that log events; `done` resolves at the terminal one. */
function recorder(): {
  callbacks: LookupCallbacks;
  events: string[];
  done: Promise<void>;
} {
  const events: string[] = [];
  const done = Promise.withResolvers<void>();
  return {
    events,
    done: done.promise,
    callbacks: {
      onNameResolved: (hostname, ip) => events.push(`${hostname} ${ip}`),
      onFinished: (query) => {
        events.push(`finished ${query}`);
        done.resolve();
      },
      onError: (query, code, message) => {
        events.push(`error ${query} ${code}: ${message}`);
        done.resolve();
      },
    },
  };
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 50));
}

/** A name from /etc/hosts (other than localhost) and its IPv4 address. */
function hostsFileEntry(): { name: string; ip: string } | undefined {
  let text: string;
  try {
    text = Deno.readTextFileSync("/etc/hosts");
  } catch {
    return undefined;
  }
  for (const line of text.split("\n")) {
    const [ip, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (!ip || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) continue;
    const name = names.find((n) =>
      n !== "localhost" && /^[a-z0-9.-]+$/i.test(n)
    );
    if (name) return { name, ip };
  }
  return undefined;
}

const hostsEntry = hostsFileEntry();

Deno.test("hostnameToIp(localhost) resolves through the system resolver, never synchronously", async () => {
  const lookup = recorder();
  assert.equal(hostnameToIp("localhost", lookup.callbacks), true);
  assert.deepEqual(lookup.events, []);
  await lookup.done;
  const resolved = lookup.events.slice(0, -1);
  assert.ok(resolved.length >= 1);
  for (const event of resolved) {
    assert.match(event, /^localhost (127\.0\.0\.1|::1)$/);
  }
  assert.equal(lookup.events.at(-1), "finished localhost");
  await tick();
  assert.equal(lookup.events.length, resolved.length + 1);
});

Deno.test({
  name: "hostnameToIp resolves a hosts-file name",
  ignore: hostsEntry === undefined,
  fn: async () => {
    const { name, ip } = hostsEntry!;
    const lookup = recorder();
    hostnameToIp(name, lookup.callbacks);
    await lookup.done;
    assert.ok(lookup.events.includes(`${name} ${ip}`), lookup.events.join());
    assert.equal(lookup.events.at(-1), `finished ${name}`);
  },
});

Deno.test("hostnameToIp of an IP literal resolves to itself", async () => {
  for (const ip of ["192.0.2.1", "::1"]) {
    const lookup = recorder();
    assert.equal(hostnameToIp(ip, lookup.callbacks), true);
    assert.deepEqual(lookup.events, []);
    await lookup.done;
    assert.deepEqual(lookup.events, [`${ip} ${ip}`, `finished ${ip}`]);
  }
});

Deno.test("hostnameToIp of an unknown name reports one onError", async () => {
  const lookup = recorder();
  hostnameToIp("no-such-host.invalid", lookup.callbacks);
  await lookup.done;
  await tick();
  assert.equal(lookup.events.length, 1);
  assert.match(
    lookup.events[0],
    /^error no-such-host\.invalid (ENOTFOUND|EAI_AGAIN): Cannot resolve no-such-host\.invalid: /,
  );
});

Deno.test("ipToHostname(127.0.0.1) finds the hosts-file name", async () => {
  const lookup = recorder();
  assert.equal(ipToHostname("127.0.0.1", lookup.callbacks), true);
  assert.deepEqual(lookup.events, []);
  await lookup.done;
  assert.equal(lookup.events.length, 2);
  assert.match(lookup.events[0], /^\S+ 127\.0\.0\.1$/);
  assert.notEqual(lookup.events[0], "127.0.0.1 127.0.0.1");
  assert.equal(lookup.events[1], "finished 127.0.0.1");
});

Deno.test("ipToHostname falls back to the numeric address when there is no name", async () => {
  // 192.0.2.0/24 is TEST-NET-1: no reverse records anywhere.
  const lookup = recorder();
  ipToHostname("192.0.2.77", lookup.callbacks);
  await lookup.done;
  assert.deepEqual(lookup.events, [
    "192.0.2.77 192.0.2.77",
    "finished 192.0.2.77",
  ]);
});

Deno.test("a DNS server that never answers times out with one onError", async () => {
  // A UDP socket that receives queries and never replies.
  const silent = Deno.listenDatagram({
    transport: "udp",
    hostname: "127.0.0.1",
    port: 0,
  });
  const port = (silent.addr as Deno.NetAddr).port;
  try {
    for (const start of [hostnameToIp, ipToHostname]) {
      const query = start === hostnameToIp ? "moonwire.test" : "192.0.2.42";
      const lookup = recorder();
      start(query, lookup.callbacks, {
        nameServer: { ipAddr: "127.0.0.1", port },
        timeout: 300,
      });
      await lookup.done;
      await tick();
      assert.deepEqual(lookup.events, [
        `error ${query} TimeoutError: Cannot look up ${query}: no answer within 300 ms`,
      ]);
    }
  } finally {
    silent.close();
  }
});
