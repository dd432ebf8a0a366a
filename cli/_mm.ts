// Copyright 2026 the moonwire authors. MIT license.
// `moonwire mm serve|send|listen`: a chat hub that relays every table it
// gets to all its clients, a one-shot sender and a listening client.
import {
  Client,
  ClientConnection,
  EVENT_CONNECTED,
  EVENT_ERROR,
  EVENT_RECEIVE,
  EVENT_SERVER_CLOSE,
  type LuaTable,
  type NetworkEvent,
  NetworkEvents,
  Server,
} from "../mm/mod.ts";
import {
  type CommandInput,
  type CommandSpec,
  type GroupSpec,
  integerArgument,
  JSON_OPTION,
  LISTEN_HOST_OPTION,
  type OptionSpec,
  secondsOption,
  stringOption,
  UsageError,
} from "./_args.ts";
import { jsonText, parseJsonTable } from "./_json.ts";
import type { Output } from "./_output.ts";
import { untilSignal } from "./_signal.ts";

const KEY_OPTION: Record<string, OptionSpec> = {
  key: {
    type: "string",
    value: "HEX",
    description:
      "Cipher key, 32 or 64 hex characters (or set MOONWIRE_MM_KEY, which ps does not show)",
  },
};

const CONNECT_OPTIONS: Record<string, OptionSpec> = {
  ...KEY_OPTION,
  timeout: {
    type: "string",
    value: "SECONDS",
    description: "How long to wait for the connection, 0.25-10",
    default: "2",
  },
  ...JSON_OPTION,
};

function cipherKey(input: CommandInput): string | undefined {
  return stringOption(input, "key") ?? Deno.env.get("MOONWIRE_MM_KEY");
}

/** Builds a Server or Client; bad arguments are usage errors. */
function create<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (
      error instanceof TypeError || error instanceof RangeError ||
      error instanceof SyntaxError
    ) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}

function connectTimeout(input: CommandInput): number {
  const timeout = secondsOption(input, "timeout", 2);
  if (timeout < 0.25 || timeout > 10) {
    throw new UsageError(
      `--timeout must be in 0.25-10 seconds, got ${timeout}`,
    );
  }
  return timeout;
}

/** A connected client, or the reason it is not. */
async function connect(
  input: CommandInput,
  out: Output,
  events: NetworkEvents,
): Promise<Client> {
  const [host, portText] = input.positionals;
  const port = integerArgument("PORT", portText, 1024, 65535);
  const timeout = connectTimeout(input);
  const key = cipherKey(input);
  const client = create(() =>
    new Client(
      host,
      port,
      key === undefined ? { events } : { cipherKey: key, events },
    )
  );
  out.live(`connecting to ${host}:${port}...`);
  const result = await client.waitForConnect(timeout);
  out.done();
  if (!result.ok) {
    await client.disconnect();
    throw new Error(result.error);
  }
  return client;
}

function describe(event: NetworkEvent): string {
  const object = event.object;
  const where = object === null
    ? "-"
    : `${object.getAddress()}:${object.getPort()}`;
  const packet = event.event === EVENT_RECEIVE
    ? ` ${jsonText(event.packet)}`
    : "";
  const errors = event.errors === "" ? "" : ` ${event.errors}`;
  return `${event.event} ${where}${packet}${errors}`;
}

function eventData(event: NetworkEvent): Record<string, unknown> {
  const object = event.object;
  return {
    event: event.event,
    address: object?.getAddress() ?? null,
    port: object?.getPort() ?? null,
    ...(event.event === EVENT_RECEIVE ? { packet: event.packet } : {}),
    ...(event.event === EVENT_CONNECTED ? { result: event.result } : {}),
    errors: event.errors,
  };
}

const serve: CommandSpec = {
  path: "mm serve",
  args: [],
  summary:
    "Run an mm hub: print every event, relay every table a client sends to all clients",
  details: "Runs until SIGINT or SIGTERM.",
  options: {
    ...LISTEN_HOST_OPTION,
    port: {
      type: "string",
      value: "PORT",
      description: "TCP port, 1024-65535, 0 for any free one",
      default: "0",
    },
    ...KEY_OPTION,
    ...JSON_OPTION,
  },
  async run(input, out) {
    const host = stringOption(input, "host", "127.0.0.1");
    const portText = stringOption(input, "port", "0");
    const port = portText === "0"
      ? 0
      : integerArgument("--port", portText, 1024, 65535);
    const key = cipherKey(input);
    const events = new NetworkEvents();
    const server = create(() =>
      new Server(
        host,
        port,
        key === undefined ? { events } : { cipherKey: key, events },
      )
    );
    const relay = (async () => {
      for await (const event of events) {
        let relayed: number | undefined;
        if (
          event.event === EVENT_RECEIVE &&
          event.object instanceof ClientConnection
        ) {
          relayed = server.broadcast(event.packet);
        }
        if (out.json) {
          out.data({
            ...eventData(event),
            ...(relayed === undefined ? {} : { relayed }),
          });
        } else {
          out.line(describe(event));
        }
      }
    })();
    const address = { address: server.getAddress(), port: server.getPort() };
    if (out.json) {
      out.data({ event: "ready", ...address, encrypted: key !== undefined });
    } else {
      out.log(
        `mm serve listening on ${address.address}:${address.port}${
          key === undefined ? "" : " (encrypted)"
        }`,
      );
    }
    const signal = await untilSignal();
    out.log(`${signal}: stopping mm serve`);
    await server.close();
    events.close();
    await relay;
  },
};

const send: CommandSpec = {
  path: "mm send",
  args: ["HOST", "PORT", "JSON"],
  summary:
    "Connect to an mm server, send one table (a JSON object or array) and disconnect",
  options: CONNECT_OPTIONS,
  async run(input, out) {
    const table = parseJsonTable("JSON", input.positionals[2]) as LuaTable;
    using events = new NetworkEvents();
    const client = await connect(input, out, events);
    let accepted: boolean;
    try {
      accepted = create(() => client.send(table));
    } finally {
      // A graceful disconnect delivers the table first.
      await client.disconnect();
    }
    const port = Number(input.positionals[1]);
    const where = `${client.getAddress()}:${port}`;
    if (!accepted) {
      throw new Error(`Cannot send to ${where}: the table was not accepted`);
    }
    // An accepted table is delivered, or the connection reported why not.
    for (const event of events.poll()) {
      if (
        event.event === EVENT_ERROR ||
        (event.event === EVENT_SERVER_CLOSE && event.errors !== "")
      ) {
        throw new Error(`Cannot send to ${where}: ${event.errors}`);
      }
    }
    out.result(
      { sent: true, address: client.getAddress(), port },
      `sent to ${where}`,
    );
  },
};

const listen: CommandSpec = {
  path: "mm listen",
  args: ["HOST", "PORT"],
  summary:
    "Connect to an mm server and print every table it sends, one JSON line each",
  details:
    "Runs until SIGINT or SIGTERM (exit 0) or until the server closes (exit 0 when it closed cleanly, else 1).",
  options: CONNECT_OPTIONS,
  async run(input, out) {
    using events = new NetworkEvents();
    const client = await connect(input, out, events);
    const where = `${client.getAddress()}:${input.positionals[1]}`;
    if (out.json) {
      out.data({
        event: "ready",
        address: client.getAddress(),
        port: Number(input.positionals[1]),
      });
    } else out.log(`mm listen connected to ${where}`);
    const ended = new AbortController();
    const signal = untilSignal(ended.signal).then((name) => {
      if (name !== undefined) out.log(`${name}: stopping mm listen`);
      return 0;
    });
    const closed = (async () => {
      let failure = "";
      for await (const event of events) {
        if (event.event === EVENT_RECEIVE) {
          if (out.json) {
            out.data({ event: EVENT_RECEIVE, packet: event.packet });
          } else out.line(jsonText(event.packet));
        } else if (event.event === EVENT_ERROR) {
          failure = event.errors;
          out.error(`error: ${event.errors}`);
        } else if (event.event === EVENT_SERVER_CLOSE) {
          out.log(
            `server ${where} closed${
              event.errors === "" ? "" : `: ${event.errors}`
            }`,
          );
          return failure === "" && event.errors === "" ? 0 : 1;
        }
      }
      return 0;
    })();
    const code = await Promise.race([signal, closed]);
    ended.abort();
    await client.disconnect();
    events.close();
    await closed;
    return code;
  },
};

export const MM_GROUP: GroupSpec = {
  name: "mm",
  summary: "mm (Macro Monkey) table messaging",
  commands: [serve, send, listen],
};
