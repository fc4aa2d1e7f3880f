// SDK_BUILD_DATE is stamped by the build (audit 5.3): dist/host/build-info.js carries the day of
// this build, not the committed default, and the TLS policy uses it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BUILD_INFO } from "../../../host/build-info.js";
import { buildInfoFor } from "../../../host/build-stamp.js";
import { SDK_BUILD_DATE } from "../../../host/tls/policy.js";

const DAY = 86_400_000;

test("the built host carries the day it was built, not the committed default", () => {
  assert.equal(BUILD_INFO.stamped, true, "npm run build stamps dist/host/build-info.js");
  assert.notEqual(BUILD_INFO.buildDate, "2025-01-01T00:00:00.000Z");
  assert.equal(SDK_BUILD_DATE.toISOString(), BUILD_INFO.buildDate, "the TLS policy's lower bound is the stamped date");
  const t = SDK_BUILD_DATE.getTime();
  assert.equal(t % DAY, 0, "00:00 UTC");
  if (BUILD_INFO.source === "clock") {
    // built by this test run's `npm run build` (or a recent one): within the last few days, not in the future
    assert.ok(t <= Date.now(), `build date ${BUILD_INFO.buildDate} is in the future`);
    assert.ok(Date.now() - t < 7 * DAY, `build date ${BUILD_INFO.buildDate} is not recent`);
  } else {
    assert.equal(BUILD_INFO.source, "SOURCE_DATE_EPOCH");
  }
});

test("the build step takes SOURCE_DATE_EPOCH for reproducible builds, else the clock, as 00:00 UTC", () => {
  const now = new Date("2031-05-06T23:59:58Z");
  assert.deepEqual(buildInfoFor({}, now), { buildDate: "2031-05-06T00:00:00.000Z", stamped: true, source: "clock" });
  assert.deepEqual(buildInfoFor({ SOURCE_DATE_EPOCH: "1700000000" }, now), { buildDate: "2023-11-14T00:00:00.000Z", stamped: true, source: "SOURCE_DATE_EPOCH" });
  assert.deepEqual(buildInfoFor({ SOURCE_DATE_EPOCH: "" }, now).source, "clock");
  assert.throws(() => buildInfoFor({ SOURCE_DATE_EPOCH: "yesterday" }, now), /SOURCE_DATE_EPOCH/);
});
