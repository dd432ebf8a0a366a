// Copyright 2026 the moonwire authors. MIT license.
// hostnameToIp / ipToHostname with the nameServer option against a real DNS
// server: dnsmasq on a loopback port answering A, AAAA and PTR records for a
// test name. (Reverse records use 192.0.2.0/24 and 2001:db8::/32, the
// documentation ranges: Deno's resolver answers 127.0.0.0/8 PTR queries
// itself with "localhost" and never asks the server.)
import assert from "node:assert/strict";
import { hostnameToIp } from "../../net/hostname_to_ip.ts";
import { ipToHostname } from "../../net/ip_to_hostname.ts";
import type { LookupCallbacks } from "../../net/hostname_to_ip.ts";
import { ignoreReason } from "../_tools.ts";
import { freePort, type Peer, startPeer } from "./_peer.ts";

const dnsmasqMissing = ignoreReason("dnsmasq");
const IPV6_PTR =
  "2.4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2" +
  ".ip6.arpa";

/**
 * Starts dnsmasq on 127.0.0.1:port; ready once its UDP port is taken (a query
 * before that would wait for the resolver's own timeout).
 */
function startDnsmasq(port: number): Promise<Peer> {
  return startPeer("dnsmasq", [
    "--no-daemon",
    `--port=${port}`,
    "--listen-address=127.0.0.1",
    "--bind-interfaces",
    "--no-resolv",
    "--no-hosts",
    "--conf-file=/dev/null",
    "--address=/moonwire.test/192.0.2.42",
    "--address=/moonwire.test/2001:db8::42",
    "--ptr-record=42.2.0.192.in-addr.arpa,moonwire.test",
    `--ptr-record=${IPV6_PTR},moonwire.test`,
  ], { udpPort: port, timeout: 5_000 });
}

async function lookup(
  start: (query: string, callbacks: LookupCallbacks) => boolean,
  query: string,
): Promise<string[]> {
  const events: string[] = [];
  const done = Promise.withResolvers<void>();
  assert.equal(
    start(query, {
      onNameResolved: (hostname, ip) => events.push(`${hostname} ${ip}`),
      onFinished: (q) => {
        events.push(`finished ${q}`);
        done.resolve();
      },
      onError: (q, code, message) => {
        events.push(`error ${q} ${code}: ${message}`);
        done.resolve();
      },
    }),
    true,
  );
  assert.deepEqual(events, []);
  await done.promise;
  return events;
}

Deno.test({
  name: "hostnameToIp and ipToHostname ask dnsmasq for A, AAAA and PTR records",
  ignore: dnsmasqMissing !== undefined,
  async fn() {
    const port = freePort("udp");
    await using _dnsmasq = await startDnsmasq(port);
    const options = { nameServer: { ipAddr: "127.0.0.1", port } };
    const forward = (query: string, callbacks: LookupCallbacks) =>
      hostnameToIp(query, callbacks, options);
    const reverse = (query: string, callbacks: LookupCallbacks) =>
      ipToHostname(query, callbacks, options);

    assert.deepEqual(await lookup(forward, "moonwire.test"), [
      "moonwire.test 192.0.2.42",
      "moonwire.test 2001:db8::42",
      "finished moonwire.test",
    ]);
    assert.deepEqual(await lookup(forward, "nothere.test"), [
      "error nothere.test NotFound: Cannot resolve nothere.test: no A or AAAA records",
    ]);
    assert.deepEqual(await lookup(forward, "192.0.2.7"), [
      "192.0.2.7 192.0.2.7",
      "finished 192.0.2.7",
    ]);
    assert.deepEqual(await lookup(reverse, "192.0.2.42"), [
      "moonwire.test 192.0.2.42",
      "finished 192.0.2.42",
    ]);
    assert.deepEqual(await lookup(reverse, "2001:db8::42"), [
      "moonwire.test 2001:db8::42",
      "finished 2001:db8::42",
    ]);
    // No PTR record: the numeric address stands in for the name.
    assert.deepEqual(await lookup(reverse, "192.0.2.43"), [
      "192.0.2.43 192.0.2.43",
      "finished 192.0.2.43",
    ]);
  },
});
