// Copyright 2026 the moonwire authors. MIT license.
// Typed CTTP over UdpModem (real loopback sockets): an interface as request
// data, a typed handler and response, and undefined fields as Lua's nil in
// both directions.
import assert from "node:assert/strict";
import { CttpRequest, CttpResponse, CttpStatus } from "../../cnet/mod.ts";
import { udpNodes } from "./_udp_nodes.ts";

interface NewApp {
  name: string;
  icon?: string;
  tags: (string | undefined)[];
}

interface App {
  id: number;
  name: string;
  icon?: string;
  tags: string[];
  owner?: string;
}

Deno.test("typed CTTP: interface data, typed handler and response, undefined is nil", async () => {
  await using nodes = await udpNodes("cttp_typed_test_");
  const { server, client } = nodes;
  await server.host("typed-store");
  const seen: NewApp[] = [];
  server.setRestApi<NewApp, App>("POST", "/apps", (_args, _header, data) => {
    seen.push(data);
    if (data.name === "") return new CttpResponse(CttpStatus.BAD_REQUEST);
    return new CttpResponse(CttpStatus.CREATED, {}, {
      id: 7,
      name: data.name,
      icon: data.icon,
      tags: data.tags.filter((tag): tag is string => typeof tag === "string"),
      owner: undefined,
    });
  });
  const app: NewApp = {
    name: "editor",
    icon: undefined,
    tags: ["a", undefined, "b"],
  };
  const { response } = await client.connectAndSendCttpRequest<App>(
    "typed-store",
    new CttpRequest("POST", "/apps", {}, app),
  );
  assert.equal(response?.statusCode, 201);
  const created: App | null = response!.data;
  assert.deepEqual(created, { id: 7, name: "editor", tags: ["a", "b"] });
  assert.equal(Object.hasOwn(created!, "icon"), false);
  assert.equal(Object.hasOwn(created!, "owner"), false);
  // The handler saw no icon key and the hole as null.
  assert.deepEqual(seen, [{ name: "editor", tags: ["a", null, "b"] }]);
  const refused = await client.connectAndSendCttpRequest<App>(
    "typed-store",
    new CttpRequest<NewApp>("POST", "/apps", {}, { name: "", tags: [] }),
  );
  assert.equal(refused.response?.statusCode, 400);
  assert.equal(refused.response?.data, null);
});
