// `gwsdk tls serve` with and without --allow-peer (audit 5.1), against Node's tls clients:
// - with --allow-peer: only clients whose certificate names a listed FQDN (a trusted certificate for
//   another name is refused with ERR_TLS_PEER_NOT_ALLOWED / access_denied);
// - without: a warning that any trusted certificate is accepted, then any client whose chain verifies
//   against the store (the pool and a certificate for another name alike), while untrusted, expired
//   and revoked certificates are still refused with their codes.
// And createMtlsServer's `anyTrustedPeer` option rules.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import tls from "node:tls";
import Ajv2020 from "ajv/dist/2020.js";
import type { CertStore } from "../../../host/certs/cert-store.js";
import { createMtlsServer } from "../../../host/tls/mtls-server.js";
import { GATEWAY, POOL_MEMBERS, gatewayStore, keyPem, tlsPki, type TlsIdentityFiles, type TlsPki } from "../../helpers/tls-pki.js";
import { REPO_ROOT } from "../../helpers/paths.js";
import { requireCommand } from "../../helpers/system.js";
import { within } from "./mtls-helpers.js";

const sys = requireCommand("openssl", ["version"], "openssl");
const CLI = join(REPO_ROOT, "dist", "host", "cli", "main.js");

type Line = { event?: string; [k: string]: unknown };

/** A running `gwsdk tls serve`; its stderr lines (parsed with --json). */
class Serve {
  err = "";
  readonly p: ChildProcess;
  constructor(args: string[]) {
    this.p = spawn(process.execPath, [CLI, "tls", "serve", "--port", "0", "--host", "127.0.0.1", ...args], { stdio: "pipe" });
    this.p.stderr!.on("data", (d) => (this.err += d));
  }
  lines(): Line[] {
    return this.err.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Line);
  }
  async event(ev: string, n = 1): Promise<Line> {
    await within((async () => { while (this.lines().filter((l) => l.event === ev).length < n) await new Promise((r) => setTimeout(r, 10)); })(), 10_000, `serve event ${ev} #${n}`);
    return this.lines().filter((l) => l.event === ev)[n - 1]!;
  }
  async waitText(re: RegExp): Promise<void> {
    await within((async () => { while (!re.test(this.err)) await new Promise((r) => setTimeout(r, 10)); })(), 10_000, `serve output ${re}`);
  }
  async stop(): Promise<number | null> {
    this.p.kill("SIGTERM");
    const [code] = (await within(once(this.p, "exit"), 5000, "serve exits on SIGTERM")) as [number | null];
    return code;
  }
}

describe("gwsdk tls serve: --allow-peer, or any trusted peer with a warning", { skip: sys.skip }, () => {
  let pki: TlsPki;
  let store: CertStore;
  let storeDir: string;
  const ajv = new Ajv2020.default({ allErrors: true, strict: true });
  before(async () => {
    const schemaDir = join(REPO_ROOT, "docs", "schemas");
    for (const f of readdirSync(schemaDir).filter((f) => f.startsWith("tls-"))) ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, f), "utf8")));
    pki = tlsPki("p256");
    const g = await gatewayStore(pki); // trusts the Contoso root, with both CRLs
    store = g.store;
    storeDir = join(g.dir, "store");
  });
  after(() => store.close());

  const LINE = "OPTIONS sip:gw1 SIP/2.0\r\n\r\n";

  /** A Node client with `id`'s certificate sends a line: resolves with its echo, or the client's error. */
  function client(port: number, id: TlsIdentityFiles): Promise<{ echo?: string; error?: Error & { code?: string } }> {
    const c = tls.connect({ key: keyPem(id), cert: id.chainPem, ca: [pki.rootPem], host: "127.0.0.1", port, servername: GATEWAY });
    let got = "";
    const done = new Promise<{ echo?: string; error?: Error & { code?: string } }>((resolve) => {
      // a TLS 1.3 client learns that its certificate was refused on its next read
      c.once("secureConnect", () => c.write(LINE));
      c.on("data", (d) => {
        got += String(d);
        if (got.length >= LINE.length) resolve({ echo: got });
      });
      c.once("error", (error) => resolve({ error }));
      c.once("close", () => resolve({ error: new Error(`closed after ${JSON.stringify(got)}`) }));
    });
    return within(done, 10_000, "client").finally(() => c.destroy());
  }

  test("with --allow-peer: the listed member is echoed, a trusted certificate for another name is refused (ERR_TLS_PEER_NOT_ALLOWED)", async () => {
    const s = new Serve(["--store", storeDir, "--allow-peer", POOL_MEMBERS[0]!, "--json"]);
    try {
      const port = (await s.event("listening")).port as number;
      assert.equal((await client(port, pki.pool)).echo, LINE);
      const other = await client(port, pki.wrongName);
      assert.ok(other.error, "refused");
      const refused = await s.event("clientError");
      assert.equal((refused.error as { code: string }).code, "ERR_TLS_PEER_NOT_ALLOWED");
      assert.equal((refused.error as { alert: string }).alert, "access_denied");
      assert.equal(s.lines().filter((l) => l.event === "warning").length, 0, "no warning with --allow-peer");
    } finally {
      assert.equal(await s.stop(), 0, s.err);
    }
    const v = ajv.getSchema("https://gwsdk.invalid/schemas/tls-serve-event.schema.json")!;
    for (const l of s.lines()) assert.ok(v(l), `${ajv.errorsText(v.errors)}: ${JSON.stringify(l)}`);
  });

  test("without --allow-peer: a warning, then any client whose chain verifies (any name); untrusted, expired, revoked still refused", async () => {
    const s = new Serve(["--store", storeDir, "--json"]);
    try {
      const warning = await s.event("warning");
      assert.equal(warning.code, "WARN_TLS_ANY_TRUSTED_PEER");
      assert.match(String(warning.message), /any client whose certificate chains to a trust anchor of the store is accepted/);
      const port = (await s.event("listening")).port as number;
      assert.equal((await client(port, pki.pool)).echo, LINE);
      assert.equal((await client(port, pki.wrongName)).echo, LINE, "a trusted certificate for another name is accepted");
      const secure = await s.event("secure", 2);
      assert.equal((secure.session as { peerChain: { subject: string }[] }).peerChain[0]!.subject, "CN=other.fabrikam.com");
      const refusals: [TlsIdentityFiles, string, string][] = [
        [pki.untrusted, "ERR_TLS_CERT_UNTRUSTED", "unknown_ca"],
        [pki.expired, "ERR_TLS_CERT_EXPIRED", "certificate_expired"],
        [pki.revoked, "ERR_TLS_CERT_REVOKED", "certificate_revoked"],
      ];
      for (const [i, [id, code, alert]] of refusals.entries()) {
        const r = await client(port, id);
        assert.ok(r.error, `${code}: refused`);
        const e = (await s.event("clientError", i + 1)).error as { code: string; alert: string };
        assert.deepEqual([e.code, e.alert], [code, alert]);
      }
    } finally {
      assert.equal(await s.stop(), 0, s.err);
    }
    const v = ajv.getSchema("https://gwsdk.invalid/schemas/tls-serve-event.schema.json")!;
    for (const l of s.lines()) assert.ok(v(l), `${ajv.errorsText(v.errors)}: ${JSON.stringify(l)}`);
  });

  test("without --allow-peer, text output: the warning on stderr and in the listening line", async () => {
    const s = new Serve(["--store", storeDir]);
    try {
      await s.waitText(/listening on 127\.0\.0\.1:\d+ \(allowed peers: any client with a trusted certificate\)/);
      assert.match(s.err, /^gwsdk tls: warning: no --allow-peer: any client whose certificate chains to a trust anchor/);
    } finally {
      assert.equal(await s.stop(), 0, s.err);
    }
  });

  test("createMtlsServer: anyTrustedPeer takes no allowedPeers; allowedPeers may be empty only with it", () => {
    assert.throws(() => createMtlsServer({ store, allowedPeers: [POOL_MEMBERS[0]!], anyTrustedPeer: true }), (e: { code?: string }) => e.code === "ERR_TLS_CONFIG");
    assert.throws(() => createMtlsServer({ store, allowedPeers: [] }), (e: { code?: string }) => e.code === "ERR_TLS_CONFIG");
    createMtlsServer({ store, allowedPeers: [], anyTrustedPeer: true }).close();
  });
});
