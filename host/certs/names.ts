// Name checks: RFC 6125 §6 matching of a reference DNS name (or IP) against a certificate, and
// RFC 5280 §4.2.1.10 name constraints for dNSName and iPAddress.
import { isIP } from "node:net";
import type { GeneralSubtrees, ParsedCert } from "./x509.js";

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Lower-cases and strips one trailing dot; undefined when not a valid LDH host name (A-labels only). */
export function normalizeDnsName(name: string): string | undefined {
  let n = name.toLowerCase();
  if (n.endsWith(".")) n = n.slice(0, -1);
  if (n.length === 0 || n.length > 253) return undefined;
  const labels = n.split(".");
  return labels.every((l) => LABEL.test(l)) ? n : undefined;
}

/**
 * Does presented identifier `pattern` (from a certificate) match reference name `ref`?
 * RFC 6125 §6.4.3 as browsers apply it: a wildcard only as the whole leftmost label ("*.example.com";
 * never "f*.example.com"), matching exactly one non-empty label (never across dots), and never on a
 * pattern with fewer than two labels after the wildcard ("*.com" matches nothing).
 */
export function matchDnsPattern(pattern: string, ref: string): boolean {
  const r = normalizeDnsName(ref);
  if (!r) return false;
  let p = pattern.toLowerCase();
  if (p.endsWith(".")) p = p.slice(0, -1);
  if (!p.startsWith("*.")) {
    const np = normalizeDnsName(p);
    return np !== undefined && np === r;
  }
  const rest = normalizeDnsName(p.slice(2));
  if (!rest || rest.split(".").length < 2) return false;
  const dot = r.indexOf(".");
  if (dot <= 0) return false;
  return r.slice(dot + 1) === rest;
}

/** Parses a textual IPv4/IPv6 address to bytes, or undefined. */
export function ipToBytes(s: string): Uint8Array | undefined {
  const kind = isIP(s);
  if (kind === 4) return Uint8Array.from(s.split(".").map(Number));
  if (kind !== 6) return undefined;
  let text = s;
  const out = new Uint8Array(16);
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4) {
    tail = v4[1]!.split(".").map(Number);
    text = text.slice(0, -v4[1]!.length) + "0:0";
  }
  const [head, back] = text.split("::") as [string, string | undefined];
  const h = head ? head.split(":") : [];
  const b = back !== undefined && back !== "" ? back.split(":") : [];
  const groups = [...h, ...new Array(8 - h.length - b.length).fill("0"), ...b];
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  });
  if (v4) out.set(tail, 12);
  return out;
}

export type NameMatch = { ok: true; by: "san-dns" | "san-ip" | "cn" } | { ok: false; presented: string[] };

/**
 * Matches reference `name` (a DNS name or an IP literal) against `cert` per RFC 6125: SAN dNSName
 * (iPAddress for IP literals); the subject CN only when the certificate has no SAN extension at all.
 */
export function matchCertificateName(cert: ParsedCert, name: string): NameMatch {
  const ip = ipToBytes(name);
  if (ip) {
    const want = Buffer.from(ip);
    for (const a of cert.ipAddresses) {
      const b = ipToBytes(a);
      if (b && want.equals(Buffer.from(b))) return { ok: true, by: "san-ip" };
    }
    return { ok: false, presented: cert.ipAddresses };
  }
  if (cert.hasSan) {
    for (const p of cert.dnsNames) if (matchDnsPattern(p, name)) return { ok: true, by: "san-dns" };
    return { ok: false, presented: cert.dnsNames };
  }
  // No SAN at all: the (last) CN, exactly, no wildcards (RFC 6125 §6.4.4 allows CN only as a fallback).
  const cn = cert.subject.commonNames.at(-1);
  if (cn !== undefined && !cn.includes("*") && normalizeDnsName(cn) !== undefined && normalizeDnsName(cn) === normalizeDnsName(name)) {
    return { ok: true, by: "cn" };
  }
  return { ok: false, presented: cert.subject.commonNames };
}

/** dNSName constraint per RFC 5280 §4.2.1.10: "example.com" matches itself and any subdomain. */
function dnsWithin(name: string, constraint: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  let c = constraint.toLowerCase();
  if (c === "") return true;
  if (c.startsWith(".")) c = c.slice(1); // leading-dot form used by some CAs: subdomains only
  const star = n.startsWith("*.") ? n.slice(2) : n;
  return star === c || star.endsWith("." + c) || n === c || n.endsWith("." + c);
}

function ipWithin(ip: Uint8Array, c: { addr: Uint8Array; mask: Uint8Array }): boolean {
  if (ip.length !== c.addr.length) return false;
  for (let i = 0; i < ip.length; i++) if ((ip[i]! & c.mask[i]!) !== (c.addr[i]! & c.mask[i]!)) return false;
  return true;
}

/**
 * Checks the DNS and IP names of `cert` (SAN entries, and the CN when it is used as a host name)
 * against a CA's name constraints. Returns the offending name, or undefined when all are allowed.
 */
export function violatesNameConstraints(cert: ParsedCert, nc: { permitted?: GeneralSubtrees; excluded?: GeneralSubtrees }): string | undefined {
  const dns = [...cert.dnsNames];
  if (!cert.hasSan) for (const cn of cert.subject.commonNames) if (normalizeDnsName(cn)) dns.push(cn);
  for (const n of dns) {
    if (nc.excluded && nc.excluded.dns.some((c) => dnsWithin(n, c))) return n;
    if (nc.permitted && nc.permitted.dns.length > 0 && !nc.permitted.dns.some((c) => dnsWithin(n, c))) return n;
  }
  for (const a of cert.ipAddresses) {
    const b = ipToBytes(a);
    if (!b) return a;
    if (nc.excluded && nc.excluded.ip.some((c) => ipWithin(b, c))) return a;
    if (nc.permitted && nc.permitted.ip.length > 0 && !nc.permitted.ip.some((c) => ipWithin(b, c))) return a;
  }
  return undefined;
}
