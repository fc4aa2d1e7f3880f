// The console's password file (PBKDF2-HMAC-SHA256), failed-login limiter and sessions.
// Known answers: RFC 7914 §11 (PBKDF2-HMAC-SHA256 test vectors); the stored hash is re-derived by
// OpenSSL's own PBKDF2 (`openssl kdf`), an implementation independent of the code under test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LoginLimiter, PasswordFile, hashPassword } from "../../../host/console/auth.js";
import { ConsoleError } from "../../../host/console/errors.js";
import { SessionStore } from "../../../host/console/sessions.js";
import { TMP_DIR } from "../../helpers/paths.js";
import { requireCommand } from "../../helpers/system.js";

function tmp(): string {
  mkdirSync(TMP_DIR, { recursive: true });
  return mkdtempSync(join(TMP_DIR, "console-auth-"));
}

const isCode = (code: string) => (e: unknown) => e instanceof ConsoleError && e.code === code;

test("PBKDF2-HMAC-SHA256 known answers (RFC 7914 §11)", async () => {
  // dkLen 64 in the RFC; the first 32 bytes are the 32-byte output (T1 does not depend on dkLen)
  const v1 = "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783";
  const v2 = "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d";
  assert.equal((await hashPassword("passwd", Buffer.from("salt"), 1, 64)).toString("hex"), v1);
  assert.equal((await hashPassword("Password", Buffer.from("NaCl"), 80000, 64)).toString("hex"), v2);
  assert.equal((await hashPassword("passwd", Buffer.from("salt"), 1)).toString("hex"), v1.slice(0, 64));
  // NFKC: the "ﬁ" ligature and "fi" are the same password
  assert.deepEqual(await hashPassword("\ufb01ne password", Buffer.from("s"), 1), await hashPassword("fine password", Buffer.from("s"), 1));
});

test("password file: set on first use, 0600, only a PBKDF2 hash (checked by openssl kdf), verify, refuse a second setup", async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "console-auth.json");
  const pf = await PasswordFile.open(path, { iterations: 2000 });
  assert.equal(pf.isSet, false);
  await assert.rejects(pf.verify("anything at all"), isCode("ERR_CONSOLE_PASSWORD_NOT_SET"));
  await assert.rejects(pf.setInitial("short"), isCode("ERR_CONSOLE_PASSWORD_WEAK"));
  await assert.rejects(pf.setInitial("x".repeat(257)), isCode("ERR_CONSOLE_PASSWORD_WEAK"));
  assert.equal(pf.isSet, false);
  assert.throws(() => statSync(path), "nothing written for a refused password");

  const pw = "correct horse battery staple";
  await pf.setInitial(pw);
  assert.equal(pf.isSet, true);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const text = readFileSync(path, "utf8");
  assert.ok(!text.includes(pw) && !text.includes(Buffer.from(pw).toString("base64")), "the password itself is not stored");
  const rec = JSON.parse(text) as { algorithm: string; iterations: number; salt: string; hash: string };
  assert.equal(rec.algorithm, "PBKDF2-HMAC-SHA256");
  assert.equal(rec.iterations, 2000);
  assert.equal(Buffer.from(rec.salt, "base64").length, 16);

  const ossl = requireCommand("openssl", ["version"], "openssl");
  if (!ossl.skip) {
    const r = spawnSync("openssl", ["kdf", "-keylen", "32", "-kdfopt", "digest:SHA256", "-kdfopt", `pass:${pw}`, "-kdfopt", `hexsalt:${Buffer.from(rec.salt, "base64").toString("hex")}`, "-kdfopt", `iter:${rec.iterations}`, "PBKDF2"]);
    assert.equal(r.status, 0, r.stderr.toString());
    assert.equal(r.stdout.toString().trim().replace(/:/g, "").toLowerCase(), Buffer.from(rec.hash, "base64").toString("hex"), "openssl derives the same hash");
  }

  assert.equal(await pf.verify(pw), true);
  assert.equal(await pf.verify(pw + " "), false);
  assert.equal(await pf.verify(""), false);
  assert.equal(await pf.verify(42), false);
  await assert.rejects(pf.setInitial("another good password"), isCode("ERR_CONSOLE_PASSWORD_SET"));
  assert.equal(await pf.verify(pw), true, "a refused second setup changes nothing");

  // reopened from disk
  const again = await PasswordFile.open(path, { iterations: 2000 });
  assert.equal(again.isSet, true);
  assert.equal(await again.verify(pw), true);

  // change
  await again.change("a brand new password");
  assert.equal(await again.verify(pw), false);
  assert.equal(await again.verify("a brand new password"), true);
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test("password file: too-open mode, damage and weak parameters are refused; fewer iterations are upgraded on login", async (t) => {
  const dir = tmp();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "console-auth.json");
  const pf = await PasswordFile.open(path, { iterations: 1000 });
  await pf.setInitial("a password for the test");
  const good = readFileSync(path, "utf8");

  chmodSync(path, 0o644);
  await assert.rejects(PasswordFile.open(path), isCode("ERR_CONSOLE_AUTH_FILE"));
  chmodSync(path, 0o600);

  for (const bad of ["{not json", "{}", JSON.stringify({ ...JSON.parse(good), iterations: 10 }), JSON.stringify({ ...JSON.parse(good), algorithm: "scrypt" }), JSON.stringify({ ...JSON.parse(good), hash: "AAAA" })]) {
    writeFileSync(path, bad, { mode: 0o600 });
    await assert.rejects(PasswordFile.open(path), isCode("ERR_CONSOLE_AUTH_FILE"), bad.slice(0, 40));
  }
  // a flipped hash byte: the file loads, the password no longer verifies
  const rec = JSON.parse(good) as { hash: string };
  const h = Buffer.from(rec.hash, "base64");
  h[0]! ^= 1;
  writeFileSync(path, JSON.stringify({ ...rec, hash: h.toString("base64") }), { mode: 0o600 });
  assert.equal(await (await PasswordFile.open(path)).verify("a password for the test"), false);

  // a hash made with 1000 iterations is rewritten with the configured 3000 on a successful login
  writeFileSync(path, good, { mode: 0o600 });
  const up = await PasswordFile.open(path, { iterations: 3000 });
  assert.equal(await up.verify("a password for the test"), true);
  assert.equal((JSON.parse(readFileSync(path, "utf8")) as { iterations: number }).iterations, 3000);
  assert.equal(await (await PasswordFile.open(path, { iterations: 3000 })).verify("a password for the test"), true);
  await assert.rejects(PasswordFile.open(path, { iterations: 999 }), isCode("ERR_CONSOLE_BAD_REQUEST"));
});

test("login limiter: lock-out after 5 failures, doubling, per source (IPv6 by /64), a global ceiling, reset on success", () => {
  let now = 1_000_000;
  const l = new LoginLimiter({ now: () => now, globalPerMinute: 12 });
  const ip = "192.0.2.7";
  for (let i = 0; i < 4; i++) {
    l.check(ip);
    l.failure(ip);
  }
  l.check(ip); // 4 failures: still allowed
  l.failure(ip);
  assert.throws(() => l.check(ip), (e: unknown) => isCode("ERR_CONSOLE_RATE_LIMITED")(e) && (e as ConsoleError).retryAfterSeconds === 30);
  assert.throws(() => l.check(`::ffff:${ip}`), isCode("ERR_CONSOLE_RATE_LIMITED"), "IPv4-mapped is the same source");
  l.check("192.0.2.8"); // another source is not affected
  now += 29_000;
  assert.throws(() => l.check(ip), (e: unknown) => (e as ConsoleError).retryAfterSeconds === 1);
  now += 1_001;
  l.check(ip);
  for (let i = 0; i < 5; i++) l.failure(ip);
  assert.throws(() => l.check(ip), (e: unknown) => (e as ConsoleError).retryAfterSeconds === 60, "the second lock-out is twice as long");
  now += 61_000;
  l.check(ip);
  l.success(ip);
  for (let i = 0; i < 4; i++) l.failure(ip);
  l.check(ip); // success cleared the history: 4 new failures do not lock

  // IPv6: one /64 is one source
  const v6 = new LoginLimiter({ now: () => now });
  for (let i = 0; i < 5; i++) v6.failure(`2001:db8:1:2::${i + 1}`);
  assert.throws(() => v6.check("2001:db8:1:2:ffff::9"), isCode("ERR_CONSOLE_RATE_LIMITED"));
  v6.check("2001:db8:1:3::1");

  // global ceiling: many sources, few failures each
  const g = new LoginLimiter({ now: () => now, globalPerMinute: 10 });
  for (let i = 0; i < 10; i++) g.failure(`198.51.100.${i}`);
  assert.throws(() => g.check("203.0.113.1"), isCode("ERR_CONSOLE_RATE_LIMITED"));
  now += 60_001;
  g.check("203.0.113.1");
});

test("sessions: login replaces the session, CSRF token compare, idle/absolute expiry, eviction prefers anonymous", () => {
  let now = 0;
  const s = new SessionStore({ now: () => now, idleMs: 1000, absoluteMs: 5000, anonymousIdleMs: 500, maxSessions: 3 });
  const anon = s.createAnonymous();
  assert.equal(anon.authenticated, false);
  assert.match(anon.id, /^[A-Za-z0-9_-]{43}$/);
  const authed = s.login(anon);
  assert.notEqual(authed.id, anon.id);
  assert.notEqual(authed.csrfToken, anon.csrfToken);
  assert.equal(s.get(anon.id), undefined, "the pre-login id is dead (session fixation)");
  assert.equal(s.get(authed.id)?.authenticated, true);
  assert.equal(SessionStore.csrfMatches(authed, authed.csrfToken), true);
  assert.equal(SessionStore.csrfMatches(authed, anon.csrfToken), false);
  assert.equal(SessionStore.csrfMatches(authed, authed.csrfToken.slice(1)), false);
  assert.equal(SessionStore.csrfMatches(authed, undefined), false);
  assert.equal(SessionStore.csrfMatches(authed, [authed.csrfToken]), false);
  // idle expiry, refreshed by use
  now = 900;
  assert.ok(s.get(authed.id));
  now = 1800;
  assert.ok(s.get(authed.id));
  now = 2801;
  assert.equal(s.get(authed.id), undefined);
  // absolute expiry despite activity
  const a2 = s.login(undefined);
  for (now = 3000; now < 7900; now += 900) assert.ok(s.get(a2.id));
  now = 8100;
  assert.equal(s.get(a2.id), undefined);
  // eviction: a logged-in session survives a flood of anonymous ones
  const keep = s.login(undefined);
  for (let i = 0; i < 10; i++) s.createAnonymous();
  assert.ok(s.get(keep.id));
  assert.ok(s.size <= 3);
  s.destroyAuthenticated();
  assert.equal(s.get(keep.id), undefined);
});
