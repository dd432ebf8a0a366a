// Copyright 2026 the moonwire authors. MIT license.
// expect TS2322: Type 'Point' is not assignable to type '{ x: number; y: number; length: never; }'
import type { Client } from "../../../mm/mod.ts";

class Point {
  constructor(public x: number, public y: number) {}
  length(): number {
    return Math.hypot(this.x, this.y);
  }
}
export function send(client: Client): void {
  client.send({ at: new Point(1, 2) });
}
