// Copyright 2026 the moonwire authors. MIT license.
// Runs inside a private network namespace (tests/_netns.ts): a callback UDP
// endpoint sends to 255.255.255.255 before and after enableBroadcasts().
// Prints one JSON line the test asserts on.
import { createUdpEndpoint } from "../../../net/create_udp_endpoint.ts";
import { runIsolated } from "../../_netns_script.ts";

if (import.meta.main) await runIsolated(run);

async function run(): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = { errors: [] };
  const received = Promise.withResolvers<string>();
  const receiver = createUdpEndpoint(0, {
    onReceivedData: (_endpoint, data) =>
      received.resolve(new TextDecoder().decode(data)),
    onError: (code, message) =>
      (result.errors as string[]).push(`receiver ${code}: ${message}`),
  });
  const refused = Promise.withResolvers<void>();
  const sender = createUdpEndpoint(0, {
    onReceivedData: () => {},
    onError: (code, message) => {
      (result.errors as string[]).push(`${code}: ${message}`);
      refused.resolve();
    },
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    result.sentWhileOff = sender.send(
      "early",
      "255.255.255.255",
      receiver.getPort(),
    );
    await refused.promise;
    sender.enableBroadcasts();
    result.sentWhileOn = sender.send(
      "to everyone",
      "255.255.255.255",
      receiver.getPort(),
    );
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve("timeout"), 5000);
    });
    result.received = await Promise.race([received.promise, timeout]);
  } finally {
    clearTimeout(timer);
    receiver.close();
    sender.close();
    await Promise.all([receiver.closed, sender.closed]);
  }
  return result;
}
