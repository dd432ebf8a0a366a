// Copyright 2026 the moonwire authors. MIT license.
/**
 * The `moonwire` command line: certificate authorities, certificates and
 * keys, cnet servers and clients, mm hubs and clients, and net tools.
 *
 * ```sh
 * deno run -A jsr:@moonwire/moonwire/cli --help
 * deno install -g -A -n moonwire jsr:@moonwire/moonwire/cli
 * # cnet commands use UDP: add --unstable-net to either line
 * moonwire ca init --dir ca
 * moonwire cert new shop --sign --ca ca --dir shop
 * moonwire mm serve --port 4500
 * ```
 *
 * Commands: `ca init`; `cert new|sign|show`; `key show`; `cnet host`,
 * `cnet users add|del|list|passwd`, `cnet discover`, `cnet get|post|send`;
 * `mm serve|send|listen`; `net resolve|echo|get`. Every command takes
 * `--help`. The cnet commands talk over UDP (`--modem udp`, the default:
 * multicast or `--peers`) or through NATS servers (`--modem nats --nats
 * nats://host:4222,...`, a `NatsModem`), across machines.
 *
 * Results go to stdout (one JSON document per line with `--json`), progress
 * and logs to stderr; a live progress line is drawn only when stderr is a
 * terminal, and `NO_COLOR` turns colour off. Exit status: 0 success, 1
 * failure, 2 usage error (one line on stderr says why). Long-running
 * commands (`cnet host`, `mm serve`, `mm listen`, `net echo`) print where
 * they listen once ready (stderr, or a `ready` JSON line on stdout with
 * `--json`) and stop cleanly on SIGINT or SIGTERM.
 *
 * @module
 */
import {
  commandHelp,
  type CommandSpec,
  groupHelp,
  type GroupSpec,
  parseCommand,
  table,
  UsageError,
} from "./cli/_args.ts";
import { CA_GROUP } from "./cli/_ca.ts";
import { CERT_GROUP } from "./cli/_cert.ts";
import { CNET_GROUP } from "./cli/_cnet.ts";
import { KEY_GROUP } from "./cli/_key.ts";
import { MM_GROUP } from "./cli/_mm.ts";
import { NET_GROUP } from "./cli/_net.ts";
import { Output } from "./cli/_output.ts";

const GROUPS: GroupSpec[] = [
  CA_GROUP,
  CERT_GROUP,
  KEY_GROUP,
  CNET_GROUP,
  MM_GROUP,
  NET_GROUP,
];

const HELP = [
  "Usage: moonwire <group> <command> [options]",
  "",
  "moonwire: Lua networking APIs for Deno, from the command line.",
  "",
  "Groups:",
  table(GROUPS.map((group) => [
    group.name,
    `${group.summary}: ${
      group.commands.map((command) =>
        command.path.split(" ").slice(1).join(" ")
      )
        .join(", ")
    }`,
  ])),
  "",
  "Run 'moonwire <group> --help' or 'moonwire <group> <command> --help'.",
  "Exit status: 0 success, 1 failure, 2 usage error.",
].join("\n");

/** The command whose words (after the group) start `words`. */
function findCommand(
  group: GroupSpec,
  words: string[],
): CommandSpec | undefined {
  return group.commands.find((entry) =>
    entry.path.split(" ").slice(1).every((word, i) => words[i] === word)
  );
}

function isHelp(word: string | undefined): boolean {
  return word === "--help" || word === "-h";
}

/**
 * Runs the command line with `args` (the words after `moonwire`) and
 * resolves to the exit status: 0 success, 1 failure, 2 usage error. Results
 * are written to stdout, logs and the one-line reason of a failure to
 * stderr.
 *
 * @example Help exits with 0, an unknown group with 2
 * ```ts
 * import { main } from "@moonwire/moonwire/cli";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await main(["key", "--help"]), 0);
 * assert.equal(await main(["nope"]), 2);
 * ```
 *
 * @param args The command line arguments, e.g. `["cert", "show", "a.crt"]`.
 * @returns The exit status.
 */
export async function main(args: string[]): Promise<number> {
  const out = new Output(args.includes("--json"));
  let prefix = "moonwire";
  try {
    const [groupName, commandName] = args;
    if (isHelp(groupName)) {
      out.line(HELP);
      return 0;
    }
    if (groupName === undefined) {
      throw new UsageError("Missing command (see moonwire --help)");
    }
    const group = GROUPS.find((entry) => entry.name === groupName);
    if (group === undefined) {
      throw new UsageError(
        `Unknown command ${JSON.stringify(groupName)} (see moonwire --help)`,
      );
    }
    prefix = `moonwire ${group.name}`;
    if (isHelp(commandName)) {
      out.line(groupHelp(group));
      return 0;
    }
    const words = args.slice(1);
    const command = findCommand(group, words);
    if (command === undefined) {
      // `cnet users` alone: name the commands under it.
      const under = group.commands.map((entry) =>
        entry.path.split(" ").slice(1)
      )
        .filter((path) => commandName === undefined || path[0] === commandName);
      const names = (under.length > 0
        ? under
        : group.commands.map((entry) =>
          entry.path.split(" ").slice(1)
        )).map((path) =>
          path.join(" ")
        ).join(", ");
      if (commandName === undefined || under.length > 0) {
        if (under.length > 0 && isHelp(words[1])) {
          out.line(groupHelp(group));
          return 0;
        }
        throw new UsageError(`Missing command: ${names}`);
      }
      throw new UsageError(
        `Unknown command ${JSON.stringify(commandName)}: ${names}`,
      );
    }
    const rest = words.slice(command.path.split(" ").length - 1);
    prefix = `moonwire ${command.path}`;
    const input = parseCommand(command, rest);
    if (input.help) {
      out.line(commandHelp(command));
      return 0;
    }
    return (await command.run(input, out)) ?? 0;
  } catch (error) {
    out.error(`${prefix}: ${error instanceof Error ? error.message : error}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
