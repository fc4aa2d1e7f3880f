// The web console beside the simulator (when the board enables it). Placeholder until the console
// lands: no console is started.
import type { Board } from "../boards/board.js";
import type { Gateway } from "../gateway/gateway.js";
import type { MediationPool } from "./mediation/pool.js";

export interface SimConsole {
  url: string;
  close(): Promise<void>;
}

export async function startSimConsole(_o: { board: Board; gateway: Gateway; pool: MediationPool; stateDir: string }): Promise<SimConsole | undefined> {
  return undefined;
}
