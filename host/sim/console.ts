// The web console beside the simulator, when the board enables it (the sim board does, on
// 127.0.0.1:8443): the console (host/console) over the running gateway's data source
// (host/gateway/console-source.ts) and its certificate store. Its state (password file, its own
// HTTPS identity when needed) lives in <state>/console. Optional: `gwsdk sim --no-console`.
import { join, resolve } from "node:path";
import type { Board } from "../boards/board.js";
import type { Gateway } from "../gateway/gateway.js";
import { GatewayDataSource } from "../gateway/console-source.js";
import type { MediationPool } from "./mediation/pool.js";

export interface SimConsole {
  url: string;
  close(): Promise<void>;
}

export async function startSimConsole(o: { board: Board; gateway: Gateway; pool: MediationPool; stateDir: string; port?: number }): Promise<SimConsole | undefined> {
  if (!o.board.console.enabled) return undefined;
  // fastify and the front end load only when a console starts.
  const { startBoardConsole } = await import("../console/server.js");
  const source = new GatewayDataSource(o.gateway);
  try {
    const server = await startBoardConsole(o.board, {
      stateDir: join(resolve(o.stateDir), "console"),
      store: o.gateway.store,
      dataSource: source,
      ...(o.port !== undefined ? { port: o.port } : {}),
    });
    return {
      url: server.url,
      close: async () => {
        await server.close();
        source.close();
      },
    };
  } catch (e) {
    source.close();
    throw e;
  }
}
