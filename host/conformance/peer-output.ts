// The peer report as text (what a field engineer pastes into a ticket) and as JUnit XML.
import type { PeerConformanceReport } from "./peer/index.js";
import { junitXml } from "./junit.js";
import { verdictLabel } from "./report.js";
import { table } from "./table.js";

export function peerReportText(r: PeerConformanceReport): string {
  const t = r.target;
  const out: string[] = [
    `gwsdk conformance peer — ${t.host}:${t.port} as ${t.servername} (${r.startedAt})`,
    `  gateway identity "${t.identity}"${r.gateway.fqdn ? ` (${r.gateway.fqdn})` : ""}, store ${t.store}; gwsdk ${r.tool.version}, node ${r.tool.node}; timeouts ${t.timeoutMs} ms`,
    "",
  ];
  out.push(table([{ title: "result" }, { title: "check" }, { title: "what was seen" }], r.items.map((i) => [verdictLabel(i.status), i.title, i.summary])));
  const todo = r.items.filter((i) => i.advice && (i.status === "fail" || i.status === "warn"));
  if (todo.length) {
    out.push("what to do:");
    for (const i of todo) out.push(`  ${verdictLabel(i.status)} ${i.id}: ${i.advice}`);
    out.push("");
  }
  if (r.peerCertificates.length) {
    out.push("peer certificate chain (as sent):");
    r.peerCertificates.forEach((c, k) => {
      out.push(`  [${k}] ${c.subject}`, `      issuer ${c.issuer}`, `      SANs ${c.sans.join(", ") || "none"}; EKU ${c.eku.join(", ") || "any"}; ${c.key}`, `      valid ${c.notBefore.slice(0, 10)} .. ${c.notAfter.slice(0, 10)} (${c.daysRemaining} day(s) left); sha256 ${c.fingerprintSha256}`);
    });
    out.push("");
  }
  if (r.negotiated) {
    const n = r.negotiated;
    out.push(`negotiated: ${n.version} ${n.suite}, group ${n.group}, peer signature ${n.peerSignatureScheme}, ours ${n.signatureScheme || "none (not asked)"}`, "");
  }
  const s = r.summary;
  out.push(`result: ${verdictLabel(s.status)} — ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skipped (${Math.round(r.durationMs)} ms)`);
  return out.join("\n") + "\n";
}

export function peerReportJunit(r: PeerConformanceReport): string {
  const groups = [...new Set(r.items.map((i) => i.group))];
  return junitXml(
    `gwsdk conformance peer ${r.target.host}:${r.target.port}`,
    groups.map((g) => {
      const list = r.items.filter((i) => i.group === g);
      return {
        name: `peer.${g}`,
        time: list.reduce((a, i) => a + i.durationMs, 0) / 1000,
        properties: { host: r.target.host, port: String(r.target.port), servername: r.target.servername },
        cases: list.map((i) => ({
          classname: `peer.${g}`,
          name: `${i.id}: ${i.title}`,
          time: i.durationMs / 1000,
          verdict: i.status,
          message: i.summary,
          ...(i.advice ? { details: `${i.summary}\nwhat to do: ${i.advice}` } : {}),
        })),
      };
    }),
  );
}
