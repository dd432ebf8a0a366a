// Copyright 2026 the moonwire authors. MIT license.
// `moonwire cnet host|discover|get|post|send`: a CTTP server over a folder
// and the clients that talk to cnet servers, over the modem of --modem.
import {
  CNetNode,
  type CttpHeader,
  CttpRequest,
  CttpRequestMethod,
  CttpResponse,
  CttpStatus,
  type LuaValue,
  MessageEventType,
  type Modem,
  UdpModem,
} from "../cnet/mod.ts";
import { verifyCertificate } from "../crypto/mod.ts";
import {
  type CommandInput,
  type CommandSpec,
  DIR_OPTION,
  directoryOption,
  type GroupSpec,
  JSON_OPTION,
  nameArgument,
  type OptionSpec,
  secondsOption,
  stringOption,
  UsageError,
} from "./_args.ts";
import { USERS_COMMANDS } from "./_cnet_users.ts";
import { readCaPublicKey } from "./_files.ts";
import { fingerprint } from "./_fingerprint.ts";
import { FolderServer } from "./_folder.ts";
import { jsonText, parseJsonArgument } from "./_json.ts";
import {
  createModem,
  describeModem,
  MODEM_OPTIONS,
  modemKind,
} from "./_modem.ts";
import type { Output } from "./_output.ts";
import { untilSignal } from "./_signal.ts";

/** Largest CTTP request or response (the CNetNode default). */
const MAX_MESSAGE = 65536;
/** Room for the status, header and encoding around a served file. */
const RESPONSE_OVERHEAD = 1024;
const encoder = new TextEncoder();

const TIMEOUT_OPTION: Record<string, OptionSpec> = {
  timeout: {
    type: "string",
    value: "SECONDS",
    description: "How long to wait for the server",
    default: "5",
  },
};

/** The options of the commands that talk to one server. */
const CLIENT_OPTIONS: Record<string, OptionSpec> = {
  ...DIR_OPTION,
  ...TIMEOUT_OPTION,
  ...MODEM_OPTIONS,
  ...JSON_OPTION,
};

const TRUST_DETAILS =
  "The server's certificate must be signed by the CA whose certAuth.key is in --dir; without that file an unsigned certificate is accepted only when exactly one server answers. NAME.crt in --dir, when present, is trusted as is.";

/** A CNetNode in `--dir` on the modem of the options (it owns the modem). */
async function openNode(
  input: CommandInput,
): Promise<{ node: CNetNode; modem: Modem }> {
  modemKind(input);
  const directory = directoryOption(input);
  const modem = await createModem(input);
  return { node: new CNetNode({ directory, modems: { top: modem } }), modem };
}

async function caKeyOf(input: CommandInput) {
  return await readCaPublicKey(`${directoryOption(input)}/certAuth.key`, false);
}

const host: CommandSpec = {
  path: "cnet host",
  args: ["NAME"],
  summary:
    "Host cnet server NAME: a CTTP server serving a folder read-only (GET / lists it), printing the messages it gets",
  details:
    "NAME.crt and NAME_private.key in --dir are used (generated when both are missing). Paths outside the folder (.., symlinks out), hidden names, *_private.key and *_users.tbl are refused (403); POST and DELETE get 403. Files up to " +
    `${MAX_MESSAGE - RESPONSE_OVERHEAD} bytes. Runs until SIGINT or SIGTERM.`,
  options: {
    ...DIR_OPTION,
    serve: {
      type: "string",
      value: "DIR",
      description: "Folder to serve",
      default: "current directory",
    },
    hidden: {
      type: "boolean",
      description: "Never reveal the certificate (clients need NAME.crt)",
    },
    "no-discovery": {
      type: "boolean",
      description: "Do not answer cnet discover",
    },
    ...MODEM_OPTIONS,
    ...JSON_OPTION,
  },
  async run(input, out) {
    const name = nameArgument(input.positionals[0]);
    modemKind(input);
    const servePath = stringOption(input, "serve", ".");
    let root: string;
    try {
      root = await Deno.realPath(servePath);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      throw new Deno.errors.NotFound(
        `Cannot serve ${servePath}: no such folder`,
      );
    }
    if (!(await Deno.stat(root)).isDirectory) {
      throw new Error(`Cannot serve ${servePath}: not a folder`);
    }
    const caKey = await caKeyOf(input);
    const { node, modem } = await openNode(input);
    await using _node = node;
    const server = await node.host(name, {
      discoverable: input.values["no-discovery"] !== true,
      hideCertificate: input.values.hidden === true,
      allowRegistration: false,
    });
    const folder = new FolderServer(root, MAX_MESSAGE - RESPONSE_OVERHEAD);
    const answer = (method: string) =>
    async (
      args: string[],
      _header: CttpHeader,
      _data: LuaValue,
      connection: { socket: { id: string } },
    ): Promise<CttpResponse> => {
      const response = method === "GET"
        ? await folder.get(args)
        : new CttpResponse(CttpStatus.FORBIDDEN, {}, "read-only folder");
      const path = "/" + args.join("/");
      if (out.json) {
        out.data({
          event: "request",
          method,
          path,
          status: response.statusCode,
          socket: connection.socket.id,
        });
      } else {
        out.log(`${method} ${path} ${response.statusCode}`);
      }
      return response;
    };
    for (const method of Object.values(CttpRequestMethod)) {
      node.setRestApi(method, "/", answer(method));
    }
    node.setMessageHandler(MessageEventType.ENCRYPTED_MESSAGE, (event) => {
      out.result(
        { event: "message", socket: event.socket.id, message: event.message },
        typeof event.message === "string"
          ? event.message
          : jsonText(event.message),
      );
    });
    const signed = server.certificate.signature !== undefined;
    // Checked only when the CA's public key is in --dir.
    const valid = caKey === undefined
      ? null
      : verifyCertificate(server.certificate, caKey);
    const print = await fingerprint(server.certificate.publicKey);
    if (out.json) {
      out.data({
        event: "ready",
        name,
        channel: server.channel,
        port: modem instanceof UdpModem ? modem.port : null,
        fingerprint: print,
        signed,
        valid,
        serving: root,
      });
    } else {
      out.log(
        `cnet host ${name} ready on ${
          describeModem(modem)
        }, channel ${server.channel}, certificate ${print} ${
          signed
            ? valid === null
              ? "signed"
              : valid
              ? "signed, valid against certAuth.key"
              : "signed, NOT valid against certAuth.key"
            : "unsigned"
        }, serving ${root}`,
      );
    }
    const signal = await untilSignal();
    out.log(`${signal}: stopping cnet host ${name}`);
  },
};

const discoverCommand: CommandSpec = {
  path: "cnet discover",
  args: [],
  summary: "List the cnet servers that answer discovery",
  details:
    "Certificates are checked against certAuth.key in --dir when it is there.",
  options: {
    ...DIR_OPTION,
    timeout: {
      type: "string",
      value: "SECONDS",
      description: "How long to collect answers",
      default: "1",
    },
    ...MODEM_OPTIONS,
    ...JSON_OPTION,
  },
  async run(input, out) {
    const timeout = secondsOption(input, "timeout", 1);
    const caKey = await caKeyOf(input);
    await using node = (await openNode(input)).node;
    out.live(`discovering for ${timeout} s...`);
    const found = await node.discover({ timeout });
    out.done();
    const servers = await Promise.all(found.map(async (server) => ({
      name: server.name,
      fingerprint: server.certificate === undefined
        ? null
        : await fingerprint(server.certificate.publicKey),
      signed: server.certificate?.signature !== undefined,
      valid: server.certificate === undefined || caKey === undefined
        ? null
        : verifyCertificate(server.certificate, caKey),
    })));
    if (out.json) {
      out.data({ servers });
      return;
    }
    for (const server of servers) {
      out.line(
        `${server.name}  ${server.fingerprint ?? "(certificate hidden)"}  ${
          server.fingerprint === null
            ? ""
            : server.signed
            ? server.valid === null
              ? "signed"
              : server.valid
              ? "signed, valid"
              : "signed, NOT valid"
            : "unsigned"
        }`.trimEnd(),
      );
    }
    if (servers.length === 0) out.log("no servers answered");
  },
};

/** Prints a response; resolves to 0 for 2xx, else 1. */
function printResponse(out: Output, response: CttpResponse): number {
  const ok = response.statusCode >= 200 && response.statusCode < 300;
  if (out.json) {
    out.data({
      status: response.statusCode,
      message: response.statusMessage,
      header: response.header,
      data: response.data,
    });
  } else if (!ok) {
    // A refusal is not a result: its status and reason go to stderr.
    const reason = response.data === null
      ? ""
      : `: ${
        typeof response.data === "string"
          ? response.data
          : jsonText(response.data)
      }`;
    out.error(`${response.statusCode} ${response.statusMessage}${reason}`);
  } else {
    const { data } = response;
    if (typeof data === "string") out.bytes(encoder.encode(data));
    else if (data instanceof Uint8Array) out.bytes(data);
    else if (data !== null && data !== undefined) out.line(jsonText(data));
  }
  return ok ? 0 : 1;
}

async function request(
  input: CommandInput,
  out: Output,
  method: CttpRequestMethod,
  data: LuaValue,
): Promise<number> {
  const [name, path] = input.positionals;
  const timeout = secondsOption(input, "timeout", 5);
  if (!path.startsWith("/")) {
    throw new UsageError(
      `PATH must start with "/", got ${JSON.stringify(path)}`,
    );
  }
  await using node = (await openNode(input)).node;
  out.live(`connecting to ${name}...`);
  const result = await node.connectAndSendCttpRequest(
    name,
    new CttpRequest(method, path, {}, data),
    { timeout },
  );
  out.done();
  if (!result.connected) {
    // connectCtcp's reason already names the server and what failed.
    throw result.error ?? new Error(`Cannot connect to "${name}"`);
  }
  if (result.response === null) {
    throw new Error(
      `Cannot ${method} ${path} from "${name}": no response within ${timeout} s`,
    );
  }
  return printResponse(out, result.response);
}

const get: CommandSpec = {
  path: "cnet get",
  args: ["NAME", "PATH"],
  summary:
    "Send a CTTP GET to server NAME and print the response data (exit 1 unless 2xx)",
  details: TRUST_DETAILS,
  options: CLIENT_OPTIONS,
  run: (input, out) => request(input, out, CttpRequestMethod.GET, null),
};

const post: CommandSpec = {
  path: "cnet post",
  args: ["NAME", "PATH", "JSON"],
  summary:
    "Send a CTTP POST with JSON data to server NAME and print the response data (exit 1 unless 2xx)",
  details: TRUST_DETAILS,
  options: CLIENT_OPTIONS,
  run: (input, out) =>
    request(
      input,
      out,
      CttpRequestMethod.POST,
      parseJsonArgument("JSON", input.positionals[2]) as LuaValue,
    ),
};

const send: CommandSpec = {
  path: "cnet send",
  args: ["NAME", "MESSAGE"],
  summary: "Open an encrypted session with server NAME and send it MESSAGE",
  details:
    `A CryptoNet message is ordered and sent at most once: over UDP it can be lost, and nothing acknowledges it (cnet post is acknowledged). ${TRUST_DETAILS}`,
  options: CLIENT_OPTIONS,
  async run(input, out) {
    const [name, message] = input.positionals;
    const timeout = secondsOption(input, "timeout", 5);
    await using node = (await openNode(input)).node;
    out.live(`connecting to ${name}...`);
    const socket = await node.connect(name, { timeout });
    out.done();
    await node.send(socket, message);
    await socket.close();
    out.result(
      { sent: true, name, verified: socket.certificateVerified },
      `sent to ${name}`,
    );
  },
};

export const CNET_GROUP: GroupSpec = {
  name: "cnet",
  summary:
    "cnet (CryptoNet) servers and clients, over UDP or NATS (--modem nats --nats URL)",
  commands: [host, ...USERS_COMMANDS, discoverCommand, get, post, send],
};
