// Public entry point of the gwsdk package.
export { loadCore, Core, defaultVariant, shippedCorePath } from "./core/load-core.js";
export type { LoadCoreOptions, CoreVariant, CoreExports, CoreFn } from "./core/load-core.js";
export { GwsdkError, CoreError } from "./errors.js";
export { SrtpApi, SrtpSender, SrtpReceiver, SrtpSession, SrtpError, SRTP_PROFILES, srtpProfile, srtpProfileByDtlsId } from "./srtp/index.js";
export type {
  SrtpKey, SrtpOptions, SrtpStats, SrtpKeyLimitEvent, SrtpBatchOptions, SrtpBatchResult, SrtpProfileName, SrtpProfileInfo,
  SrtpErrorCode, SrtpErrorDetails, SrtpSizes,
} from "./srtp/index.js";
