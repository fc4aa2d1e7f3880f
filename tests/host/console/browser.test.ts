// The console in a real browser: Debian's Chromium driven by playwright-core, against a console
// whose data source is the simulator's running gateway (DemoTrunk: the gateway booted from the sim
// board, our MTLS both ways, the core's SRTP, and the Mediation pool on OpenSSL/node-srtp, one SRTP
// call each way) and whose store enrols a certificate from an `openssl` CA. Covers: first-use setup,
// log out, a wrong password, log in; the simulator's four MTLS links up with the version, suite and
// group our handshake negotiated (checked against OpenSSL's view of the same connections) and a
// call's counters moving; a CSR created and downloaded;
// a root trusted; bad uploads showing the store's error and changing nothing; the signed
// certificate uploaded and active; requests without the CSRF token (and from another site) refused;
// nothing secret in the pages. Screenshots go to tests/.tmp/console/ (and, with
// GWSDK_UPDATE_DOCS_IMAGES=1, to docs/images/console-*.png).
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { X509Certificate } from "node:crypto";
import { createServer } from "node:http";
import { once } from "node:events";
import { join } from "node:path";
import { DemoTrunk } from "../../../host/console/demo-trunk.js";
import { REPO_ROOT, TMP_DIR } from "../../helpers/paths.js";
import { requireCommand } from "../../helpers/system.js";
import { openssl } from "../certs/pki.js";
import { OpensslCa, startRig, tmpDir, until } from "./helpers.js";

const CHROMIUM = requireCommand("/usr/bin/chromium", ["--version"], "chromium");
const OPENSSL = requireCommand("openssl", ["version"], "openssl");
const PASSWORD = "Trunk-Console-Passw0rd";
const SHOTS = join(TMP_DIR, "console");

test("the console in Chromium: setup and login, live trunk status, CSR → openssl CA → upload, bad uploads, CSRF refused", { skip: CHROMIUM.skip ?? OPENSSL.skip, timeout: 120_000 }, async (t) => {
  const simDir = tmpDir("console-sim");
  const demo = await DemoTrunk.start({ stateDir: simDir, keyType: "p256" });
  const rig = await startRig({ dataSource: demo.source, pollIntervalMs: 500 });
  let ctx: import("playwright-core").BrowserContext | undefined;
  t.after(async () => {
    await ctx?.close();
    await rig.close();
    await demo.close();
    rmSync(simDir, { recursive: true, force: true });
  });
  const ca = new OpensslCa(rig.dir);
  const url = rig.console.url;

  const { chromium } = await import("playwright-core");
  ctx = await chromium.launchPersistentContext(tmpDir("chromium-profile"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    ignoreHTTPSErrors: true, // the console's self-signed certificate (its identity is checked in api.test.ts)
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text());
  });
  mkdirSync(SHOTS, { recursive: true });
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `console-${name}.png`), fullPage: true });
  const text = async (sel: string) => ((await page.locator(sel).first().textContent()) ?? "").trim();

  // ---- first use: set the password -------------------------------------------------------------
  await page.goto(url);
  await page.locator("[data-test=setup]").waitFor();
  await page.fill("[data-test=password]", PASSWORD);
  await page.fill("[data-test=password-confirm]", PASSWORD + "x");
  await page.click("[data-test=login-submit]");
  assert.match(await text("[data-test=error-message]"), /differ/);
  await page.fill("[data-test=password-confirm]", PASSWORD);
  await page.click("[data-test=login-submit]");
  await page.locator("[data-test=nav-status]").waitFor();
  assert.equal(await text("[data-test=gateway-name]"), "gw1.sim.gwsdk.test");

  // ---- log out, a wrong password, log in --------------------------------------------------------
  await page.click("[data-test=logout]");
  await page.locator("[data-test=login]").waitFor();
  await shot("login");
  await page.fill("[data-test=password]", "not the password");
  await page.click("[data-test=login-submit]");
  await page.locator("[data-test=error]").waitFor();
  assert.equal(await text("[data-test=error-code]"), "ERR_CONSOLE_LOGIN");
  await page.fill("[data-test=password]", PASSWORD);
  await page.click("[data-test=login-submit]");
  await page.locator("[data-test=nav-status]").waitFor();

  // ---- status: the simulator's links up, the calls' counters moving --------------------------------
  // Two links per pool member (ours to it, its to us), all on our MTLS: version, suite and group as our
  // handshake negotiated them, and as OpenSSL (the pool's side) saw the same connections.
  await page.locator("[data-test=link-row][data-state=up]").nth(3).waitFor();
  const linkRows = page.locator("[data-test=link-row][data-state=up]");
  assert.equal(await linkRows.count(), 4);
  assert.equal(await text("[data-test=tile-trunk] .badge"), "UP");
  const col = async (sel: string) => (await linkRows.locator(sel).allTextContents()).map((x) => x.trim());
  assert.deepEqual(await col("[data-test=link-tls]"), ["TLSv1.3", "TLSv1.3", "TLSv1.3", "TLSv1.3"]);
  const suites = await col("[data-test=link-suite]");
  for (const suite of suites) assert.match(suite, /^TLS_AES_(128_GCM_SHA256|256_GCM_SHA384)$/);
  assert.deepEqual(suites.sort(), demo.pool.linkViews.map((v) => v.suite!).sort(), "the suites OpenSSL agreed on");
  for (const g of await col("[data-test=link-group]")) assert.match(g, /^(x25519|secp256r1|secp384r1)$/, "our MTLS reports the group on inbound links too");
  assert.deepEqual(await col("[data-test=link-peer-subject]"), Array(4).fill("CN=mspool.sim.gwsdk.test"));
  const poolDays = Math.floor((Date.parse(new X509Certificate(readFileSync(join(simDir, "pool", "pool.pem"))).validTo) - Date.now()) / 86_400_000);
  for (const d of await col("[data-test=link-peer-days]")) assert.ok(d === `${poolDays} d` || d === `${poolDays - 1} d`, `${d} (the pool certificate: ${poolDays} d)`);
  assert.deepEqual((await page.locator("[data-test=pool-health]").allTextContents()).map((x) => x.trim()), ["up", "up"]);
  assert.equal(await page.locator("[data-test=call-row][data-state=confirmed]").count(), 2);
  assert.equal(await text("[data-test=call-profile]"), "AES_CM_128_HMAC_SHA1_80");
  assert.equal(await text("[data-test=call-mki]"), "1 (1 B)");
  const count = async (dir: "tx" | "rx") => Number((await text(`[data-test=call-row] [data-test=call-${dir}-packets]`)).replace(/,/g, ""));
  const tx0 = await count("tx");
  const rx0 = await count("rx");
  await until(async () => (await count("tx")) >= tx0 + 25 && (await count("rx")) >= rx0 + 25, 5000, "call counters to move in the page");
  assert.equal(await text("[data-test=call-auth-failures]"), "0");
  assert.equal(await text("[data-test=call-replays]"), "0");
  await until(async () => (await page.locator("[data-test=chart-pps] polyline").first().getAttribute("points"))!.split(" ").length >= 4, 5000, "chart points");
  assert.equal(await text("[data-test=live]"), "live");
  await shot("status");

  // the core's SRTP and node-srtp on the pool understood each other: no failure on either side
  for (const r of demo.calls()) {
    const peer = demo.pool.findCall(r.call!.sip.callId)!.call;
    assert.ok(peer.media.stats.rtpReceived > 25 && peer.media.stats.authFailures === 0, `${r.direction}: the pool decrypted the gateway's SRTP`);
  }

  // the page never shows key material of the calls
  const statusHtml = await page.content();
  for (const r of demo.calls()) {
    const s = r.call!.media.negotiated!.srtp!;
    for (const k of [s.tx, ...s.rx]) {
      const inline = Buffer.concat([k.masterKey, k.masterSalt]).toString("base64");
      assert.ok(!statusHtml.includes(inline) && !statusHtml.includes(Buffer.from(k.masterKey).toString("hex")), "no SRTP key in the page");
    }
  }

  // ---- certificates: CSR, download -------------------------------------------------------------------
  await page.click("[data-test=nav-certificates]");
  await page.locator("[data-test=csr-form]").waitFor();
  await page.fill("[name=fqdn]", "gw1.contoso.com");
  await page.fill("[name=sans]", "gw1-b.contoso.com");
  await page.selectOption("[name=keyType]", "p256");
  await page.click("[data-test=csr-submit]");
  await page.locator("[data-test=csr-pem]").waitFor();
  const csrShown = await page.locator("[data-test=csr-pem]").inputValue();
  assert.match(csrShown, /^-----BEGIN CERTIFICATE REQUEST-----/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("[data-test=csr-download]")]);
  const csrFile = readFileSync((await download.path())!, "utf8");
  assert.equal(csrFile, csrShown, `the downloaded CSR (${download.suggestedFilename()}) is the one shown`);
  assert.equal(download.suggestedFilename(), "gw1.contoso.com.csr");
  const req = openssl(["req", "-verify", "-noout", "-text"], { input: csrFile }).toString();
  assert.match(req, /Subject: CN\s*=\s*gw1\.contoso\.com/);
  assert.match(req, /DNS:gw1\.contoso\.com, DNS:gw1-b\.contoso\.com/);
  await page.locator("[data-test=identity][data-state=pending]").waitFor();

  // ---- trusted root --------------------------------------------------------------------------------
  await page.setInputFiles("[data-test=trust-file]", { name: "contoso-root.pem", mimeType: "application/x-pem-file", buffer: Buffer.from(ca.rootPem) });
  await page.click("[data-test=trust-submit]");
  await page.locator("[data-test=anchor-row]").waitFor();
  assert.match(await text("[data-test=anchor-row]"), /CN=Contoso Root CA, O=Contoso/);

  // ---- bad uploads: the store's error, nothing changed -----------------------------------------------
  const upload = async (name: string, data: string | Buffer) => {
    await page.setInputFiles("[data-test=upload-file]", { name, mimeType: "application/octet-stream", buffer: Buffer.from(data) });
    await page.click("[data-test=upload-submit]");
  };
  const storeBefore = JSON.stringify(await rig.store.show("default"));
  await upload("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
  await page.locator("[data-test=upload-form] ~ [data-test=error]").waitFor();
  assert.equal(await text("[data-test=upload-form] ~ [data-test=error] [data-test=error-code]"), "ERR_CERT_PARSE");
  const parseMessage = await text("[data-test=upload-form] ~ [data-test=error] [data-test=error-message]");
  const direct = await rig.store.import(Buffer.from("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n"), { source: "garbage.pem" }).catch((e: Error) => e.message);
  assert.equal(parseMessage, direct, "the message is the store's, word for word");
  const otherKey = join(rig.dir, "other.key");
  const otherCsr = openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", otherKey, "-subj", "/CN=gw1.contoso.com"]).toString();
  await upload("wrong-key.pem", ca.sign(otherCsr, ["gw1.contoso.com"]));
  await until(async () => (await text("[data-test=upload-form] ~ [data-test=error] [data-test=error-code]")) === "ERR_CERT_KEY_MISMATCH", 5000, "key mismatch error");
  assert.match(await text("[data-test=upload-form] ~ [data-test=error] [data-test=error-message]"), /does not match the stored key/);
  await shot("upload-error");
  assert.equal(JSON.stringify(await rig.store.show("default")), storeBefore, "the store did not change");
  assert.equal(await page.locator("[data-test=identity][data-state=pending]").count(), 1);

  // ---- the signed certificate: active -------------------------------------------------------------
  const leafPem = ca.sign(csrFile, ["gw1.contoso.com", "gw1-b.contoso.com"]);
  const leafFp = openssl(["x509", "-noout", "-fingerprint", "-sha256"], { input: leafPem }).toString().split("=")[1]!.trim().replace(/:/g, "").toLowerCase();
  await upload("gw1.contoso.com.pem", leafPem + ca.rootPem);
  await page.locator("[data-test=upload-result]").waitFor();
  await page.locator("[data-test=identity][data-state=active]").waitFor();
  assert.equal(await text("[data-test=identity-trust]"), "trusted");
  assert.equal(await text("[data-test=identity-fingerprint]"), leafFp);
  assert.equal(await text("[data-test=identity-subject]"), "CN=gw1.contoso.com");
  assert.equal((await rig.store.show("default")).state, "active");
  assert.equal(await text("[data-test=identity-check]"), "usable, with warnings");
  assert.match(await text("[data-test=identity-warning]"), /^WARN_CERT_CRL_MISSING/);
  await until(() => rig.console.tls.source === "gateway", 3000, "the console to serve the enrolled certificate");
  // a second identity whose certificate expires in 20 days: an expiry warning at the top
  const soon = await rig.store.init({ name: "backup", fqdn: "gw1-backup.contoso.com", key: "p256" });
  await rig.store.import(Buffer.from(ca.sign(soon.csrPem, ["gw1-backup.contoso.com"], { days: 20 })), { source: "backup.pem" });
  await page.reload();
  await page.locator("[data-test=identity][data-state=active]").nth(1).waitFor();
  assert.match(await text("[data-test=expiry-warning]"), /^EXPIRINGidentity certificate “CN=gw1-backup\.contoso\.com” expires in (19|20) day\(s\)/);
  await shot("certificates");

  // ---- CSRF: requests without the token are refused, and change nothing ----------------------------
  const fp = (await rig.store.trustList())[0]!.fingerprintSha256;
  const noToken = await page.evaluate(async (f) => {
    const del = await fetch(`/api/certs/trust/${f}`, { method: "DELETE" });
    const csr = await fetch("/api/certs/csr", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ fqdn: "evil.example.com", keyType: "p256", renew: true }) });
    return [{ status: del.status, body: await del.json() }, { status: csr.status, body: await csr.json() }];
  }, fp);
  for (const r of noToken) {
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, "ERR_CONSOLE_CSRF");
  }
  assert.equal((await rig.store.trustList()).length, 1, "the root is still trusted");
  assert.equal((await rig.store.show("default")).csrPending, false, "no renewal CSR was made");

  // another site posting a form to the console (classic CSRF): refused
  const evil = createServer((_req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(`<form method="POST" action="${url}api/certs/csr" enctype="text/plain"><input name='{"fqdn":"evil.example.com","x":"' value='"}'><button id="go">go</button></form>`);
  });
  evil.listen(0, "127.0.0.1");
  await once(evil, "listening");
  t.after(() => evil.close());
  const evilPage = await ctx.newPage();
  await evilPage.goto(`http://localhost:${(evil.address() as { port: number }).port}/`);
  await Promise.all([evilPage.waitForNavigation(), evilPage.click("#go")]);
  const evilBody = (await evilPage.textContent("body")) ?? "";
  assert.match(evilBody, /ERR_CONSOLE_(ORIGIN|CSRF|AUTH)/, evilBody);
  await evilPage.close();
  assert.equal((await rig.store.show("default")).csrPending, false, "the cross-site form changed nothing");

  // ---- nothing secret in the pages -----------------------------------------------------------------
  const certsHtml = await page.content();
  assert.ok(!certsHtml.includes("PRIVATE KEY") && !certsHtml.includes(PASSWORD), "no key, no password in the page");
  const auth = JSON.parse(readFileSync(join(rig.dir, "console", "console-auth.json"), "utf8")) as { hash: string };
  assert.ok(!certsHtml.includes(auth.hash) && !statusHtml.includes(auth.hash));
  assert.deepEqual(pageErrors, [], "no script error, no CSP violation");

  if (process.env.GWSDK_UPDATE_DOCS_IMAGES === "1") {
    const docs = join(REPO_ROOT, "docs", "images");
    mkdirSync(docs, { recursive: true });
    for (const n of ["login", "status", "certificates", "upload-error"]) copyFileSync(join(SHOTS, `console-${n}.png`), join(docs, `console-${n}.png`));
  }
});
