// Copyright 2026 the moonwire authors. MIT license.
// Runs inside a private network namespace (tests/_netns.ts): joins a
// multicast group, sends to it, then tries broadcast with it off and on.
// Prints one JSON line the test asserts on.
import { DatagramEndpoint } from "../../../net/datagram_endpoint.ts";
import { runIsolated } from "../../_netns_script.ts";

const GROUP = "239.255.42.99";

if (import.meta.main) await runIsolated(run);

function withTimeout<T>(promise: Promise<T>, label: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timeout: ${label}`)), 5000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function run(): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  const receiver = DatagramEndpoint.bind({ hostname: "0.0.0.0", port: 0 });
  const sender = DatagramEndpoint.bind({ hostname: "0.0.0.0", loopback: true });
  try {
    await receiver.joinMulticast(GROUP);
    await sender.send(
      new TextEncoder().encode("to the group"),
      GROUP,
      receiver.port,
    );
    const got = await withTimeout(receiver.receive(), "multicast");
    result.multicast = new TextDecoder().decode(got!.data);
    result.multicastFromSender = got!.port === sender.port;

    try {
      await sender.send(new Uint8Array([1]), "255.255.255.255", receiver.port);
      result.broadcastOff = "sent";
    } catch (error) {
      result.broadcastOff = (error as Error).message;
    }
    sender.setBroadcast(true);
    await sender.send(
      new TextEncoder().encode("to everyone"),
      "255.255.255.255",
      receiver.port,
    );
    const broadcast = await withTimeout(receiver.receive(), "broadcast");
    result.broadcastOn = new TextDecoder().decode(broadcast!.data);

    await receiver.leaveMulticast(GROUP);
    result.left = true;
  } catch (error) {
    result.error = String(error);
  } finally {
    receiver.close();
    sender.close();
  }
  return result;
}
