// Public entry point of the gwsdk package.
export { loadCore, Core, defaultVariant, shippedCorePath } from "./core/load-core.js";
export type { LoadCoreOptions, CoreVariant, CoreExports, CoreFn } from "./core/load-core.js";
export { GwsdkError, CoreError } from "./errors.js";
// TLS record layer and key schedules (docs/tls-record.md)
export { TlsRecordLayer, ContentType } from "./tls/record-layer.js";
export type { TlsRecord, RecordDirection, TlsRecordLayerOptions, TlsUsageLimits } from "./tls/record-layer.js";
export { TlsError, TlsAlertError, tlsStatusError } from "./tls/errors.js";
export type { TlsAlertDirection, TlsErrorOptions, TlsAlertErrorOptions } from "./tls/errors.js";
export { TLS_ALERTS, AlertLevel, alertName, alertNumber, isAlertName, isClosureAlert, defaultAlertLevel, parseAlert, buildAlert } from "./tls/alerts.js";
export type { TlsAlertName, ParsedAlert } from "./tls/alerts.js";
export { CIPHER_SUITES, cipherSuite } from "./tls/record-suites.js";
export type { TlsCipherSuite, TlsVersionName, TlsHashName, TlsAeadName } from "./tls/record-suites.js";
export * from "./tls/key-schedule.js";
export { SrtpApi, SrtpSender, SrtpReceiver, SrtpSession, SrtpError, SRTP_PROFILES, srtpProfile, srtpProfileByDtlsId } from "./srtp/index.js";
export type {
  SrtpKey, SrtpOptions, SrtpStats, SrtpKeyLimitEvent, SrtpBatchOptions, SrtpBatchResult, SrtpProfileName, SrtpProfileInfo,
  SrtpErrorCode, SrtpErrorDetails, SrtpSizes,
} from "./srtp/index.js";
// Mutual TLS to the Mediation Server: our handshake on the record core (docs/tls.md)
export { connectMtls } from "./tls/connect-mtls.js";
export type { ConnectMtlsOptions, MtlsCommonOptions } from "./tls/connect-mtls.js";
export { createMtlsServer, MtlsServer } from "./tls/mtls-server.js";
export type { CreateMtlsServerOptions, TlsClientErrorPeer } from "./tls/mtls-server.js";
export { MtlsSocket } from "./tls/mtls-socket.js";
export type { KeyUpdateEvent } from "./tls/mtls-socket.js";
export { TlsHandshakeError, MTLS_ERROR_CODES } from "./tls/mtls-errors.js";
export type { MtlsErrorCode } from "./tls/mtls-errors.js";
export { resolvePolicy, SDK_BUILD_DATE } from "./tls/policy.js";
export type { TlsPolicy, ResolvedTlsPolicy, TlsVersionLabel } from "./tls/policy.js";
export type { PeerCertificate } from "./tls/verify-peer.js";
export type { AsymmetricProvider, KeyShare } from "./tls/asymmetric.js";
// The gateway web console (fastify and pkijs load when a console starts).
export { ConsoleServer, startBoardConsole, EmptyDataSource, TrunkDataSource, ConsoleError } from "./console/index.js";
export type { ConsoleOptions, ConsoleDataSource, LinkStatus, PoolMemberStatus, CallStatus, GatewayInfo, ConsoleErrorCode } from "./console/index.js";
// Certificate store, storage and device-key interfaces, X.509 path verifier (docs/certificates.md)
export * from "./certs/index.js";
// Boards and the gateway's deployment config (docs/boards.md, docs/gateway-config.md)
export { loadBoard, boardsDir, BoardError } from "./boards/board.js";
export type { Board, SrtpMode } from "./boards/board.js";
export { readConfigFile, validateConfigDocument, resolveConfig, ConfigError } from "./gateway/config.js";
export type { GatewayConfig, PoolMember } from "./gateway/config.js";
