// Power-on known answers for the gcm module. Failure ids: see docs/abi.md.
// TODO(foundation): not written yet; returns 0 until the module exists.
export function gcmSelfTest(): i32 {
  return 0;
}
