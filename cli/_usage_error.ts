// Copyright 2026 the moonwire authors. MIT license.
// What the caller got wrong on the command line: exit 2. Its own file, so
// the parsing, output and JSON helpers can all throw it without importing
// each other.

/** A command line mistake; `main` prints its one line and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
