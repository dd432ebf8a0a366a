// Copyright 2026 the moonwire authors. MIT license.
/**
 * A polling TCP client (Pragtical `net` style): resolves an address,
 * connects, writes a message, waits until it is drained and reads the echo.
 *
 * Run next to the echo server example:
 *
 * ```sh
 * deno run -A examples/net_echo_server.ts            # prints its port
 * deno run -A examples/net_poll_client.ts 127.0.0.1 <port> "hello"
 * ```
 *
 * Arguments: host (default 127.0.0.1), port (default 7777), message.
 *
 * @module
 */
import { openTcp, resolveAddress } from "@moonwire/moonwire/net";

/**
 * Sends `message` to an echo server and returns what came back.
 *
 * @param host Host name or IP of the echo server.
 * @param port Its TCP port.
 * @param message Text to send.
 * @returns The echoed text.
 */
export async function echoOnce(
  host: string,
  port: number,
  message: string,
): Promise<string> {
  const address = resolveAddress(host);
  if (await address.waitUntilResolved(5000) !== "success") {
    // The error already says "Cannot resolve <host>: <why>".
    throw address.error ??
      new Error(`Cannot resolve ${host}: no answer in 5 s`);
  }
  await using tcp = openTcp(address, port);
  if (await tcp.waitUntilConnected(5000) !== "success") {
    // The error already says "Cannot connect to <ip>:<port>: <why>".
    throw tcp.error ??
      new Error(`Cannot connect to ${host}:${port}: no answer in 5 s`);
  }
  const bytes = new TextEncoder().encode(message);
  let sent = 0;
  while (sent < bytes.length) {
    sent += tcp.write(bytes.subarray(sent));
    if (sent < bytes.length) await tcp.waitUntilDrained(100);
  }
  const pending = await tcp.waitUntilDrained(5000);
  if (pending !== 0) throw new Error(`${pending} bytes still unsent after 5 s`);

  // Poll for the echo, as a Pragtical plugin would from its update loop.
  const received: Uint8Array[] = [];
  let got = 0;
  const deadline = Date.now() + 5000;
  while (got < bytes.length) {
    const chunk = tcp.read(bytes.length - got);
    if (chunk === null) {
      throw new Error(
        `Connection ended after ${got} bytes: ${tcp.error?.message ?? "end"}`,
      );
    }
    if (chunk.length > 0) {
      received.push(chunk);
      got += chunk.length;
    } else if (Date.now() > deadline) {
      throw new Error(`No echo within 5 s (${got} of ${bytes.length} bytes)`);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  const echo = new Uint8Array(got);
  let offset = 0;
  for (const chunk of received) {
    echo.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(echo);
}

if (import.meta.main) {
  const [host = "127.0.0.1", portText = "7777", message = "hello, moonwire"] =
    Deno.args;
  const port = Number(portText);
  try {
    const echo = await echoOnce(host, port, message);
    console.log(`echo: ${echo}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
