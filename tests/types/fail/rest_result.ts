// Copyright 2026 the moonwire authors. MIT license.
// expect TS2322: Type 'number' is not assignable to type 'string'
import { setRestApi } from "../../../cnet/mod.ts";

interface App {
  id: string;
}
setRestApi<never, App>("GET", "/apps", () => ({ id: 7 }));
