// Copyright 2026 the moonwire authors. MIT license.
// Runs a script from examples/ with `deno run -A` and the project's
// deno.json, the way its header tells a reader to, for the example tests.

const decoder = new TextDecoder();

/** How an example run ended. */
export interface ExampleResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running example; disposing it kills it (SIGKILL) and reaps it. */
export interface RunningExample extends AsyncDisposable {
  child: Deno.ChildProcess;
  /**
   * Waits until stdout contains `text` (or matches it); returns all stdout so
   * far. Throws, naming the output, if the example ends first or after 20 s.
   */
  waitFor(text: string | RegExp): Promise<string>;
  /** Waits for exit; returns code, stdout and stderr. */
  finish(): Promise<ExampleResult>;
}

function command(name: string, args: string[]): Deno.Command {
  const script = new URL(`../examples/${name}`, import.meta.url);
  const config = new URL("../deno.json", import.meta.url);
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", config.pathname, script.pathname, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  });
}

/** Runs `examples/<name>` with `args` to the end. */
export async function runExample(
  name: string,
  args: string[] = [],
): Promise<ExampleResult> {
  const out = await command(name, args).output();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** Starts `examples/<name>` with `args` and reads its output as it comes. */
export function startExample(
  name: string,
  args: string[] = [],
): RunningExample {
  const child = command(name, args).spawn();
  let stdout = "";
  let stderr = "";
  let wake: (() => void) | undefined;
  const reading = (async () => {
    for await (const chunk of child.stdout) {
      stdout += decoder.decode(chunk);
      wake?.();
    }
    wake?.();
  })();
  const readingErr = (async () => {
    for await (const chunk of child.stderr) stderr += decoder.decode(chunk);
  })();
  let ended = false;
  reading.then(() => (ended = true));
  const found = (text: string | RegExp) =>
    typeof text === "string" ? stdout.includes(text) : text.test(stdout);
  const waitFor = async (text: string | RegExp) => {
    const deadline = performance.now() + 20_000;
    while (!found(text)) {
      if (ended || performance.now() > deadline) {
        throw new Error(`no "${text}" in output: ${stdout} ${stderr}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return stdout;
  };
  const finish = async () => {
    const status = await child.status;
    await Promise.all([reading, readingErr]);
    return { code: status.code, stdout, stderr };
  };
  return {
    child,
    waitFor,
    finish,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch {
        // Exited already.
      }
      await finish();
    },
  };
}
