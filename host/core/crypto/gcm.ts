// Typed wrapper over the core's gcm exports (docs/abi.md). Not written yet.
import type { Core } from "../load-core.js";

export class GcmApi {
  constructor(readonly core: Core) {}
}
