// Errors of the gateway process (ERR_GATEWAY_*): boot (store, identity, listener), calls.
import { GwsdkError, type GwsdkErrorOptions } from "../errors.js";

export type GatewayErrorCode =
  | "ERR_GATEWAY_IDENTITY"
  | "ERR_GATEWAY_LISTEN"
  | "ERR_GATEWAY_STATE"
  | "ERR_GATEWAY_MEDIA_PORTS"
  | "ERR_GATEWAY_CALL_LIMIT"
  | "ERR_GATEWAY_STREAM_SLOTS"
  | "ERR_GATEWAY_RESOLVE"
  | "ERR_GATEWAY_BACKOFF";

export class GatewayError extends GwsdkError {
  declare readonly code: GatewayErrorCode;
  constructor(code: GatewayErrorCode, message: string, options?: GwsdkErrorOptions) {
    super(code, message, options);
  }
}
