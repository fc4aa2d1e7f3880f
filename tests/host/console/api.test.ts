// The console's HTTP API without a browser: login and first-use setup, CSRF and Origin checks on
// every change, the Host allow-list, rate limiting, cookie and security headers, certificate
// enrolment through the API with an `openssl` CA (PEM, PKCS#12), errors worded by the store, upload
// limits, live updates (SSE) ending with the session, the HTTPS identity switching to the enrolled
// certificate, and no secret in any answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { EmptyDataSource, type ConsoleDataSource } from "../../../host/console/data-source.js";
import { requireCommand } from "../../helpers/system.js";
import { openssl } from "../certs/pki.js";
import { Client, OpensslCa, httpsGet, multipart, startRig, until } from "./helpers.js";

const PASSWORD = "Mediation-Trunk-2025!";
const OPENSSL = requireCommand("openssl", ["version"], "openssl");

test("session, first-use setup and login: CSRF, Origin, fixation, rate limiting, Host allow-list, headers", async (t) => {
  let now = 1_000_000;
  const rig = await startRig({ limiter: { now: () => now } });
  t.after(() => rig.close());
  const c = new Client(rig.console);

  // nothing but the session endpoint without a login
  for (const p of ["/api/status", "/api/events", "/api/certs"]) {
    const r = await c.req("GET", p);
    assert.equal(r.status, 401, p);
    assert.equal(r.json.error.code, "ERR_CONSOLE_AUTH");
  }
  // spellings the router maps onto a protected route do not get around the login
  for (const p of ["/%61pi/status", "/api/%73tatus", "/api/status/", "/x/../api/status", "/api/./certs", "/%61pi/certs/csr?name=default"]) {
    const r = await c.req("GET", p);
    assert.ok(r.status === 401 || r.status === 404, `${p}: ${r.status}`);
    assert.ok(!("links" in (r.json ?? {})) && !("identities" in (r.json ?? {})), p);
  }
  const s = await c.req("GET", "/api/session");
  assert.equal(s.status, 200);
  assert.deepEqual({ passwordSet: s.json.passwordSet, authenticated: s.json.authenticated }, { passwordSet: false, authenticated: false });
  assert.equal(s.json.gateway, undefined, "nothing about the gateway before login");
  const cookie = String(s.headers["set-cookie"]);
  assert.match(cookie, /^__Host-gwsdk-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
  const anonCookie = c.cookie;

  // security headers on the page and the API
  const page = await c.req("GET", "/");
  assert.equal(page.status, 200);
  assert.match(String(page.headers["content-security-policy"]), /default-src 'none'; script-src 'self'/);
  assert.equal(page.headers["x-frame-options"], "DENY");
  assert.equal(page.headers["x-content-type-options"], "nosniff");
  assert.equal(s.headers["cache-control"], "no-store");
  assert.doesNotMatch(page.body, /<script>|\son[a-z]+=/i, "no inline script in the page");

  // setup without the token, with a wrong token, from another origin: refused, nothing set
  let r = await c.req("POST", "/api/setup", { json: { password: PASSWORD }, csrf: false });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, "ERR_CONSOLE_CSRF");
  r = await c.req("POST", "/api/setup", { json: { password: PASSWORD }, headers: { "x-csrf-token": "A".repeat(43) }, csrf: false });
  assert.equal(r.json.error.code, "ERR_CONSOLE_CSRF");
  r = await c.req("POST", "/api/setup", { json: { password: PASSWORD }, headers: { origin: "https://evil.example" } });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, "ERR_CONSOLE_ORIGIN");
  r = await c.req("POST", "/api/setup", { json: { password: PASSWORD }, headers: { "sec-fetch-site": "cross-site" } });
  assert.equal(r.json.error.code, "ERR_CONSOLE_ORIGIN");
  r = await c.req("POST", "/api/setup", { json: { password: "short" } });
  assert.equal(r.status, 400);
  assert.equal(r.json.error.code, "ERR_CONSOLE_PASSWORD_WEAK");
  assert.equal((await c.req("GET", "/api/session")).json.passwordSet, false);

  // setup with the token: logged in, with a new session id (the anonymous one is dead)
  r = await c.req("POST", "/api/setup", { json: { password: PASSWORD }, headers: { origin: `https://127.0.0.1:${rig.console.port}` } });
  assert.equal(r.status, 200, r.body);
  assert.notEqual(c.cookie, anonCookie);
  assert.equal((await c.req("GET", "/api/status")).status, 200);
  const stale = new Client(rig.console);
  stale.cookie = anonCookie;
  assert.equal((await stale.req("GET", "/api/status")).status, 401, "the pre-login session id does not log in");
  r = await c.req("POST", "/api/setup", { json: { password: "another long password" } });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, "ERR_CONSOLE_PASSWORD_SET");
  const me = await c.req("GET", "/api/session");
  assert.equal(me.json.authenticated, true);
  assert.equal(me.json.https.source, "console");
  assert.equal(me.json.https.key, undefined);

  // logout ends the session
  r = await c.req("POST", "/api/logout", { json: {} });
  assert.equal(r.status, 200);
  assert.equal((await c.req("GET", "/api/status")).status, 401);

  // five wrong passwords lock this address out, even for the right one; others are not affected
  for (let i = 0; i < 5; i++) {
    r = await c.req("POST", "/api/login", { json: { password: `wrong password ${i}` } });
    assert.equal(r.status, 401);
    assert.equal(r.json.error.code, "ERR_CONSOLE_LOGIN");
  }
  r = await c.req("POST", "/api/login", { json: { password: PASSWORD } });
  assert.equal(r.status, 429);
  assert.equal(r.json.error.code, "ERR_CONSOLE_RATE_LIMITED");
  assert.equal(r.headers["retry-after"], "30");
  const other = new Client(rig.console, "192.0.2.55");
  await other.logIn(PASSWORD);
  assert.equal((await other.req("GET", "/api/status")).status, 200);
  now += 30_001;
  r = await c.req("POST", "/api/login", { json: { password: PASSWORD } });
  assert.equal(r.status, 200, r.body);

  // DNS rebinding: a Host the console does not own is refused, page and API alike
  for (const p of ["/", "/api/session"]) {
    const bad = await c.req("GET", p, { headers: { host: "attacker.example:8443" } });
    assert.equal(bad.status, 421, p);
    assert.equal(bad.json.error.code, "ERR_CONSOLE_HOST");
  }
  assert.equal((await c.req("GET", "/api/session", { headers: { host: `localhost:${rig.console.port}` } })).status, 200);

  // password change: the current one is required; other sessions end
  r = await c.req("POST", "/api/password", { json: { current: "not it at all", password: "the next password" } });
  assert.equal(r.json.error.code, "ERR_CONSOLE_LOGIN");
  r = await c.req("POST", "/api/password", { json: { current: PASSWORD, password: "the next password" } });
  assert.equal(r.status, 200);
  assert.equal((await c.req("GET", "/api/status")).status, 200, "this session stays");
  assert.equal((await other.req("GET", "/api/status")).status, 401, "other sessions end");
  const fresh = new Client(rig.console, "192.0.2.56");
  await fresh.logIn("the next password");

  // no secret in the password file leaks through the API
  const rec = JSON.parse(readFileSync(join(rig.dir, "console", "console-auth.json"), "utf8")) as { salt: string; hash: string };
  for (const p of ["/api/session", "/api/status", "/api/certs"]) {
    const body = (await c.req("GET", p)).body;
    assert.ok(!body.includes(rec.hash) && !body.includes(rec.salt) && !body.includes("the next password"), p);
  }
});

test("certificates through the API: CSR, openssl-signed import, errors as the store words them, PKCS#12, trust store, limits", { skip: OPENSSL.skip }, async (t) => {
  const rig = await startRig({ uploadLimitBytes: 64 * 1024 });
  t.after(() => rig.close());
  const ca = new OpensslCa(rig.dir);
  const c = new Client(rig.console);
  await c.logIn(PASSWORD);

  // a CSR
  let r = await c.req("POST", "/api/certs/csr", { json: { fqdn: "gw1.contoso.com", sans: ["gw1-b.contoso.com"], ips: [], keyType: "p256" } });
  assert.equal(r.status, 200, r.body);
  const csrPem: string = r.json.csrPem;
  assert.match(csrPem, /^-----BEGIN CERTIFICATE REQUEST-----/);
  const dl = await c.req("GET", "/api/certs/csr?name=default");
  assert.equal(dl.status, 200);
  assert.match(String(dl.headers["content-type"]), /^application\/pkcs10/);
  assert.equal(dl.headers["content-disposition"], 'attachment; filename="gw1.contoso.com.csr"');
  assert.equal(dl.body, csrPem);
  const text = openssl(["req", "-verify", "-noout", "-text"], { input: dl.body }).toString();
  assert.match(text, /Subject: CN\s*=\s*gw1\.contoso\.com/);
  assert.match(text, /DNS:gw1\.contoso\.com, DNS:gw1-b\.contoso\.com/);
  assert.match(text, /TLS Web Server Authentication, TLS Web Client Authentication/);
  // the same identity again without renewing: the store's own words
  r = await c.req("POST", "/api/certs/csr", { json: { fqdn: "gw1.contoso.com", keyType: "p256" } });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.code, "ERR_CERT_EXISTS");
  assert.match(r.json.error.message, /identity "default" already exists/);
  r = await c.req("POST", "/api/certs/csr", { json: { fqdn: "not a name", keyType: "p256", name: "other" } });
  assert.equal(r.json.error.code, "ERR_CERT_ARG");
  r = await c.req("POST", "/api/certs/csr", { json: { fqdn: "gw2.contoso.com", keyType: "dsa1024" } });
  assert.equal(r.json.error.code, "ERR_CONSOLE_BAD_REQUEST");

  // trust the root, then import the CA's answer (leaf + root, PEM)
  r = await c.req("POST", "/api/certs/trust", { multipart: multipart({}, { name: "root.pem", data: ca.rootPem }) });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.added.length, 1);
  const leafPem = ca.sign(csrPem, ["gw1.contoso.com", "gw1-b.contoso.com"]);
  const before = (await c.req("GET", "/api/certs")).json;
  assert.equal(before.identities[0].state, "pending");

  // bad uploads: garbage, a certificate for another key, a CA certificate; the identity does not change
  const bads: [string, string | Uint8Array, string, RegExp][] = [
    ["garbage.pem", "this is not a certificate\n", "ERR_CERT_PARSE", /garbage\.pem/],
    ["wrong-key.pem", ca.sign(openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(rig.dir, "other.key"), "-subj", "/CN=gw1.contoso.com"]).toString(), ["gw1.contoso.com"]), "ERR_CERT_KEY_MISMATCH", /does not match the stored key/],
    ["root.pem", ca.rootPem, "ERR_CERT_IS_CA", /CA certificate/],
  ];
  for (const [name, data, code, msg] of bads) {
    r = await c.req("POST", "/api/certs/import", { multipart: multipart({}, { name, data }) });
    assert.equal(r.status, 400, `${name}: ${r.body}`);
    assert.equal(r.json.error.code, code, name);
    assert.match(r.json.error.message, msg, name);
  }
  assert.deepEqual((await c.req("GET", "/api/certs")).json.identities, before.identities, "failed uploads changed nothing");

  r = await c.req("POST", "/api/certs/import", { multipart: multipart({}, { name: "gw1.pem", data: leafPem + ca.rootPem }) });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.trust, "trusted");
  assert.equal(r.json.certificate.subject, "CN=gw1.contoso.com");
  const after = (await c.req("GET", "/api/certs")).json;
  assert.equal(after.identities[0].state, "active");
  assert.equal(after.identities[0].trust, "trusted");
  assert.equal(after.identities[0].check.problems.length, 0, JSON.stringify(after.identities[0].check));
  assert.deepEqual(after.identities[0].check.warnings.map((w: { code: string }) => w.code), ["WARN_CERT_CRL_MISSING"], "usable; only the missing CRL is noted");

  // the same certificate again as DER and as PKCS#7 (.p7b): each format is read and accepted
  const leafDer = openssl(["x509", "-outform", "DER"], { input: leafPem });
  r = await c.req("POST", "/api/certs/import", { multipart: multipart({}, { name: "gw1.cer", data: leafDer }) });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.format, "der");
  writeFileSync(join(rig.dir, "leaf.pem"), leafPem);
  const p7b = openssl(["crl2pkcs7", "-nocrl", "-certfile", join(rig.dir, "leaf.pem"), "-certfile", ca.root.cert.certFile, "-outform", "DER"]);
  r = await c.req("POST", "/api/certs/import", { multipart: multipart({}, { name: "gw1.p7b", data: p7b }) });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.format, "pkcs7");
  assert.equal(r.json.chainLength, 2);

  // PKCS#12 with its key, into another identity; a wrong password is the store's ERR_CERT_PASSWORD
  const p12Key = join(rig.dir, "p12.key");
  const p12Csr = openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", p12Key, "-subj", "/CN=gw2.contoso.com"]).toString();
  const p12Cert = join(rig.dir, "p12.pem");
  writeFileSync(p12Cert, ca.sign(p12Csr, ["gw2.contoso.com"]));
  const pfx = openssl(["pkcs12", "-export", "-inkey", p12Key, "-in", p12Cert, "-certfile", ca.root.cert.certFile, "-passout", "pass:pfx-secret-1"]);
  r = await c.req("POST", "/api/certs/import", { multipart: multipart({ name: "second", password: "wrong one" }, { name: "gw2.pfx", data: pfx }) });
  assert.equal(r.json.error.code, "ERR_CERT_PASSWORD");
  r = await c.req("POST", "/api/certs/import", { multipart: multipart({ name: "second", password: "pfx-secret-1" }, { name: "gw2.pfx", data: pfx }) });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.json.format, "pkcs12");
  assert.equal(r.json.name, "second");
  const listing = (await c.req("GET", "/api/certs")).body;
  assert.ok(!listing.includes("PRIVATE KEY") && !listing.includes("pfx-secret-1"), "no key and no password in the listing");

  // upload limits and shape
  r = await c.req("POST", "/api/certs/import", { multipart: multipart({}, { name: "big.pem", data: Buffer.alloc(70 * 1024, 0x41) }) });
  assert.equal(r.status, 413);
  assert.equal(r.json.error.code, "ERR_CONSOLE_TOO_LARGE");
  r = await c.req("POST", "/api/certs/import", { json: { file: leafPem } });
  assert.equal(r.json.error.code, "ERR_CONSOLE_BAD_REQUEST");
  r = await c.req("POST", "/api/certs/import", { multipart: multipart({}) });
  assert.equal(r.json.error.code, "ERR_CONSOLE_BAD_REQUEST");

  // trust remove: refused without the CSRF token (nothing removed), done with it
  const fp: string = after.anchors[0].fingerprintSha256;
  r = await c.req("DELETE", `/api/certs/trust/${fp}`, { csrf: false });
  assert.equal(r.status, 403);
  assert.equal(r.json.error.code, "ERR_CONSOLE_CSRF");
  assert.equal((await rig.store.trustList()).length, 1);
  r = await c.req("DELETE", `/api/certs/trust/${fp}`);
  assert.equal(r.status, 200);
  assert.equal((await rig.store.trustList()).length, 0);
  r = await c.req("DELETE", `/api/certs/trust/${fp}`);
  assert.equal(r.status, 404);
  assert.equal(r.json.error.code, "ERR_CERT_NOT_FOUND");
});

function sse(port: number, cookie: string): { events: { event: string; data: any }[]; ended: Promise<void>; close(): void } {
  const events: { event: string; data: any }[] = [];
  let buf = "";
  let req: ReturnType<typeof httpsRequest>;
  const ended = new Promise<void>((resolve, reject) => {
    req = httpsRequest({ host: "127.0.0.1", port, path: "/api/events", headers: { cookie, host: `127.0.0.1:${port}` }, rejectUnauthorized: false, agent: false }, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), /^text\/event-stream/);
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        buf += d;
        let i;
        while ((i = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
        }
      });
      res.on("end", () => resolve());
      res.on("error", () => resolve());
    });
    req.on("error", reject);
    req.end();
  });
  return { events, ended, close: () => req.destroy() };
}

test("live updates: SSE history/status/point events, pushed on change, closed with 'logout' when the session ends; a failing data source does not take the API down", async (t) => {
  const src = new EmptyDataSource({ name: "gw-live.contoso.com" }) as EmptyDataSource & ConsoleDataSource;
  let fail = false;
  let calls = 0;
  const listeners: (() => void)[] = [];
  const ds: ConsoleDataSource = {
    links: () => {
      if (fail) throw new Error("boom");
      return [];
    },
    pool: () => [],
    calls: () => [{ id: "c1", direction: "outbound", state: "confirmed", from: "+1", to: "+2", startedAt: new Date().toISOString(), srtp: null, codec: "PCMU", tx: { packets: (calls += 50), bytes: calls * 172 }, rx: { packets: calls, bytes: calls * 172 }, authFailures: 0, replays: 0, mkiUnknown: 0, lost: 0, lossFraction: 0, jitterMs: 0, rttMs: null }],
    gateway: () => src.gateway(),
    on: (_e, l) => listeners.push(l),
    off: () => undefined,
  };
  const rig = await startRig({ dataSource: ds, pollIntervalMs: 100, maxEventStreams: 2 });
  t.after(() => rig.close());
  const c = new Client(rig.console);
  await c.logIn(PASSWORD);
  const stream = sse(rig.console.port, c.cookie!);
  t.after(() => stream.close());
  await until(() => stream.events.some((e) => e.event === "point"), 3000, "a history point");
  assert.equal(stream.events[0]!.event, "history");
  const st = stream.events.find((e) => e.event === "status")!;
  assert.equal(st.data.gateway.name, "gw-live.contoso.com");
  const point = stream.events.filter((e) => e.event === "point").at(-1)!.data;
  assert.ok(point.txPps > 0 && point.calls === 1, JSON.stringify(point));
  // streams are counted, limited, and forgotten when the browser goes away
  const second = sse(rig.console.port, c.cookie!);
  await until(() => rig.console.eventStreams === 2, 2000, "two streams");
  const third = await httpsGet(rig.console.port, "/api/events", { cookie: c.cookie!, host: `127.0.0.1:${rig.console.port}` });
  assert.equal(third.status, 503);
  assert.equal(JSON.parse(third.body).error.code, "ERR_CONSOLE_BUSY");
  second.close();
  await until(() => rig.console.eventStreams === 1, 2000, "the closed stream forgotten");
  // a "change" pushes a status at once (not waiting for the poll)
  const n = stream.events.length;
  listeners.forEach((l) => l());
  await until(() => stream.events.length > n, 1000, "status after change");
  // the data source failing: the API still answers, with what it could read
  fail = true;
  const r = await c.req("GET", "/api/status");
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.links, []);
  assert.equal(r.json.calls.length, 1);
  fail = false;
  // logging out ends the stream with a "logout" event
  await c.req("POST", "/api/logout", { json: {} });
  await stream.ended;
  assert.equal(stream.events.at(-1)!.event, "logout");
  // a second stream with the dead cookie is refused
  const again = await httpsGet(rig.console.port, "/api/events", { cookie: c.cookie!, host: `127.0.0.1:${rig.console.port}` });
  assert.equal(again.status, 401);
});

test("HTTPS identity: self-signed until the gateway identity is enrolled, then the enrolled certificate, without a restart", { skip: OPENSSL.skip }, async (t) => {
  const rig = await startRig();
  t.after(() => rig.close());
  const before = await httpsGet(rig.console.port, "/", { host: `127.0.0.1:${rig.console.port}` });
  assert.equal(before.status, 200);
  assert.equal(before.peerFingerprint, rig.console.tls.fingerprintSha256);
  assert.equal(rig.console.tls.source, "console");
  const selfSigned = readFileSync(join(rig.dir, "console", "console-tls.crt"), "utf8");
  const x = openssl(["x509", "-noout", "-text"], { input: selfSigned }).toString();
  assert.match(x, /DNS:localhost/);
  assert.match(x, /IP Address:127\.0\.0\.1/);
  assert.equal(spawnSync("stat", ["-c", "%a", join(rig.dir, "console", "console-tls.key")]).stdout.toString().trim(), "600");

  const ca = new OpensslCa(rig.dir);
  await rig.store.trustAdd(new TextEncoder().encode(ca.rootPem), "root.pem");
  const init = await rig.store.init({ fqdn: "gw1.contoso.com", key: "p256" });
  const leaf = ca.sign(init.csrPem, ["gw1.contoso.com"]);
  const changed = new Promise((r) => rig.console.once("tlsChanged", r));
  const res = await rig.store.import(new TextEncoder().encode(leaf), { source: "gw1.pem" });
  await changed;
  assert.equal(rig.console.tls.source, "gateway");
  assert.equal(rig.console.tls.fingerprintSha256, res.certificate.fingerprintSha256);
  const after = await httpsGet(rig.console.port, "/", { host: `127.0.0.1:${rig.console.port}` });
  assert.equal(after.peerFingerprint, res.certificate.fingerprintSha256, "new connections get the gateway certificate");
  // and the gateway FQDN is now an allowed Host
  assert.equal((await httpsGet(rig.console.port, "/", { host: `gw1.contoso.com:${rig.console.port}` })).status, 200);
});
