// Copyright 2026 the moonwire authors. MIT license.
// Command specs, argument parsing (node:util parseArgs) and help text. A
// UsageError is what the caller got wrong on the command line: exit 2.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Output } from "./_output.ts";
import { UsageError } from "./_usage_error.ts";

export { UsageError };

/** One `--option` of a command. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Placeholder shown in the help, e.g. `DIR`. */
  value?: string;
  description: string;
  /** Shown in the help only; callers apply defaults themselves. */
  default?: string;
}

/** What a command's `run` gets: its positionals and option values. */
export interface CommandInput {
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

/** One subcommand, e.g. `cert new`. */
export interface CommandSpec {
  /** The words after `moonwire`, e.g. `"cert new"`. */
  path: string;
  /** Positional arguments as shown in the usage line, e.g. `["NAME"]`; `?` marks optional ones. */
  args: string[];
  summary: string;
  /** Extra help paragraphs. */
  details?: string;
  options: Record<string, OptionSpec>;
  /** Resolves to the exit code (0 when nothing is returned). */
  run(input: CommandInput, out: Output): Promise<number | void>;
}

/** A group of subcommands, e.g. `cert`. */
export interface GroupSpec {
  name: string;
  summary: string;
  commands: CommandSpec[];
}

export const HELP_OPTION: Record<string, OptionSpec> = {
  help: { type: "boolean", short: "h", description: "Show this help" },
};

export const JSON_OPTION: Record<string, OptionSpec> = {
  json: {
    type: "boolean",
    description: "Print machine-readable JSON on stdout",
  },
};

export const DIR_OPTION: Record<string, OptionSpec> = {
  dir: {
    type: "string",
    value: "DIR",
    description: "Folder of certificates, keys and user tables",
    default: "current directory",
  },
};

/** `--host ADDR` of the commands that listen on TCP. */
export const LISTEN_HOST_OPTION: Record<string, OptionSpec> = {
  host: {
    type: "string",
    value: "ADDR",
    description: "Address to listen on",
    default: "127.0.0.1",
  },
};

/** The values parseArgs gave, or a UsageError with a short reason. */
export function parseCommand(
  spec: CommandSpec,
  args: string[],
): CommandInput & { help: boolean } {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string }
  > = {};
  for (
    const [name, option] of Object.entries({ ...spec.options, ...HELP_OPTION })
  ) {
    options[name] = option.short === undefined
      ? { type: option.type }
      : { type: option.type, short: option.short };
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(parseArgsReason(error));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const help = values.help === true;
  if (!help) {
    const required = spec.args.filter((arg) => !arg.endsWith("?")).length;
    const words = parsed.positionals;
    if (words.length < required) {
      const missing = spec.args[words.length].replace(/\?$/, "");
      throw new UsageError(`Missing argument ${missing}`);
    }
    if (words.length > spec.args.length) {
      throw new UsageError(
        `Unexpected argument ${JSON.stringify(words[spec.args.length])}`,
      );
    }
  }
  return { positionals: parsed.positionals, values, help };
}

// node's messages are long and suggest node syntax; keep the reason only.
function parseArgsReason(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]+)/.exec(message)?.[1] ?? "";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Unknown option ${option}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (message.includes("ambiguous")) {
        return `Option ${option} needs a value (write ${option}=-VALUE for one starting with "-")`;
      }
      return message.includes("does not take")
        ? `Option ${option} takes no value`
        : `Option ${option} needs a value`;
    default:
      return message;
  }
}

/** The help text of one command. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [
    `Usage: moonwire ${spec.path}${
      spec.args.map((arg) =>
        arg.endsWith("?") ? ` [${arg.slice(0, -1)}]` : ` ${arg}`
      )
        .join("")
    } [options]`,
    "",
    spec.summary,
  ];
  if (spec.details !== undefined) lines.push("", spec.details);
  lines.push("", "Options:");
  const rows = Object.entries({ ...spec.options, ...HELP_OPTION }).map(
    ([name, option]) => {
      const flag = `${option.short ? `-${option.short}, ` : "    "}--${name}${
        option.type === "string" ? ` ${option.value ?? "VALUE"}` : ""
      }`;
      const suffix = option.default === undefined
        ? ""
        : ` (default: ${option.default})`;
      return [flag, option.description + suffix];
    },
  );
  const width = Math.max(...rows.map(([flag]) => flag.length));
  for (const [flag, text] of rows) {
    lines.push(`  ${flag.padEnd(width)}  ${text}`);
  }
  return lines.join("\n");
}

/** The help text of a group: its commands with their summaries. */
export function groupHelp(group: GroupSpec): string {
  return [
    `Usage: moonwire ${group.name} <command> [options]`,
    "",
    group.summary,
    "",
    "Commands:",
    table(group.commands.map((command) => [
      `${command.path} ${command.args.join(" ")}`.trimEnd(),
      command.summary,
    ])),
    "",
    `Run 'moonwire ${group.name} <command> --help' for its options.`,
  ].join("\n");
}

/** Two aligned columns, indented. */
export function table(rows: string[][]): string {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
    .join("\n");
}

/** A string option's value, or `fallback`. */
export function stringOption(
  input: CommandInput,
  name: string,
  fallback: string,
): string;
export function stringOption(
  input: CommandInput,
  name: string,
): string | undefined;
export function stringOption(
  input: CommandInput,
  name: string,
  fallback?: string,
): string | undefined {
  const value = input.values[name];
  return typeof value === "string" ? value : fallback;
}

/** An integer option (or positional) in `min`-`max`, else a UsageError. */
export function integerArgument(
  label: string,
  text: string,
  min: number,
  max: number,
): number {
  const value = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${label} must be an integer in ${min}-${max}, got ${
        JSON.stringify(text)
      }`,
    );
  }
  return value;
}

/** A number of seconds (`--timeout`), else a UsageError. */
export function secondsOption(
  input: CommandInput,
  name: string,
  fallback: number,
): number {
  const text = stringOption(input, name);
  if (text === undefined) return fallback;
  const value = /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : NaN;
  if (!(value >= 0 && value <= 86_400)) {
    throw new UsageError(
      `--${name} must be a number of seconds in 0-86400, got ${
        JSON.stringify(text)
      }`,
    );
  }
  return value;
}

/** The `--dir` folder as an absolute path (default: the current directory). */
export function directoryOption(input: CommandInput): string {
  return resolve(Deno.cwd(), stringOption(input, "dir", "."));
}

/** Checks a server or certificate name that becomes a file name. */
export function nameArgument(text: string): string {
  if (
    text === "" || text === "." || text === ".." || /[/\\\0]/.test(text) ||
    new TextEncoder().encode(text).length > 255
  ) {
    throw new UsageError(
      `NAME must be 1-255 bytes without "/", "\\" or NUL and not "." or "..", got ${
        JSON.stringify(text)
      }`,
    );
  }
  return text;
}
