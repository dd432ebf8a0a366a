// Copyright 2026 the moonwire authors. MIT license.
// Runs cli.ts as a subprocess (`deno run -A` with the project's deno.json),
// the way a user runs `moonwire`, for the CLI tests.

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const SCRIPT = new URL("../../cli.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

/** How a CLI run ended. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of a CLI run. */
export interface CliOptions {
  /** Working directory (default: this process's). */
  cwd?: string;
  /** Text fed to stdin (default: none, stdin is /dev/null). */
  stdin?: string;
}

function command(args: string[], options: CliOptions): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", CONFIG, SCRIPT, ...args],
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  });
}

/** Runs `moonwire ...args` to the end. */
export async function runCli(
  args: string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const child = command(args, options).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(encoder.encode(options.stdin));
    await writer.close();
  }
  const out = await child.output();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** A long-running CLI command; disposing it kills it and reaps it. */
export interface RunningCli extends AsyncDisposable {
  /** Everything on stdout so far. */
  readonly stdout: string;
  /** Everything on stderr so far. */
  readonly stderr: string;
  /**
   * Waits until `stream` matches `pattern` (20 s at most, or until the
   * process ends: then it throws, naming the output); returns the match.
   */
  waitFor(
    stream: "stdout" | "stderr",
    pattern: RegExp,
  ): Promise<RegExpExecArray>;
  /** Sends `signal` and waits for the exit. */
  stop(signal?: Deno.Signal): Promise<CliResult>;
}

/** Starts `moonwire ...args` and reads its output as it comes. */
export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const child = command(args, options).spawn();
  const text = { stdout: "", stderr: "" };
  let wake: (() => void) | undefined;
  const pump = async (name: "stdout" | "stderr") => {
    for await (const chunk of child[name]) {
      text[name] += decoder.decode(chunk);
      wake?.();
    }
  };
  const reading = Promise.all([pump("stdout"), pump("stderr")]);
  let ended = false;
  const status = child.status.then((value) => {
    ended = true;
    wake?.();
    return value;
  });
  const finish = async (): Promise<CliResult> => {
    const { code } = await status;
    await reading;
    return { code, ...text };
  };
  return {
    get stdout() {
      return text.stdout;
    },
    get stderr() {
      return text.stderr;
    },
    async waitFor(stream, pattern) {
      const deadline = performance.now() + 20_000;
      for (;;) {
        const match = pattern.exec(text[stream]);
        if (match !== null) return match;
        if (ended || performance.now() > deadline) {
          throw new Error(
            `No ${pattern} on ${stream}; stdout: ${text.stdout} stderr: ${text.stderr}`,
          );
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 100);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    async stop(signal = "SIGTERM") {
      if (!ended) child.kill(signal);
      return await finish();
    },
    async [Symbol.asyncDispose]() {
      if (!ended) {
        try {
          child.kill("SIGKILL");
        } catch {
          // Exited meanwhile.
        }
      }
      await finish();
    },
  };
}

/** `count` distinct free UDP ports on 127.0.0.1 (bound to 0, then freed). */
export function freeUdpPorts(count: number): number[] {
  const sockets = Array.from(
    { length: count },
    () =>
      Deno.listenDatagram({ hostname: "127.0.0.1", port: 0, transport: "udp" }),
  );
  const ports = sockets.map((socket) => (socket.addr as Deno.NetAddr).port);
  for (const socket of sockets) socket.close();
  return ports;
}
