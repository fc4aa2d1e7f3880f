// Crash safety: a child process updating the store (trust add/remove, key + CSR generation,
// policy changes, factory resets) is SIGKILLed at random moments, many times. After every kill the
// store opens, every file authenticates, every sealed key opens, and the content is one of the
// states the updates pass through (old or new), never a mix. (A process kill does not lose the page
// cache the way a power cut does; the fsync/rename/fsync-dir sequence that covers that case is
// described in docs/certificates.md.)
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { cpSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CertStore } from "../../../host/certs/cert-store.js";
import { FileDeviceKey } from "../../../host/certs/device-key.js";
import { FileStorage, SimulatedCrash, type FaultPoint } from "../../../host/certs/file-storage.js";
import { requireCommand } from "../../helpers/system.js";
import { TestCa, rmTmp, tmpDir } from "./pki.js";

const sys = requireCommand("openssl", ["version"], "openssl");
const KILLS = 30;
const CHILD = fileURLToPath(new URL("./crash-child.js", import.meta.url));

let dir: string;
before(() => {
  dir = tmpDir("crash");
});
after(() => rmTmp(dir));

function allFiles(d: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...allFiles(join(d, e.name)));
    else out.push(join(d, e.name));
  }
  return out;
}

test(`the store survives ${KILLS} SIGKILLs during updates: old or new, never broken`, { skip: sys.skip, timeout: 120_000 }, async () => {
  const a = TestCa.root(dir, "A", { subject: "/CN=Anchor A" });
  const b = TestCa.root(dir, "B", { subject: "/CN=Anchor B" });
  writeFileSync(join(dir, "a.der"), a.cert.der);
  writeFileSync(join(dir, "b.der"), b.cert.der);
  const storeDir = join(dir, "gw", "store");
  let midWrite = 0;
  for (let k = 0; k < KILLS; k++) {
    const child = spawn(process.execPath, [CHILD, storeDir, join(dir, "a.der"), join(dir, "b.der")], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((res, rej) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("ready") && res());
      child.on("exit", (code) => rej(new Error(`child exited early (${code})`)));
    });
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 80)));
    child.kill("SIGKILL");
    await once(child, "exit");
    if (allFiles(storeDir).some((f) => f.includes(".tmp-"))) midWrite++;

    const store = await CertStore.open(storeDir);
    try {
      assert.deepEqual(await store.verifyIntegrity(), [], `after kill ${k}`);
      const list = await store.list();
      assert.deepEqual(list.problems, []);
      // every anchor is one of the two, whole
      for (const t of list.anchors) assert.ok(["CN=Anchor A", "CN=Anchor B"].includes(t.subject), t.subject);
      assert.ok(["default", "strict"].includes(list.revocation));
      for (const i of list.identities) {
        assert.equal(i.fqdn, "gw1.contoso.com");
        assert.match((await store.csr(i.name)), /^-----BEGIN CERTIFICATE REQUEST-----/);
      }
      assert.ok(!allFiles(storeDir).some((f) => f.includes(".tmp-")), "stray temporary files are cleaned on open");
    } finally {
      store.close();
    }
  }
  // not an assertion (timing-dependent), but worth seeing in the log: kills that landed mid-write
  console.log(`# ${midWrite}/${KILLS} kills left a temporary file behind (killed during a write)`);
});

/** What a store holds, without the parts that differ run to run (new random keys, timestamps). */
async function stateOf(store: CertStore): Promise<string> {
  const l = await store.list();
  return JSON.stringify({
    ids: l.identities.map((i) => [i.name, i.state, i.certificate?.fingerprintSha256 ?? null, i.csrPending]),
    anchors: l.anchors.map((a) => a.fingerprintSha256).sort(),
    crls: l.crls.map((c) => c.fingerprintSha256),
    revocation: l.revocation,
  });
}

test("a crash at every step of every kind of update leaves the old or the new store (fault injection)", { skip: sys.skip, timeout: 120_000 }, async () => {
  const base = join(dir, "fi-base");
  const a = TestCa.root(dir, "FiA", { subject: "/CN=Fault A" });
  const b = TestCa.root(dir, "FiB", { subject: "/CN=Fault B" });
  {
    const s = await CertStore.open(join(base, "store"));
    await s.trustAdd(a.cert.der);
    await s.init({ fqdn: "gw1.contoso.com", key: "p256" });
    await s.init({ fqdn: "gw2.contoso.com", key: "p256", name: "two" });
    const act = await s.init({ fqdn: "gw4.contoso.com", key: "p256", name: "act" });
    const tmpl = ["basicConstraints = CA:FALSE", "extendedKeyUsage = serverAuth, clientAuth"];
    await s.import(Buffer.from(a.issue({ subject: "", ext: tmpl, csrPem: act.csrPem }).pem), { name: "act" });
    s.close();
  }
  const crl = a.crl();
  // the CA's answer to identity "two"'s CSR, prepared once
  const two = await CertStore.open(join(base, "store"));
  const twoCert = a.issue({ subject: "", ext: ["basicConstraints = CA:FALSE", "extendedKeyUsage = serverAuth, clientAuth"], csrPem: await two.csr("two") });
  two.close();

  const ops: Record<string, (s: CertStore) => Promise<unknown>> = {
    "trust add": (s) => s.trustAdd(b.cert.der),
    "trust remove": async (s) => s.trustRemove((await s.trustList())[0]!.fingerprintSha256),
    init: (s) => s.init({ fqdn: "gw3.contoso.com", key: "p256", name: "three" }),
    renew: (s) => s.init({ fqdn: "gw4.contoso.com", key: "p256", name: "act", renew: true }),
    import: (s) => s.import(Buffer.from(twoCert.pem), { name: "two" }),
    "crl import": (s) => s.crlImport(crl),
    policy: (s) => s.setRevocationPolicy("strict"),
    reset: (s) => s.reset(),
  };

  const work = join(dir, "fi-work");
  const fresh = () => {
    rmSync(work, { recursive: true, force: true });
    cpSync(base, work, { recursive: true });
  };
  const open = async (faults?: (p: FaultPoint, n: string) => void) =>
    CertStore.open(await FileStorage.open(join(work, "store"), faults ? { faults } : {}), { deviceKey: new FileDeviceKey(join(work, "device.key")) });

  let crashes = 0;
  for (const [opName, op] of Object.entries(ops)) {
    fresh();
    let s = await open();
    const before = await stateOf(s);
    const points: string[] = [];
    s.close();
    s = await open((p, n) => void points.push(`${p} ${n}`));
    await op(s);
    const after = await stateOf(s);
    s.close();
    assert.ok(points.length > 0, opName);
    assert.notEqual(before, after, `${opName} changes the store`);
    for (let k = 0; k < points.length; k++) {
      fresh();
      let step = 0;
      s = await open((p, n) => {
        if (step++ === k) throw new SimulatedCrash(p, n);
      });
      await assert.rejects(op(s), SimulatedCrash, `${opName} crash at ${points[k]}`);
      crashes++;
      const again = await open();
      try {
        assert.deepEqual(await again.verifyIntegrity(), [], `${opName} crash at ${points[k]}`);
        const st = await stateOf(again);
        assert.ok(st === before || st === after, `${opName}, crash at ${points[k]}: neither old nor new\n${st}\nold ${before}\nnew ${after}`);
      } finally {
        again.close();
      }
    }
  }
  console.log(`# ${crashes} simulated crashes over ${Object.keys(ops).length} kinds of update`);
});
