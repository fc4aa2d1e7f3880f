// PLACEHOLDER (lead's branch only, replaced by the helper's SIMD implementation at merge): the
// hmacSha1X4 API over sequential hmacSha1Compute calls.
import { hmacSha1Compute } from "./hmac_sha1";

export const HX4_LANES: i32 = 4;
export const HX4_JOB_SIZE: usize = 20;
export const HX4_JOBS: usize = memory.data(<i32>(4 * 20), 16);

export function hmacSha1X4(count: i32): void {
  for (let j: i32 = 0; j < count; j++) {
    const r = HX4_JOBS + <usize>j * HX4_JOB_SIZE;
    hmacSha1Compute(<usize>load<u32>(r), <usize>load<u32>(r, 4), <usize>load<u32>(r, 8), <usize>load<u32>(r, 12), <usize>load<u32>(r, 16));
  }
  memory.fill(HX4_JOBS, 0, 4 * HX4_JOB_SIZE);
}
