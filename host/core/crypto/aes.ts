// Typed wrapper over the core's aes exports (docs/abi.md). Not written yet.
import type { Core } from "../load-core.js";

export class AesApi {
  constructor(readonly core: Core) {}
}
