// PEM (RFC 7468) encoding and a strict decoder: every BEGIN needs its END, the base64 must be clean.
import { CertError } from "./errors.js";

export interface PemBlock {
  label: string;
  der: Uint8Array;
}

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

export function looksLikePem(data: Uint8Array): boolean {
  const head = Buffer.from(data.subarray(0, Math.min(data.length, 4096))).toString("latin1");
  return head.includes("-----BEGIN ");
}

const B64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes every PEM block in `text`. Text between blocks (OpenSSL's "subject=" lines) is ignored. */
export function decodePem(text: string, source = "input"): PemBlock[] {
  const blocks: PemBlock[] = [];
  const lines = text.split(/\r?\n/);
  let i = 0;
  while (i < lines.length) {
    const begin = /^-----BEGIN ([A-Z0-9 #]+)-----\s*$/.exec(lines[i]!.trim());
    i++;
    if (!begin) continue;
    const label = begin[1]!;
    const body: string[] = [];
    let ended = false;
    while (i < lines.length) {
      const l = lines[i]!.trim();
      i++;
      if (l.startsWith("-----END ")) {
        if (l !== `-----END ${label}-----`) throw new CertError("ERR_CERT_PARSE", `${source}: PEM block "${label}" ends with "${l}"`, { file: source });
        ended = true;
        break;
      }
      if (l.startsWith("-----BEGIN ")) break;
      if (/^[A-Za-z-]+:/.test(l)) continue; // RFC 1421 headers (Proc-Type, DEK-Info)
      body.push(l);
    }
    if (!ended) throw new CertError("ERR_CERT_PARSE", `${source}: PEM block "${label}" is truncated (no END line)`, { file: source });
    const b64 = body.join("");
    if (!B64.test(b64) || b64.length % 4 !== 0 || b64.length === 0) {
      throw new CertError("ERR_CERT_PARSE", `${source}: PEM block "${label}" has damaged base64`, { file: source });
    }
    blocks.push({ label, der: new Uint8Array(Buffer.from(b64, "base64")) });
  }
  return blocks;
}
