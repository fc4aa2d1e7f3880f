// The core report as text (the table a person reads) and as JUnit XML.
import type { CoreConformanceReport } from "./core.js";
import { junitXml, type JunitSuite } from "./junit.js";
import { verdictLabel } from "./report.js";
import { table, thousands, duration } from "./table.js";

export function coreReportText(r: CoreConformanceReport): string {
  const out: string[] = [];
  const c = r.core;
  const what = c.source === "shipped" ? `shipped ${c.variant} build` : "vendor build";
  out.push(`gwsdk conformance core — ${c.path ?? "?"} (${what})`);
  const facts = [
    c.sha256 ? `sha256 ${c.sha256}` : null,
    c.bytes !== null ? `${thousands(c.bytes)} bytes` : null,
    c.abiVersion !== null ? `ABI ${c.abiVersion}` : null,
    c.simd !== null ? `SIMD ${c.simd ? "yes" : "no"}` : null,
    c.exportCount !== null ? `${c.exportCount} exports` : null,
  ].filter((x): x is string => x !== null);
  if (facts.length) out.push(`  ${facts.join(", ")}`);
  out.push(`  vectors: ${r.vectorsDir}`, "");
  if (!c.loaded) {
    out.push(`LOAD FAIL  ${c.loadError?.code}: ${c.loadError?.message}`, "");
  }
  out.push(`power-on self-test: ${verdictLabel(r.selfTest.status)}  ${r.selfTest.message}`, "");

  const rows = r.suites.map((s) => [
    s.id,
    String(s.cases),
    String(s.passed),
    String(s.failed),
    s.status === "notImplemented" ? "NOT IMPLEMENTED" : s.status === "skip" ? "SKIP" : s.failed ? "FAIL" : s.skipped ? `pass (${s.skipped} not applicable)` : "pass",
    duration(s.durationMs),
  ]);
  rows.push(["total", String(r.summary.cases), String(r.summary.passed), String(r.summary.failed), "", duration(r.durationMs)]);
  out.push(
    table(
      [
        { title: "suite" },
        { title: "cases", align: "right" },
        { title: "passed", align: "right" },
        { title: "failed", align: "right" },
        { title: "result" },
        { title: "time", align: "right" },
      ],
      rows,
    ),
  );

  const problems = r.suites.flatMap((s) => s.results.filter((x) => x.status === "fail" || x.status === "notImplemented").map((x) => ({ s, x })));
  if (problems.length) {
    out.push("failures:");
    // one line per not-implemented suite (its cases all say the same), one per failed case
    const seen = new Set<string>();
    for (const { s, x } of problems) {
      if (x.status === "notImplemented") {
        if (seen.has(s.id)) continue;
        seen.add(s.id);
        out.push(`  ${s.id}: NOT IMPLEMENTED — ${x.message}`);
      } else out.push(`  ${s.id} / ${x.name}: ${x.message}`);
    }
    out.push("");
  }
  const notes = r.suites.filter((s) => s.note);
  for (const s of notes) out.push(`note: ${s.id}: ${s.note}`);
  const na = r.suites.flatMap((s) => (s.status === "skip" ? [] : s.results.filter((x) => x.status === "skip").map((x) => `not applicable: ${s.id} / ${x.name}: ${x.message}`)));
  out.push(...na);
  if (notes.length || na.length) out.push("");
  const sum = r.summary;
  out.push(
    `result: ${verdictLabel(sum.status)} — ${sum.passed} of ${sum.cases} cases passed, ${sum.failed} failed` +
      (sum.notImplemented ? `, ${sum.notImplemented} not implemented` : "") +
      (sum.skipped ? `, ${sum.skipped} not applicable or not run` : "") +
      `; self-test ${verdictLabel(r.selfTest.status).toLowerCase()}`,
  );
  return out.join("\n") + "\n";
}

export function coreReportJunit(r: CoreConformanceReport): string {
  const props: Record<string, string> = {
    core: r.core.path ?? "",
    variant: r.core.variant,
    ...(r.core.sha256 ? { sha256: r.core.sha256 } : {}),
  };
  const suites: JunitSuite[] = [
    {
      name: "core.selftest",
      time: r.selfTest.durationMs / 1000,
      properties: props,
      cases: [
        {
          classname: "core.selftest",
          name: r.core.loaded ? "power-on self-test" : "load the core",
          time: r.selfTest.durationMs / 1000,
          verdict: r.selfTest.status,
          ...(r.selfTest.status !== "pass" ? { message: r.selfTest.message } : {}),
        },
      ],
    },
    ...r.suites.map((s) => ({
      name: `core.${s.id}`,
      time: s.durationMs / 1000,
      properties: { file: s.file, title: s.title },
      cases: s.results.map((x) => ({
        classname: `core.${s.id}`,
        name: x.name,
        time: x.durationMs / 1000,
        verdict: x.status,
        ...(x.message ? { message: x.message } : {}),
        ...(x.difference ? { details: `expected (from byte ${x.difference.offset}): ${x.difference.expected}\nactual   (from byte ${x.difference.offset}): ${x.difference.actual}` } : {}),
      })),
    })),
  ];
  return junitXml("gwsdk conformance core", suites);
}
