// The gateway web console (issue 11). See docs/console.md.
export { ConsoleServer, startBoardConsole, type ConsoleOptions, type ConsoleStatus } from "./server.js";
export { EmptyDataSource } from "./data-source.js";
export type { ConsoleDataSource, LinkStatus, PoolMemberStatus, CallStatus, CallSrtpStatus, CallCounters, GatewayInfo } from "./data-source.js";
export { TrunkDataSource, type TrunkDataSourceOptions } from "./trunk-data-source.js";
export { ConsoleError, type ConsoleErrorCode } from "./errors.js";
export { PasswordFile, LoginLimiter, hashPassword, PBKDF2_DEFAULT_ITERATIONS, type LoginLimiterOptions, type PasswordFileOptions } from "./auth.js";
export { SessionStore, type Session, type SessionStoreOptions } from "./sessions.js";
export type { ConsoleTlsChoice, ConsoleTlsCredentials } from "./console-tls.js";
export { describeTls, type TlsInfo } from "./tls-info.js";
// DemoTrunk (host/console/demo-trunk.ts) is not re-exported: it pulls in the SIP/media simulator.
