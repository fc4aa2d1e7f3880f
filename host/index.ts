// Public entry point of the gwsdk package.
export { loadCore, Core, defaultVariant, shippedCorePath } from "./core/load-core.js";
export type { LoadCoreOptions, CoreVariant, CoreExports, CoreFn } from "./core/load-core.js";
export { GwsdkError, CoreError } from "./errors.js";
// The gateway web console (fastify and pkijs load when a console starts).
export { ConsoleServer, startBoardConsole, EmptyDataSource, TrunkDataSource, ConsoleError } from "./console/index.js";
export type { ConsoleOptions, ConsoleDataSource, LinkStatus, PoolMemberStatus, CallStatus, GatewayInfo, ConsoleErrorCode } from "./console/index.js";
