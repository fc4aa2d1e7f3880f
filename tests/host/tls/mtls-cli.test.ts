// `gwsdk tls connect` and `gwsdk tls serve` as processes (the built CLI), against Node's tls: the
// negotiated parameters and peer chain on stderr, stdin/stdout piped through the connection, error
// codes and exit status on refusals, and --json lines valid against docs/schemas/tls-*.schema.json.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import tls from "node:tls";
import Ajv2020 from "ajv/dist/2020.js";
import type { CertStore } from "../../../host/certs/cert-store.js";
import { GATEWAY, POOL, POOL_MEMBERS, gatewayStore, keyPem, nodeTlsOptions, tlsPki, type TlsPki } from "../../helpers/tls-pki.js";
import { REPO_ROOT } from "../../helpers/paths.js";
import { requireCommand } from "../../helpers/system.js";
import { nodeClientFailure, nodeEchoServer, within } from "./mtls-helpers.js";

const sys = requireCommand("openssl", ["version"], "openssl");
const CLI = join(REPO_ROOT, "dist", "host", "cli", "main.js");

interface Run {
  code: number | null;
  out: string;
  err: string;
}

/** Runs `gwsdk tls ...` with `input` on stdin. */
async function gwsdk(args: string[], input?: string): Promise<Run> {
  const p = spawn(process.execPath, [CLI, "tls", ...args], { stdio: "pipe" });
  let out = "";
  let err = "";
  p.stdout.on("data", (d) => (out += d));
  p.stderr.on("data", (d) => (err += d));
  if (input !== undefined) p.stdin.end(input);
  const [code] = (await within(once(p, "exit"), 15_000, `gwsdk tls ${args[0]}`)) as [number | null];
  return { code, out, err };
}

const ajv = new Ajv2020.default({ allErrors: true, strict: true });
function valid(schema: string, doc: unknown): void {
  const v = ajv.getSchema(`https://gwsdk.invalid/schemas/${schema}.schema.json`);
  assert.ok(v, `schema ${schema}`);
  assert.ok(v(doc), `${schema}: ${ajv.errorsText(v.errors)}\n${JSON.stringify(doc).slice(0, 2000)}`);
}

describe("gwsdk tls connect / serve", { skip: sys.skip }, () => {
  let pki: TlsPki;
  let store: CertStore;
  let storeDir: string;
  before(async () => {
    const schemaDir = join(REPO_ROOT, "docs", "schemas");
    for (const f of readdirSync(schemaDir).filter((f) => f.startsWith("tls-"))) ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, f), "utf8")));
    pki = tlsPki("rsa2048");
    const g = await gatewayStore(pki);
    store = g.store;
    storeDir = join(g.dir, "store");
  });
  after(() => store.close());

  test("connect: parameters and chain on stderr, stdin → server → stdout, close_notify at end of stdin", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true });
    try {
      const r = await gwsdk(["connect", `127.0.0.1:${peer.port}`, "--store", storeDir, "--servername", POOL], "INVITE sip:+15551234@gw1 SIP/2.0\r\n\r\n");
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, "INVITE sip:+15551234@gw1 SIP/2.0\r\n\r\n");
      assert.match(r.err, /TLSv1\.3 TLS_AES_256_GCM_SHA384 x25519/);
      assert.match(r.err, /0 CN=ms-pool\.contoso\.com {2}\[ms-pool\.contoso\.com, ms1\.contoso\.com, ms2\.contoso\.com\]/);
      assert.match(r.err, /2 CN=Contoso Root CA, O=Contoso/);
      assert.match(r.err, /signatures: ours rsa_pss_rsae_sha256, peer rsa_pss_rsae_sha256/);
    } finally {
      await peer.close();
    }
  });

  test("connect --tls1.2 --fips --json: one secure line valid against tls-session.schema.json", async () => {
    const peer = await nodeEchoServer({ ...nodeTlsOptions(pki), requestCert: true, rejectUnauthorized: true });
    try {
      const r = await gwsdk(["connect", `127.0.0.1:${peer.port}`, "--store", storeDir, "--servername", POOL_MEMBERS[0]!, "--tls1.2", "--fips", "--json"], "x");
      assert.equal(r.code, 0, r.err);
      const doc = JSON.parse(r.err.trim().split("\n")[0]!);
      valid("tls-session", doc);
      assert.equal(doc.session.version, "TLSv1.2");
      assert.equal(doc.session.group, "secp256r1"); // FIPS: no x25519
      assert.match(doc.session.suite, /^TLS_ECDHE_RSA_WITH_AES_(128_GCM_SHA256|256_GCM_SHA384)$/); // the OpenSSL server picks
    } finally {
      await peer.close();
    }
  });

  test("connect refused: exit 1, the error code on stderr (text and --json)", async () => {
    const peer = await nodeEchoServer({ key: keyPem(pki.expired), cert: pki.expired.chainPem, ca: [pki.rootPem], requestCert: true });
    try {
      const r = await gwsdk(["connect", `127.0.0.1:${peer.port}`, "--store", storeDir, "--servername", POOL], "");
      assert.equal(r.code, 1);
      assert.match(r.err, /^gwsdk tls: ERR_TLS_CERT_EXPIRED: the server's certificate: "CN=ms-pool\.contoso\.com" \(depth 0\): expired on/);
      const j = await gwsdk(["connect", `127.0.0.1:${peer.port}`, "--store", storeDir, "--servername", POOL, "--json"], "");
      assert.equal(j.code, 1);
      const doc = JSON.parse(j.err.trim());
      valid("tls-error", doc);
      assert.deepEqual([doc.error.code, doc.error.alert, doc.error.direction], ["ERR_TLS_CERT_EXPIRED", "certificate_expired", "sent"]);
    } finally {
      await peer.close();
    }
  });

  test("usage errors exit 2", async () => {
    assert.equal((await gwsdk(["connect", "no-port", "--servername", POOL])).code, 2);
    assert.equal((await gwsdk(["connect", "127.0.0.1:1", "--store", storeDir])).code, 2);
    assert.equal((await gwsdk(["connect", "127.0.0.1:1", "--servername", POOL, "--tls1.2", "--tls1.3"])).code, 2);
    assert.equal((await gwsdk(["serve", "--store", storeDir])).code, 2);
    assert.equal((await gwsdk(["bogus"])).code, 2);
  });

  test("serve: echoes an allowed Mediation Server, refuses others with their code; --json lines valid", async () => {
    const p = spawn(process.execPath, [CLI, "tls", "serve", "--port", "0", "--host", "127.0.0.1", "--store", storeDir, "--allow-peer", POOL_MEMBERS[0]!, "--json"], { stdio: "pipe" });
    let err = "";
    p.stderr.on("data", (d) => (err += d));
    const lines = () => err.split("\n").filter(Boolean).map((l) => JSON.parse(l) as { event: string; [k: string]: unknown });
    const waitEvent = async (ev: string, n = 1) => {
      await within((async () => { while (lines().filter((l) => l.event === ev).length < n) await new Promise((r) => setTimeout(r, 10)); })(), 10_000, `serve event ${ev}`);
      return lines().filter((l) => l.event === ev)[n - 1]!;
    };
    try {
      const port = (await waitEvent("listening")).port as number;
      // the Mediation Server (pool certificate, serverAuth only) connects and is echoed
      const c = tls.connect({ ...nodeTlsOptions(pki), host: "127.0.0.1", port, servername: GATEWAY });
      await within(once(c, "secureConnect"), 10_000, "handshake");
      c.write("OPTIONS sip:gw1 SIP/2.0\r\n\r\n");
      const [d] = await within(once(c, "data"), 5000, "echo");
      assert.equal(String(d), "OPTIONS sip:gw1 SIP/2.0\r\n\r\n");
      c.end();
      const secure = await waitEvent("secure");
      assert.equal((secure.session as { peerChain: { subject: string }[] }).peerChain[0]!.subject, `CN=${POOL}`);
      // a client without a certificate
      const bad = tls.connect({ host: "127.0.0.1", port, servername: GATEWAY, ca: [pki.rootPem] });
      await nodeClientFailure(bad);
      const refused = await waitEvent("clientError");
      assert.equal((refused.error as { code: string }).code, "ERR_TLS_NO_CLIENT_CERT");
      await waitEvent("closed");
      for (const l of lines()) valid("tls-serve-event", l);
    } finally {
      p.kill("SIGTERM");
      const [code] = await within(once(p, "exit"), 5000, "serve exits on SIGTERM");
      assert.equal(code, 0, err);
    }
  });
});
