// Copyright 2026 the moonwire authors. MIT license.
/**
 * A Copper OS cNet app store in one process: a REST server with a few
 * routes and registered users, and a client that registers, logs in, lists
 * and fetches apps, and publishes one, all over one in-memory network.
 *
 * Run with: `deno run -A examples/cnet_app_store.ts`
 *
 * @module
 */
import {
  checksum,
  CNetNode,
  type CtcpConnection,
  CttpRequest,
  CttpRequestMethod,
  CttpResponse,
  CttpStatus,
  MemoryNetwork,
  MessageEventType,
  RegisterResult,
  type Socket,
} from "../cnet/mod.ts";

interface App {
  id: string;
  name: string;
  author: string;
  code: string;
}

const network = new MemoryNetwork();
const directory = await Deno.makeTempDir({ prefix: "cnet_app_store_" });
const server = new CNetNode({
  directory,
  modems: { top: network.createModem() },
});
const client = new CNetNode({
  directory,
  modems: { top: network.createModem() },
});

/** Sends requests over one connection; every request must get an answer. */
function requester(connection: CtcpConnection<Socket>) {
  return async (
    method: CttpRequestMethod,
    path: string,
    data?: Record<string, string>,
  ): Promise<CttpResponse> => {
    const { response } = await client.sendCttpRequest(
      connection,
      new CttpRequest(method, path, {}, data),
    );
    if (response === null) throw new Error(`No response to ${method} ${path}`);
    return response;
  };
}

try {
  // --- the server -----------------------------------------------------------
  // A failed login delays the next check for that user name by loginDelay
  // seconds (doubling per failure), on every session.
  const store = await server.host("appstore", {
    maxRegisteredUsers: 100,
    loginDelay: 0.25,
  });
  await server.addUser(store, "admin", "store admin password", 3);
  const apps = new Map<string, App>([
    ["1", { id: "1", name: "editor", author: "admin", code: "print('edit')" }],
    ["2", { id: "2", name: "chess", author: "admin", code: "print('chess')" }],
  ]);
  server.setMessageHandler(MessageEventType.LOGIN, (event) => {
    if (event.server !== undefined) {
      console.log(`server: ${event.username} logged in`);
    }
  });
  server.setRestApi(
    CttpRequestMethod.GET,
    "/apps",
    () =>
      [...apps.values()].map(({ id, name, author }) => ({ id, name, author })),
  );
  server.setRestApi(CttpRequestMethod.GET, "/apps/byId", ([id]) => {
    const app = id === undefined ? undefined : apps.get(id);
    if (app === undefined) return new CttpResponse(CttpStatus.NOT_FOUND);
    return { ...app, checksum: checksum(app.code) };
  });
  server.setRestApi(
    CttpRequestMethod.POST,
    "/apps",
    (_args, _header, data, connection) => {
      const author = connection.socket.username;
      if (author === undefined) {
        return new CttpResponse(CttpStatus.UNAUTHORIZED);
      }
      const fields = data as Record<string, unknown> | null;
      if (typeof fields?.name !== "string" || typeof fields.code !== "string") {
        return new CttpResponse(CttpStatus.BAD_REQUEST);
      }
      const id = String(apps.size + 1);
      apps.set(id, { id, name: fields.name, author, code: fields.code });
      return new CttpResponse(CttpStatus.CREATED, {}, { id });
    },
  );
  console.log("server: hosting appstore with 2 apps");

  // --- the client -----------------------------------------------------------
  const registered = await client.register("appstore", "ann", "correct horse");
  console.log(
    `client: register ann -> ${
      registered === RegisterResult.SUCCESS ? "ok" : registered
    }`,
  );
  const again = await client.register("appstore", "ann", "another password");
  console.log(
    `client: register ann again -> ${
      again === RegisterResult.NAME_TAKEN ? "name taken" : again
    }`,
  );

  const connection = await client.connectCtcp("appstore");
  console.log("client: connected");
  const request = requester(connection);

  const denied = await request(CttpRequestMethod.POST, "/apps", {
    name: "x",
    code: "",
  });
  console.log(
    `client: publish before login -> ${denied.statusCode} ${denied.statusMessage}`,
  );
  console.log(
    `client: login with a wrong password -> ${await client.login(
      connection,
      "ann",
      "wrong",
    )}`,
  );
  // A failed login delays the next check for this name (on any session):
  // wait it out, then log in on a fresh connection.
  await client.disconnectCtcp(connection);
  await new Promise((resolve) => setTimeout(resolve, 400));
  const session = await client.connectCtcp("appstore");
  const send = requester(session);
  console.log(
    `client: login -> ${await client.login(session, "ann", "correct horse")}`,
  );

  const list = await send(CttpRequestMethod.GET, "/apps");
  const names = (list.data as { name: string }[]).map((app) => app.name);
  console.log(`client: list -> ${list.statusCode} ${names.join(", ")}`);
  const chess = await send(CttpRequestMethod.GET, "/apps/byId/2");
  const app = chess.data as { name: string; code: string; checksum: number };
  console.log(
    `client: fetch 2 -> ${chess.statusCode} ${app.name} ${
      JSON.stringify(app.code)
    } checksum ok: ${checksum(app.code) === app.checksum}`,
  );
  const missing = await send(CttpRequestMethod.GET, "/apps/byId/9");
  console.log(
    `client: fetch 9 -> ${missing.statusCode} ${missing.statusMessage}`,
  );
  const published = await send(CttpRequestMethod.POST, "/apps", {
    name: "paint",
    code: "print('paint')",
  });
  console.log(
    `client: publish paint -> ${published.statusCode} ${published.statusMessage} id ${
      (published.data as { id: string }).id
    }`,
  );
  const after = await send(CttpRequestMethod.GET, "/apps");
  console.log(
    `client: list -> ${
      (after.data as { name: string; author: string }[])
        .map((entry) => `${entry.name} by ${entry.author}`).join(", ")
    }`,
  );
  const unknown = await send("PUT" as CttpRequestMethod, "/apps");
  console.log(
    `client: PUT /apps -> ${unknown.statusCode} ${unknown.statusMessage}`,
  );
  console.log(`client: logout -> ${await client.logout(session)}`);
  console.log(
    `client: disconnect acknowledged -> ${await client.disconnectCtcp(
      session,
    )}`,
  );
} finally {
  await client.close();
  await server.close();
  network.close();
  await Deno.remove(directory, { recursive: true });
}
