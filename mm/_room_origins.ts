// Copyright 2026 the moonwire authors. MIT license.
// What a NATS room knows of the other servers in it: per origin id, the
// sequence number of the next table it expects. A jump is a gap (tables
// that never arrived: the bus is at most once); a step back is a duplicate
// or a replay. An origin is known from the first message heard from it, so
// what it sent before this room joined is not counted as missed.

/** How many origins are remembered (the least recently heard go first). */
const MAX_ORIGINS = 4096;

/** What a message from an origin means for the tables it carries. */
export interface Arrival {
  /** Tables at the start of the message that were already received. */
  skip: number;
  /** Tables before the message that never arrived (0 when none). */
  missed: number;
  /** The sequence number of the first missed table. */
  from: number;
}

export class RoomOrigins {
  readonly #expected = new Map<string, number>();

  /** Origins heard from. */
  get size(): number {
    return this.#expected.size;
  }

  /** Whether `origin` has been heard from. */
  has(origin: string): boolean {
    return this.#expected.has(origin);
  }

  /** `count` tables from `first` on arrived from `origin`. */
  tables(origin: string, first: number, count: number): Arrival {
    return this.#advance(origin, first, first + count);
  }

  /**
   * `origin` says it has sent every table before `next` (a heartbeat, or a
   * leave with `forget`).
   */
  upTo(origin: string, next: number, forget = false): Arrival {
    const arrival = this.#advance(origin, next, next);
    if (forget) this.#expected.delete(origin);
    return arrival;
  }

  #advance(origin: string, first: number, end: number): Arrival {
    const expected = this.#expected.get(origin);
    if (expected === undefined) {
      this.#remember(origin, end);
      return { skip: 0, missed: 0, from: first };
    }
    const arrival = {
      skip: Math.max(0, Math.min(end, expected) - first),
      missed: Math.max(0, first - expected),
      from: expected,
    };
    // Moved to the back: the map's order is least recently heard first.
    this.#expected.delete(origin);
    this.#expected.set(origin, Math.max(expected, end));
    return arrival;
  }

  #remember(origin: string, next: number): void {
    if (this.#expected.size >= MAX_ORIGINS) {
      this.#expected.delete(this.#expected.keys().next().value!);
    }
    this.#expected.set(origin, next);
  }
}
