// Public entry point of the gwsdk package.
export { loadCore, Core, defaultVariant, shippedCorePath } from "./core/load-core.js";
export type { LoadCoreOptions, CoreVariant, CoreExports, CoreFn } from "./core/load-core.js";
export { GwsdkError, CoreError } from "./errors.js";
