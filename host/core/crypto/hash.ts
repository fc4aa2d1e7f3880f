// Typed wrapper over the core's hash exports (docs/abi.md). Not written yet.
import type { Core } from "../load-core.js";

export class HashApi {
  constructor(readonly core: Core) {}
}
