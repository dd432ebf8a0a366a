// Copyright 2026 the moonwire authors. MIT license.
// Every command's --help exits 0 with its usage line on stdout; every usage
// error exits 2 with exactly one line on stderr saying why.
import assert from "node:assert/strict";
import { runCli } from "./_run_cli.ts";

const COMMANDS = [
  "ca init",
  "cert new",
  "cert sign",
  "cert show",
  "key show",
  "cnet host",
  "cnet users add",
  "cnet users del",
  "cnet users list",
  "cnet users passwd",
  "cnet discover",
  "cnet get",
  "cnet post",
  "cnet send",
  "mm serve",
  "mm send",
  "mm listen",
  "net resolve",
  "net echo",
  "net get",
];

/** Runs `jobs` with at most `limit` at a time (the machine is shared). */
async function pooled<T>(jobs: (() => Promise<T>)[], limit = 4): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await jobs[index]();
    }
  }));
  return results;
}

Deno.test("cli: --help exits 0 everywhere with the usage on stdout", async () => {
  const runs: [string[], RegExp][] = [
    [["--help"], /^Usage: moonwire <group> <command> \[options\]\n/],
    [["-h"], /^Usage: moonwire <group> <command>/],
    ...["ca", "cert", "key", "cnet", "mm", "net"].map((
      group,
    ): [string[], RegExp] => [
      [group, "--help"],
      new RegExp(`^Usage: moonwire ${group} <command> \\[options\\]\\n`),
    ]),
    [["cnet", "users", "--help"], /^Usage: moonwire cnet <command>/],
    ...COMMANDS.map((path): [string[], RegExp] => [
      [...path.split(" "), "--help"],
      new RegExp(`^Usage: moonwire ${path}( [A-Z]+)* \\[options\\]\\n`),
    ]),
  ];
  const results = await pooled(runs.map(([args]) => () => runCli(args)));
  results.forEach((result, i) => {
    const [args, usage] = runs[i];
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stdout, usage, args.join(" "));
    if (i >= runs.length - COMMANDS.length) {
      assert.match(result.stdout, / {2}-h, --help +Show this help\n/);
    }
    assert.equal(result.stderr, "", args.join(" "));
  });
});

Deno.test("cli: each usage error exits 2 with one line on stderr", async () => {
  const cases: [string[], string][] = [
    [[], "moonwire: Missing command (see moonwire --help)"],
    [["nope"], 'moonwire: Unknown command "nope" (see moonwire --help)'],
    [["cert"], "moonwire cert: Missing command: new, sign, show"],
    [["cert", "old"], 'moonwire cert: Unknown command "old": new, sign, show'],
    [
      ["cnet", "users"],
      "moonwire cnet: Missing command: users add, users del, users list, users passwd",
    ],
    [["cert", "new"], "moonwire cert new: Missing argument NAME"],
    [["cert", "new", "a", "b"], 'moonwire cert new: Unexpected argument "b"'],
    [
      ["cert", "new", "a", "--bogus"],
      "moonwire cert new: Unknown option --bogus",
    ],
    [
      ["cert", "new", "a", "--dir"],
      "moonwire cert new: Option --dir needs a value",
    ],
    [
      ["cert", "new", "a", "--sign=yes"],
      "moonwire cert new: Option --sign takes no value",
    ],
    [
      ["cert", "new", "../x"],
      'moonwire cert new: NAME must be 1-255 bytes without "/", "\\" or NUL and not "." or "..", got "../x"',
    ],
    [["key", "show"], "moonwire key show: Missing argument FILE"],
    [
      ["cnet", "get", "shop", "/", "--modem", "nats"],
      "moonwire cnet get: --modem nats needs --nats URL",
    ],
    [
      ["cnet", "discover", "--nats", "nats://127.0.0.1:4222"],
      "moonwire cnet discover: --nats needs --modem nats",
    ],
    [
      ["cnet", "discover", "--modem", "nats", "--nats", "http://x/y"],
      'moonwire cnet discover: --nats entry "http://x/y" is not a NATS URL (nats://HOST:PORT)',
    ],
    [
      [
        "cnet",
        "discover",
        "--modem",
        "nats",
        "--nats",
        "127.0.0.1:4222",
        "--peers",
        "127.0.0.1:1",
      ],
      "moonwire cnet discover: --peers is for --modem udp",
    ],
    [
      ["cnet", "discover", "--modem", "carrier-pigeon"],
      'moonwire cnet discover: Unknown modem "carrier-pigeon" (use udp or nats)',
    ],
    [
      ["cnet", "discover", "--peers", "localhost:1"],
      'moonwire cnet discover: --peers entry "localhost:1" is not IPV4:PORT',
    ],
    [
      ["cnet", "discover", "--peers", "127.0.0.1:70000"],
      'moonwire cnet discover: --peers port must be an integer in 1-65535, got "70000"',
    ],
    [
      ["cnet", "discover", "--port", "-1"],
      'moonwire cnet discover: Option --port needs a value (write --port=-VALUE for one starting with "-")',
    ],
    [
      ["cnet", "discover", "--port", "x"],
      'moonwire cnet discover: --port must be an integer in 0-65535, got "x"',
    ],
    [
      ["cnet", "discover", "--timeout", "soon"],
      'moonwire cnet discover: --timeout must be a number of seconds in 0-86400, got "soon"',
    ],
    [
      ["cnet", "get", "shop", "hello.txt", "--peers", "127.0.0.1:9"],
      'moonwire cnet get: PATH must start with "/", got "hello.txt"',
    ],
    [
      ["cnet", "post", "shop", "/x", "{oops", "--peers", "127.0.0.1:9"],
      "moonwire cnet post: JSON is not valid JSON: Expected property name or '}' in JSON at position 1 (line 1 column 2)",
    ],
    [
      ["cnet", "users", "add", "shop", ""],
      "moonwire cnet users add: USER must be 1-64 characters, got 0",
    ],
    [
      ["cnet", "users", "add", "shop", "ann", "--level", "-3"],
      'moonwire cnet users add: Option --level needs a value (write --level=-VALUE for one starting with "-")',
    ],
    [
      ["cnet", "users", "add", "shop", "ann", "--level", "1.5"],
      'moonwire cnet users add: --level must be an integer in 0-2147483647, got "1.5"',
    ],
    [
      ["mm", "send", "127.0.0.1", "4000"],
      "moonwire mm send: Missing argument JSON",
    ],
    [
      ["mm", "send", "127.0.0.1", "80", "{}"],
      'moonwire mm send: PORT must be an integer in 1024-65535, got "80"',
    ],
    [
      ["mm", "send", "127.0.0.1", "4000", "42"],
      "moonwire mm send: JSON must be a JSON object or array",
    ],
    [
      ["mm", "send", "127.0.0.1", "4000", "{}", "--key", "abc"],
      "moonwire mm send: Cannot parse cipher key: expected 32 or 64 hex characters, got 3",
    ],
    [
      ["mm", "listen", "127.0.0.1", "4000", "--timeout", "20"],
      "moonwire mm listen: --timeout must be in 0.25-10 seconds, got 20",
    ],
    [
      ["mm", "serve", "--port", "80"],
      'moonwire mm serve: --port must be an integer in 1024-65535, got "80"',
    ],
    [
      ["net", "echo", "http"],
      'moonwire net echo: PORT must be an integer in 0-65535, got "http"',
    ],
    [
      ["net", "resolve", "bad name!"],
      'moonwire net resolve: NAME "bad name!" is not a host name',
    ],
    [
      ["net", "get", "ftp://example.test/"],
      "moonwire net get: URL must be http:// or https://, got ftp://",
    ],
    [["net", "get", "nowhere"], 'moonwire net get: URL "nowhere" is not a URL'],
  ];
  const results = await pooled(cases.map(([args]) => () => runCli(args)));
  results.forEach((result, i) => {
    const [args, line] = cases[i];
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stderr, line + "\n", args.join(" "));
    assert.equal(result.stdout, "", args.join(" "));
  });
});
