// Copyright 2026 the moonwire authors. MIT license.
// Where a command's words go: results on stdout (lines, or JSON with
// --json), progress and logs on stderr. The live line (overwritten in place)
// is drawn only when stderr is a terminal; colour only there too, and never
// with NO_COLOR set.
import { jsonText } from "./_json.ts";

const encoder = new TextEncoder();

function writeAll(
  stream: { writeSync(p: Uint8Array): number },
  bytes: Uint8Array,
) {
  // Synchronous, so every line is out before the process exits.
  let offset = 0;
  while (offset < bytes.length) {
    offset += stream.writeSync(bytes.subarray(offset));
  }
}

/** The output of one command run. */
export class Output {
  /** Whether results are JSON (`--json`). */
  readonly json: boolean;
  readonly #terminal = Deno.stderr.isTerminal();
  readonly #color = this.#terminal && !Deno.env.get("NO_COLOR");
  #live = false;

  constructor(json: boolean) {
    this.json = json;
  }

  /** One result line on stdout. */
  line(text: string): void {
    writeAll(Deno.stdout, encoder.encode(text + "\n"));
  }

  /** Raw result bytes on stdout. */
  bytes(bytes: Uint8Array): void {
    writeAll(Deno.stdout, bytes);
  }

  /** One JSON document on stdout (one line, so streams of them parse). */
  data(value: unknown): void {
    this.line(jsonText(value));
  }

  /** `value` as JSON with --json, else `text`. */
  result(value: unknown, text: string): void {
    if (this.json) this.data(value);
    else this.line(text);
  }

  /** A log line on stderr. */
  log(text: string): void {
    this.#clearLive();
    writeAll(Deno.stderr, encoder.encode(text + "\n"));
  }

  /** A failure line on stderr (red on a terminal). */
  error(text: string): void {
    this.log(this.#color ? `\x1b[31m${text}\x1b[39m` : text);
  }

  /** A progress line drawn in place on a terminal; nothing otherwise. */
  live(text: string): void {
    if (!this.#terminal) return;
    const shown = this.#color ? `\x1b[2m${text}\x1b[22m` : text;
    writeAll(Deno.stderr, encoder.encode(`\r\x1b[K${shown}`));
    this.#live = true;
  }

  /** Removes the live line, if any. */
  done(): void {
    this.#clearLive();
  }

  #clearLive(): void {
    if (!this.#live) return;
    writeAll(Deno.stderr, encoder.encode("\r\x1b[K"));
    this.#live = false;
  }
}
