// JUnit XML for vendors' CI systems (Jenkins, GitLab, Azure DevOps, GitHub test reporters): the
// common subset they all read — <testsuites> of <testsuite name tests failures errors skipped time>
// of <testcase classname name time>, with <failure message type> or <skipped message>. A warning
// (peer probes) is a passing test case whose <system-out> starts with "WARN:".
import type { Verdict } from "./report.js";

export interface JunitCase {
  classname: string;
  name: string;
  /** Seconds. */
  time: number;
  verdict: Verdict;
  /** One line: the failure message, skip reason or warning. */
  message?: string;
  /** More text (shown in the failure body / system-out). */
  details?: string;
}

export interface JunitSuite {
  name: string;
  time: number;
  cases: JunitCase[];
  /** <properties> of the suite (core path, sha256, peer address...). */
  properties?: Record<string, string>;
}

/** Removes characters XML 1.0 cannot carry, then escapes markup. */
export function xmlEscape(s: string, attribute = false): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, "\ufffd");
  let out = clean.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  if (attribute) out = out.replace(/"/g, "&quot;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
  return out;
}

function attrs(a: Record<string, string | number>): string {
  return Object.entries(a)
    .map(([k, v]) => ` ${k}="${xmlEscape(String(v), true)}"`)
    .join("");
}

function seconds(t: number): string {
  return (Math.round(t * 1000) / 1000).toFixed(3);
}

/** Renders suites as one JUnit XML document. */
export function junitXml(name: string, suites: readonly JunitSuite[]): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const count = (s: JunitSuite, v: Verdict[]) => s.cases.filter((c) => v.includes(c.verdict)).length;
  const all = suites.flatMap((s) => s.cases);
  const total = {
    tests: all.length,
    failures: all.filter((c) => c.verdict === "fail" || c.verdict === "notImplemented").length,
    errors: 0,
    skipped: all.filter((c) => c.verdict === "skip").length,
    time: seconds(suites.reduce((t, s) => t + s.time, 0)),
  };
  out.push(`<testsuites${attrs({ name, ...total })}>`);
  for (const s of suites) {
    const a = { name: s.name, tests: s.cases.length, failures: count(s, ["fail", "notImplemented"]), errors: 0, skipped: count(s, ["skip"]), time: seconds(s.time) };
    out.push(`  <testsuite${attrs(a)}>`);
    const props = Object.entries(s.properties ?? {});
    if (props.length) {
      out.push("    <properties>");
      for (const [k, v] of props) out.push(`      <property${attrs({ name: k, value: v })}/>`);
      out.push("    </properties>");
    }
    for (const c of s.cases) {
      const open = `    <testcase${attrs({ classname: c.classname, name: c.name, time: seconds(c.time) })}`;
      const message = c.message ?? "";
      const body = c.details ? xmlEscape(c.details) : "";
      switch (c.verdict) {
        case "pass":
          out.push(`${open}/>`);
          break;
        case "warn":
          out.push(`${open}>`, `      <system-out>${xmlEscape(`WARN: ${message}${c.details ? `\n${c.details}` : ""}`)}</system-out>`, "    </testcase>");
          break;
        case "skip":
          out.push(`${open}>`, `      <skipped${attrs({ message })}/>`, "    </testcase>");
          break;
        case "fail":
        case "notImplemented":
          out.push(`${open}>`, `      <failure${attrs({ message, type: c.verdict === "fail" ? "fail" : "notImplemented" })}>${body}</failure>`, "    </testcase>");
          break;
      }
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  return out.join("\n");
}
