// Power-on self-test driver. Each primitive module exports a `selftest*()` returning 0 on success or
// its own non-zero failure id (ids are listed in docs/abi.md). The first failure is remembered so the
// host can report which known answer failed.
import { aesSelfTest } from "./crypto/aes/selftest";
import { hashSelfTest } from "./crypto/hash/selftest";
import { gcmSelfTest } from "./crypto/gcm/selftest";
import { tlsSelfTest } from "./tls/selftest";
import { srtpSelfTest } from "./srtp/selftest";

let failedId: i32 = 0;

export function selftestFailedId(): i32 {
  return failedId;
}

export function runSelfTest(): i32 {
  failedId = 0;
  let r = aesSelfTest();
  if (r == 0) r = hashSelfTest();
  if (r == 0) r = gcmSelfTest();
  if (r == 0) r = tlsSelfTest();
  if (r == 0) r = srtpSelfTest();
  failedId = r;
  return r;
}
