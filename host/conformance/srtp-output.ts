// The SRTP differential as an agreement table (text) and as JUnit XML.
import { junitXml } from "./junit.js";
import { verdictLabel, describeDifference, type Verdict } from "./report.js";
import { SRTP_CHECKS, srtpCheckTitle, type SrtpConformanceReport } from "./srtp.js";
import { table, thousands, duration } from "./table.js";

const CELL: Record<Verdict, string> = { pass: "=", fail: "DIFF", skip: "-", warn: "?", notImplemented: "n/i" };

export function srtpReportText(r: SrtpConformanceReport): string {
  const out: string[] = [];
  const c = r.core;
  out.push(`gwsdk conformance srtp --libsrtp — our SRTP engine in ${c.path ?? "?"} (${c.source === "shipped" ? `shipped ${c.variant} build` : "vendor build"}) against libsrtp`);
  if (!c.loaded) out.push(`LOAD FAIL  ${c.loadError?.code}: ${c.loadError?.message}`);
  if (!r.libsrtp.available) {
    out.push(
      "",
      `SKIP: libsrtp is not available here (${r.libsrtp.reason ?? "unknown reason"}).`,
      `Install it and run again (Debian/Ubuntu):`,
      `  ${r.libsrtp.install ?? "apt-get install -y build-essential pkg-config libsrtp2-dev"}`,
      "The harness (host/interop/libsrtp/harness.c, shipped with the SDK) is compiled on first use.",
      "",
      `result: ${verdictLabel(r.summary.status)}`,
    );
    return out.join("\n") + "\n";
  }
  out.push(`  ${r.libsrtp.version}; ${thousands(r.summary.packets)} packets compared or opened`, "");
  out.push("agreement (= agree, DIFF differ, - not checked, n/i not implemented in this core):");
  const rows = r.rows.map((row) => [
    row.profile,
    row.mki ? "yes" : "no",
    ...SRTP_CHECKS.map((k) => CELL[row.checks[k].status]),
    verdictLabel(row.status),
    duration(row.durationMs),
  ]);
  out.push(
    table(
      [
        { title: "profile" },
        { title: "MKI" },
        { title: "SRTP bytes" },
        { title: "open theirs" },
        { title: "they open ours" },
        { title: "SRTCP bytes" },
        { title: "open theirs" },
        { title: "they open ours" },
        { title: "result" },
        { title: "time", align: "right" },
      ],
      rows,
    ),
  );
  const problems: string[] = [];
  const notes = new Set<string>();
  for (const row of r.rows) {
    for (const k of SRTP_CHECKS) {
      const x = row.checks[k];
      if (x.status === "fail") problems.push(`  ${row.profile}${row.mki ? " (MKI)" : ""}: ${srtpCheckTitle(k)}: ${x.difference ? describeDifference(x.difference) : x.message}`);
    }
    if (row.note && row.status !== "fail") notes.add(row.note);
  }
  if (problems.length) out.push("differences:", ...problems, "");
  if (notes.size) out.push("notes:", ...[...notes].map((n) => `  ${n}`), "");
  const s = r.summary;
  out.push(`result: ${verdictLabel(s.status)} — ${s.agreed} of ${s.rows} profile rows agree, ${s.failed} differ, ${s.skipped} skipped (${duration(r.durationMs)})`);
  return out.join("\n") + "\n";
}

export function srtpReportJunit(r: SrtpConformanceReport): string {
  if (!r.libsrtp.available) {
    return junitXml("gwsdk conformance srtp", [
      {
        name: "srtp.libsrtp",
        time: 0,
        cases: [{ classname: "srtp.libsrtp", name: "libsrtp differential", time: 0, verdict: "skip", message: `libsrtp not available (${r.libsrtp.reason}); install: ${r.libsrtp.install}` }],
      },
    ]);
  }
  return junitXml(
    "gwsdk conformance srtp",
    r.rows.map((row) => {
      const name = `srtp.${row.profile}${row.mki ? ".mki" : ""}`;
      return {
        name,
        time: row.durationMs / 1000,
        properties: { libsrtp: r.libsrtp.version ?? "" },
        cases: SRTP_CHECKS.map((k) => {
          const x = row.checks[k];
          return {
            classname: name,
            name: srtpCheckTitle(k),
            time: 0,
            verdict: x.status,
            ...(x.message ? { message: x.difference ? describeDifference(x.difference) : x.message } : {}),
            ...(x.difference ? { details: `expected (libsrtp / plaintext): ${x.difference.expected}\nactual (ours): ${x.difference.actual}` } : {}),
          };
        }),
      };
    }),
  );
}
