// Errors of the desktop simulator (ERR_SIM_*): state directory, demo PKI, options, the run itself.
import { GwsdkError, type GwsdkErrorOptions } from "../errors.js";

export type SimErrorCode = "ERR_SIM_STATE" | "ERR_SIM_PKI" | "ERR_SIM_OPTIONS" | "ERR_SIM_POOL" | "ERR_SIM_RUN";

export class SimError extends GwsdkError {
  declare readonly code: SimErrorCode;
  constructor(code: SimErrorCode, message: string, options?: GwsdkErrorOptions) {
    super(code, message, options);
  }
}
