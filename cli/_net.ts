// Copyright 2026 the moonwire authors. MIT license.
// `moonwire net resolve|echo|get`: a name lookup (callback API), an echo
// server (callback API) and a raw HTTP(S) fetch (polling API).
import {
  hostnameToIp,
  listen,
  openTcp,
  resolveAddress,
  type Tcp,
} from "../net/mod.ts";
import {
  type CommandSpec,
  type GroupSpec,
  integerArgument,
  JSON_OPTION,
  LISTEN_HOST_OPTION,
  secondsOption,
  stringOption,
  UsageError,
} from "./_args.ts";
import { untilSignal } from "./_signal.ts";

const TIMEOUT = {
  type: "string",
  value: "SECONDS",
  description: "How long to wait",
  default: "5",
} as const;

const resolveCommand: CommandSpec = {
  path: "net resolve",
  args: ["NAME"],
  summary:
    "Print the IP addresses of a host name (system resolver, hosts file included)",
  options: { timeout: TIMEOUT, ...JSON_OPTION },
  async run(input, out) {
    const name = input.positionals[0];
    const timeout = secondsOption(input, "timeout", 5);
    const addresses: string[] = [];
    const done = Promise.withResolvers<void>();
    const started = hostnameToIp(name, {
      onNameResolved: (_hostname, ip) => addresses.push(ip),
      onFinished: () => done.resolve(),
      onError: (_query, _code, message) => done.reject(new Error(message)),
    }, { timeout: Math.max(1, Math.round(timeout * 1000)) });
    if (!started) {
      throw new UsageError(`NAME ${JSON.stringify(name)} is not a host name`);
    }
    await done.promise;
    if (out.json) out.data({ name, addresses });
    else for (const address of addresses) out.line(address);
  },
};

const echo: CommandSpec = {
  path: "net echo",
  args: ["PORT"],
  summary: "Run a TCP echo server (callback API); PORT 0 picks a free one",
  details: "Runs until SIGINT or SIGTERM.",
  options: {
    ...LISTEN_HOST_OPTION,
    ...JSON_OPTION,
  },
  async run(input, out) {
    const port = integerArgument("PORT", input.positionals[0], 0, 65535);
    const hostname = stringOption(input, "host", "127.0.0.1");
    const report = (
      event: string,
      ip: string,
      remotePort: number,
      text = "",
    ) => {
      if (out.json) {
        out.data({
          event,
          address: ip,
          port: remotePort,
          ...(text ? { message: text } : {}),
        });
      } else out.log(`${event} ${ip}:${remotePort}${text ? ` ${text}` : ""}`);
    };
    let failure: string | undefined;
    const server = listen(port, {
      onIncomingConnection: () => ({
        onReceivedData: (link, data) => {
          if (!link.send(data)) {
            report(
              "error",
              link.getRemoteIp(),
              link.getRemotePort(),
              `cannot echo ${data.length} bytes: link is closing`,
            );
          }
        },
        onRemoteClosed: (link) => {
          report("closed", link.getRemoteIp(), link.getRemotePort());
          // Everything received was queued for echoing; end our side too.
          link.shutdown();
        },
        onError: (link, code, message) =>
          report(
            "error",
            link.getRemoteIp(),
            link.getRemotePort(),
            `${code} ${message}`,
          ),
      }),
      onAccepted: (link) =>
        report("accepted", link.getRemoteIp(), link.getRemotePort()),
      onError: (_code, message) => failure = message,
    }, { hostname });
    if (!server.isListening()) {
      throw new Error(failure ?? `Cannot listen on ${hostname}:${port}`);
    }
    if (out.json) {
      out.data({ event: "ready", address: hostname, port: server.getPort() });
    } else out.log(`net echo listening on ${hostname}:${server.getPort()}`);
    const signal = await untilSignal();
    out.log(`${signal}: stopping net echo`);
    server.close();
    await server.closed;
  },
};

const decoder = new TextDecoder();

/** Reads `tcp` to the end of stream, handing each chunk to `take`. */
async function readToEnd(
  tcp: Tcp,
  idleSeconds: number,
  take: (chunk: Uint8Array) => void,
): Promise<void> {
  let quietSince = Date.now();
  for (;;) {
    const chunk = tcp.read(65536);
    if (chunk === null) {
      // Without a clean end of stream, the error says what happened.
      if (tcp.error !== null) throw tcp.error;
      return;
    }
    if (chunk.length > 0) {
      take(chunk);
      quietSince = Date.now();
      continue;
    }
    if (Date.now() - quietSince > idleSeconds * 1000) {
      throw new Error(
        `Cannot read response: nothing received for ${idleSeconds} s`,
      );
    }
    // The polling API has no wait for data: poll as Pragtical programs do.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const get: CommandSpec = {
  path: "net get",
  args: ["URL"],
  summary:
    "Fetch an http:// or https:// URL (polling API) and print the raw response, headers included",
  details:
    "HTTPS verifies the server certificate against the system roots; --insecure turns that off.",
  options: {
    timeout: {
      ...TIMEOUT,
      description: "How long to wait to connect, and for each read",
    },
    insecure: {
      type: "boolean",
      description:
        "Do not verify the TLS certificate (still encrypted, not authenticated)",
    },
    ...JSON_OPTION,
  },
  async run(input, out) {
    let url: URL;
    try {
      url = new URL(input.positionals[0]);
    } catch {
      throw new UsageError(
        `URL ${JSON.stringify(input.positionals[0])} is not a URL`,
      );
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UsageError(
        `URL must be http:// or https://, got ${url.protocol}//`,
      );
    }
    const timeout = secondsOption(input, "timeout", 5);
    const tls = url.protocol === "https:";
    const hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = url.port === "" ? (tls ? 443 : 80) : Number(url.port);
    const address = resolveAddress(hostname);
    if (await address.waitUntilResolved(timeout * 1000) !== "success") {
      throw address.error ?? new Error(`Cannot resolve ${hostname}: timed out`);
    }
    out.live(`connecting to ${hostname}:${port}...`);
    await using tcp = openTcp(address, port, {
      tls: tls
        ? {
          serverName: hostname,
          unsafelyDisableVerification: input.values.insecure === true,
        }
        : false,
      timeout: timeout * 1000,
    });
    if (await tcp.waitUntilConnected(-1) !== "success") {
      out.done();
      throw tcp.error ?? new Error(`Cannot connect to ${hostname}:${port}`);
    }
    out.done();
    const request =
      `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
      "User-Agent: moonwire\r\nAccept: */*\r\nConnection: close\r\n\r\n";
    const bytes = new TextEncoder().encode(request);
    let written = 0;
    while (written < bytes.length) {
      written += tcp.write(bytes.subarray(written));
      if (await tcp.waitUntilDrained(timeout * 1000) > 0) {
        throw new Error(
          `Cannot send request to ${hostname}:${port}: not drained within ${timeout} s`,
        );
      }
    }
    const chunks: Uint8Array[] = [];
    await readToEnd(tcp, timeout, (chunk) => {
      if (out.json) chunks.push(chunk.slice());
      else out.bytes(chunk);
    });
    if (out.json) {
      const response = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let offset = 0;
      for (const chunk of chunks) {
        response.set(chunk, offset);
        offset += chunk.length;
      }
      const text = decoder.decode(response);
      const status = /^HTTP\/\S+ ([0-9]{3})/.exec(text);
      out.data({
        url: url.href,
        bytes: response.length,
        status: status === null ? null : Number(status[1]),
        response: text,
      });
    }
  },
};

export const NET_GROUP: GroupSpec = {
  name: "net",
  summary: "net sockets",
  commands: [resolveCommand, echo, get],
};
