// The vocabulary every conformance report shares (docs/conformance.md "Reading a report"):
// verdicts, the first difference between expected and actual bytes, and the exit status rule.

/**
 * What one check concluded.
 * - pass: the behaviour matched.
 * - warn: works, but something a person should look at (peer probes only).
 * - fail: the behaviour did not match, or the check could not complete.
 * - skip: not run, with the reason (a missing system package, an option not given).
 * - notImplemented: the core build lacks an export the check needs.
 */
export type Verdict = "pass" | "warn" | "fail" | "skip" | "notImplemented";

/** Where two byte strings first differ: the offset and up to 16 bytes of each from there (hex). */
export interface FirstDifference {
  /** What was compared ("ciphertext", "tag", "record"...). */
  field: string;
  /** Byte offset of the first difference (the shorter length when one is a prefix of the other). */
  offset: number;
  expectedLength: number;
  actualLength: number;
  /** Up to 16 expected bytes from `offset`, hex. */
  expected: string;
  /** Up to 16 actual bytes from `offset`, hex. */
  actual: string;
}

/** The largest window of bytes a FirstDifference quotes. */
export const DIFF_WINDOW = 16;

/** undefined when equal; otherwise the first difference. */
export function firstDifference(field: string, expected: Uint8Array, actual: Uint8Array): FirstDifference | undefined {
  const n = Math.min(expected.length, actual.length);
  let i = 0;
  while (i < n && expected[i] === actual[i]) i++;
  if (i === n && expected.length === actual.length) return undefined;
  return {
    field,
    offset: i,
    expectedLength: expected.length,
    actualLength: actual.length,
    expected: hexOf(expected.subarray(i, i + DIFF_WINDOW)),
    actual: hexOf(actual.subarray(i, i + DIFF_WINDOW)),
  };
}

/** One line for a person: "tag differs at byte 3: expected 4d5c2af3…, got 4d5c2af4…". */
export function describeDifference(d: FirstDifference): string {
  const more = (len: number) => (len - d.offset > DIFF_WINDOW ? "…" : "");
  const lengths = d.expectedLength !== d.actualLength ? ` (length ${d.actualLength}, expected ${d.expectedLength})` : "";
  const got = d.actual === "" ? "nothing" : `${d.actual}${more(d.actualLength)}`;
  const want = d.expected === "" ? "nothing" : `${d.expected}${more(d.expectedLength)}`;
  return `${d.field} differs at byte ${d.offset}${lengths}: expected ${want}, got ${got}`;
}

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function bytesOf(hex: string | undefined | null): Uint8Array {
  if (hex === undefined || hex === null) return new Uint8Array(0);
  const clean = hex.replace(/\s+/g, "");
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not a hex string: "${hex.slice(0, 40)}"`);
  return Uint8Array.from(Buffer.from(clean, "hex"));
}

/** The worst verdict of a list, for summaries: fail > notImplemented > warn > pass > skip. */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  const rank: Record<Verdict, number> = { skip: 0, pass: 1, warn: 2, notImplemented: 3, fail: 4 };
  let worst: Verdict | undefined;
  for (const v of verdicts) if (worst === undefined || rank[v] > rank[worst]) worst = v;
  return worst ?? "skip";
}

/**
 * Exit status of a conformance command: 0 when nothing failed (warnings and skips allowed), 1 when
 * anything failed or was not implemented. (2 is the CLI's usage error.)
 */
export function exitStatusOf(verdict: Verdict): 0 | 1 {
  return verdict === "fail" || verdict === "notImplemented" ? 1 : 0;
}

/** The label used in text reports. */
export function verdictLabel(v: Verdict): string {
  switch (v) {
    case "pass":
      return "PASS";
    case "warn":
      return "WARN";
    case "fail":
      return "FAIL";
    case "skip":
      return "SKIP";
    case "notImplemented":
      return "NOT IMPLEMENTED";
  }
}

/** Milliseconds since t0 (performance.now()), rounded to 0.1 ms. */
export function elapsedMs(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

/** The package's name and version, for the report header. */
export interface ToolInfo {
  name: "gwsdk";
  version: string;
  node: string;
}
