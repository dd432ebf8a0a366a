// Copyright 2026 the moonwire authors. MIT license.
// expect TS2322: Type '() => number' is not assignable to type 'never'
import { CttpResponse, CttpStatus } from "../../../cnet/mod.ts";

export function respond(): unknown {
  return new CttpResponse(CttpStatus.OK, {}, { count: () => 1 });
}
