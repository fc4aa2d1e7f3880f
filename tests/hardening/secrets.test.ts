// No secrets in logs: a full simulator run (calls both ways, a failover, debug-level JSON logs, the
// text and JSON reports, the packet captures), searched for every secret the run had: the SDES
// master keys and salts of every call (both sides), the SRTP/SRTCP session keys derived from them,
// every TLS secret (from the key log and from OpenSSL's), the gateway identity's private key, the
// device key, the demo CA's and the pool's private keys — each as lowercase and uppercase hex,
// base64 (padded or not), base64url, and as raw bytes, whole and in 12-byte windows (a secret
// truncated or split across a line is still found).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runSimulator } from "../../host/sim/simulator.js";
import { formatReport } from "../../host/sim/report.js";
import { Logger } from "../../host/gateway/log.js";
import type { Gateway } from "../../host/gateway/gateway.js";
import type { MediationPool } from "../../host/sim/mediation/pool.js";
import { CertStore } from "../../host/certs/cert-store.js";
import { srtpProfile } from "../../host/srtp/profiles.js";
import { refSessionKeys } from "../host/srtp/reference.js";
import { rmTmp, tmpDir } from "../host/certs/pki.js";

function forms(b: Uint8Array): string[] {
  const buf = Buffer.from(b);
  const b64 = buf.toString("base64");
  return [buf.toString("hex"), buf.toString("hex").toUpperCase(), b64, b64.replace(/=+$/, ""), buf.toString("base64url")];
}

/** Every searchable form of a secret: whole, and 12-byte windows (hex at every offset, base64 where aligned). */
function needles(secret: Uint8Array): { text: string[]; raw: Buffer[] } {
  const text = new Set<string>(forms(secret));
  const raw: Buffer[] = [Buffer.from(secret)];
  if (secret.length > 12) {
    for (let i = 0; i + 12 <= secret.length; i++) {
      const w = secret.subarray(i, i + 12);
      text.add(Buffer.from(w).toString("hex"));
      if (i % 3 === 0) text.add(Buffer.from(w).toString("base64"));
      raw.push(Buffer.from(w));
    }
  }
  return { text: [...text], raw };
}

function pemSecrets(pem: string): Uint8Array[] {
  const k = createPrivateKey(pem);
  const out: Uint8Array[] = [new Uint8Array(k.export({ type: "pkcs8", format: "der" }))];
  const jwk = k.export({ format: "jwk" }) as Record<string, string>;
  for (const f of ["d", "p", "q", "dp", "dq", "qi"]) if (jwk[f]) out.push(new Uint8Array(Buffer.from(jwk[f]!, "base64url")));
  return out;
}

test("a full simulator run puts no key material in its logs, reports or captures", { timeout: 300_000 }, async () => {
  const dir = tmpDir("secrets");
  try {
    const lines: string[] = [];
    const notes: string[] = [];
    const poolKeylog: string[] = [];
    let gw: Gateway | undefined;
    let pool: MediationPool | undefined;
    const stateDir = join(dir, "state");
    const files = { keylog: join(dir, "keys.log"), pcap: join(dir, "run.pcap"), pcapDecrypted: join(dir, "plain.pcap") };
    const report = await runSimulator({
      stateDir,
      calls: 6,
      durationS: 4,
      direction: "both",
      failover: true,
      logger: new Logger({ format: "json", level: "debug", write: (l) => lines.push(l) }),
      note: (m) => notes.push(m),
      poolKeylog: (l) => poolKeylog.push(l),
      ...files,
      onGateway: async (g, p) => {
        gw = g;
        pool = p;
      },
    });
    assert.ok(report.ok, `the run itself worked: ${JSON.stringify(report.problems)}`);
    assert.ok(gw && pool);

    // ---- the secrets of the run
    const secrets: { what: string; bytes: Uint8Array }[] = [];
    const add = (what: string, b: Uint8Array | undefined) => b && b.length >= 8 && secrets.push({ what, bytes: b });
    const sdes = (what: string, k: { masterKey: Uint8Array; masterSalt: Uint8Array }, profile: string) => {
      add(`${what} master key`, k.masterKey);
      add(`${what} master salt`, k.masterSalt);
      add(`${what} key||salt`, new Uint8Array(Buffer.concat([k.masterKey, k.masterSalt])));
      for (const rtcp of [false, true]) {
        const s = refSessionKeys(srtpProfile(profile as "AES_CM_128_HMAC_SHA1_80"), k.masterKey, k.masterSalt, rtcp);
        add(`${what} ${rtcp ? "SRTCP" : "SRTP"} session key`, s.encKey);
        add(`${what} ${rtcp ? "SRTCP" : "SRTP"} auth key`, s.authKey);
        add(`${what} ${rtcp ? "SRTCP" : "SRTP"} session salt`, s.salt);
      }
    };
    for (const r of gw!.calls()) {
      const n = r.call?.media.negotiated?.srtp;
      if (!n) continue;
      sdes(`gateway call ${r.id} tx`, n.tx, n.profile);
      for (const k of n.rx) sdes(`gateway call ${r.id} rx`, k, n.profile);
    }
    for (const c of pool!.calls()) {
      const n = c.media.negotiated?.srtp;
      if (n) for (const k of [n.tx, ...n.rx]) sdes(`pool call ${c.sip.callId}`, k, n.profile);
    }
    const ourKeylog = readFileSync(files.keylog, "utf8").trim().split("\n");
    for (const l of [...ourKeylog, ...poolKeylog.map((x) => x.trim())]) {
      const hex = l.split(" ")[2];
      if (hex) add(`TLS ${l.split(" ")[0]}`, new Uint8Array(Buffer.from(hex, "hex")));
    }
    const store = await CertStore.open(join(stateDir, "store"), { create: false });
    const id = await store.nodeTlsOptions((await store.list()).identities[0]!.name);
    store.close();
    for (const b of pemSecrets(id.key)) add("gateway identity private key", b);
    for (const f of ["ca/ca-key.pem", "pool/pool-key.pem"]) {
      try {
        for (const b of pemSecrets(readFileSync(join(stateDir, f), "utf8"))) add(`simulator ${f}`, b);
      } catch {
        /* not in this layout */
      }
    }
    add("device key", new Uint8Array(readFileSync(join(stateDir, "device.key"))));
    const sdesCount = secrets.filter((s) => s.what.includes("master key")).length;
    assert.ok(sdesCount >= 12, `${sdesCount} SDES master keys collected`);
    assert.ok(secrets.some((s) => s.what.startsWith("TLS ")), "TLS secrets collected");

    // ---- where they must not be
    const text = [...lines, ...notes, JSON.stringify(report), formatReport(report)].join("\n");
    const binaries = [readFileSync(files.pcap), readFileSync(files.pcapDecrypted)];
    // positive control: the search finds a secret where it legitimately is (the key log file)
    const kl = readFileSync(files.keylog, "utf8");
    const firstTls = secrets.find((s) => s.what.startsWith("TLS "))!;
    assert.ok(needles(firstTls.bytes).text.some((t) => kl.includes(t)), "the search finds a TLS secret in the key log");

    let searched = 0;
    for (const s of secrets) {
      const n = needles(s.bytes);
      for (const t of n.text) {
        searched++;
        assert.ok(!text.includes(t), `${s.what} appears in the logs/report as ${t.slice(0, 12)}…`);
      }
      for (const r of n.raw) for (const b of binaries) assert.equal(b.indexOf(r), -1, `${s.what} appears as raw bytes in a packet capture`);
    }
    console.log(
      `# ${secrets.length} secrets (${sdesCount} SDES master keys, their session keys, ${secrets.filter((s) => s.what.startsWith("TLS ")).length} TLS secrets, private and device keys) ` +
        `searched in ${searched} encodings through ${lines.length} debug log lines, the reports and ${binaries.reduce((n, b) => n + b.length, 0)} bytes of captures: none found`,
    );
  } finally {
    rmTmp(dir);
  }
});
