// Copyright 2026 the moonwire authors. MIT license.
// Passwords come from a prompt (stdin a terminal: no echo, asked twice) or
// from the first line of stdin (scripts), never from the command line.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function promptHidden(question: string): Promise<string> {
  // Echo goes off before the prompt shows: a quick typist's first keys
  // would otherwise be echoed in cooked mode.
  Deno.stdin.setRaw(true);
  Deno.stderr.writeSync(encoder.encode(question));
  const typed: number[] = [];
  const buffer = new Uint8Array(64);
  try {
    for (;;) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      for (const byte of buffer.subarray(0, n)) {
        if (byte === 0x0d || byte === 0x0a) {
          return decoder.decode(new Uint8Array(typed));
        }
        if (byte === 0x03 || byte === 0x04) {
          throw new Error("Cannot read password: cancelled");
        }
        if (byte === 0x7f || byte === 0x08) typed.pop();
        else typed.push(byte);
      }
    }
    return decoder.decode(new Uint8Array(typed));
  } finally {
    Deno.stdin.setRaw(false);
    Deno.stderr.writeSync(encoder.encode("\n"));
  }
}

/**
 * Reads a new password for `username`: prompted twice on a terminal, else
 * the first line of stdin.
 */
export async function readPassword(username: string): Promise<string> {
  let password: string;
  if (Deno.stdin.isTerminal()) {
    password = await promptHidden(`Password for ${username}: `);
    const again = await promptHidden(`Password for ${username} again: `);
    if (again !== password) {
      throw new Error("Cannot read password: the two entries differ");
    }
  } else {
    const text = await new Response(Deno.stdin.readable).text();
    password = text.split(/\r?\n/, 1)[0];
  }
  if (password === "") throw new Error("Cannot read password: it is empty");
  return password;
}
