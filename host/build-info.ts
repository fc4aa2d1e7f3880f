// Build information. This committed module holds only defaults: `npm run build` replaces its compiled
// form, dist/host/build-info.js, with the values of the build (host/build-stamp.ts). Everything built
// from dist/ — the CLI, the package, and the host bundled into a firmware image — therefore carries
// the date it was built. A tree compiled by `tsc` alone keeps the defaults (`stamped: false`).

export interface BuildInfo {
  /**
   * Start (00:00 UTC) of the day the host was built, ISO 8601: a lower bound for any clock that has
   * been set. TLS treats an earlier clock as "not set" (SDK_BUILD_DATE, host/tls/policy.ts).
   */
  readonly buildDate: string;
  /** True once the build step stamped this module. */
  readonly stamped: boolean;
  /** Where buildDate came from: the build machine's clock, SOURCE_DATE_EPOCH (reproducible builds), or this default. */
  readonly source: "clock" | "SOURCE_DATE_EPOCH" | "default";
}

export const BUILD_INFO: BuildInfo = Object.freeze({ buildDate: "2025-01-01T00:00:00.000Z", stamped: false, source: "default" });
