// The WebAssembly core's export surface. Each subsystem lists its ABI exports in its own exports.ts;
// this file only gathers them. Nothing here allocates: all state lives in caller-owned memory.
export * from "./abi/core_exports";
export * from "./crypto/aes/exports";
export * from "./crypto/hash/exports";
export * from "./crypto/gcm/exports";
export * from "./tls/exports";
export * from "./srtp/exports";
