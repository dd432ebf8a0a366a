// Copyright 2026 the moonwire authors. MIT license.
// Must type-check: the table codec and CTTP with interfaces and generics.
// Never run (only `deno check`ed).
import {
  type CNetNode,
  connectAndSendCttpRequest,
  type ConnectAndSendCttpRequestResult,
  CttpRequest,
  CttpRequestMethod,
  CttpResponse,
  CttpStatus,
  type LuaValue,
  MessageEventType,
  ModemSide,
  type RestHandler,
  setRestApi,
} from "../../../cnet/mod.ts";
import {
  decodeTable,
  encodeTable,
  type LuaFieldOf,
  type LuaTableOf,
  type LuaValueOf,
} from "../../../net/mod.ts";
import { EVENT_CONNECT } from "../../../mm/mod.ts";
import type { Equal } from "./_equal.ts";

interface NewApp {
  name: string;
  icon?: Uint8Array;
  tags: (string | undefined)[];
}
interface App extends NewApp {
  id: number;
}

export function codec(): void {
  const app: NewApp = { name: "x", tags: [] };
  encodeTable(app);
  encodeTable("plain string");
  encodeTable(null);
  encodeTable([1, undefined, [new Uint8Array(1)]]);
  encodeTable(decodeTable(new Uint8Array([0xc0])));
  const _fits: Equal<LuaTableOf<NewApp>, LuaTableOf<NewApp>> = true;
  const _field: Equal<LuaFieldOf<string | undefined>, string | undefined> =
    true;
  function generic<T extends LuaValueOf<T>>(value: T): Uint8Array {
    return encodeTable(value);
  }
  generic(app);
}

export async function cttp(node: CNetNode): Promise<void> {
  node.setRestApi<NewApp, App>("POST", "/apps", (_args, _header, data) => ({
    id: 1,
    ...data,
  }));
  setRestApi("GET", "/apps", (): App[] => []);
  setRestApi(
    "GET",
    "/one",
    ([id]) =>
      id === undefined ? new CttpResponse(CttpStatus.NOT_FOUND) : { id },
  );
  const handler: RestHandler<NewApp, App> = (_args, _header, data) =>
    new CttpResponse(CttpStatus.CREATED, {}, { id: 2, ...data });
  node.setRestApi("POST", "/v2/apps", handler);
  const newApp: NewApp = { name: "editor", tags: ["a"] };
  const request = new CttpRequest("POST", "/apps", {}, newApp);
  const _data: Equal<typeof request.data, NewApp | null> = true;
  const result: ConnectAndSendCttpRequestResult<App> = await node
    .connectAndSendCttpRequest<App>("shop", request);
  const _id: number | undefined = result.response?.data?.id;
  const plain = await connectAndSendCttpRequest(
    "shop",
    new CttpRequest("GET", "/"),
  );
  const _value: Equal<typeof plain.response, CttpResponse<LuaValue> | null> =
    true;
}

// Enums keep their literal types.
export const literals: {
  get: "GET";
  login: "login";
  top: "top";
  notFound: 404;
  connect: "connect";
} = {
  get: CttpRequestMethod.GET,
  login: MessageEventType.LOGIN,
  top: ModemSide.TOP,
  notFound: CttpStatus.NOT_FOUND.code,
  connect: EVENT_CONNECT,
};
