// The console's data source over the running gateway (during a short simulator run): links with the
// TLS our handshake negotiated, pool members by FQDN, calls with SRTP profile and MKIs, counters
// moving, "change" events, and never a key. The simulator starts the console itself on the board's
// address (here on an ephemeral port) and it answers.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:https";
import { join } from "node:path";
import { runSimulator } from "../../../host/sim/simulator.js";
import { GatewayDataSource } from "../../../host/gateway/console-source.js";
import { startSimConsole, type SimConsole } from "../../../host/sim/console.js";
import { loadBoard } from "../../../host/boards/board.js";
import type { CallStatus, LinkStatus, PoolMemberStatus } from "../../../host/console/data-source.js";
import type { GatewayCallRecord } from "../../../host/gateway/gateway.js";
import { rmTmp, tmpDir } from "../certs/pki.js";

const dir = tmpDir("consrc");
after(() => rmTmp(dir));

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { rejectUnauthorized: false }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

test("GatewayDataSource over a simulator run; the sim console starts and answers", async () => {
  const snaps: { links: LinkStatus[]; pool: PoolMemberStatus[]; calls: CallStatus[] }[] = [];
  let changes = 0;
  let con: SimConsole | undefined;
  let page: { status: number; body: string } | undefined;
  const records: GatewayCallRecord[] = [];
  const r = await runSimulator({
    stateDir: join(dir, "state"),
    keyType: "p256",
    calls: 2,
    durationS: 1.5,
    onGateway: async (gw, pool) => {
      const src = new GatewayDataSource(gw, { version: "test" });
      src.on("change", () => changes++);
      gw.on("call", (c) => records.push(c));
      const timer = setInterval(() => snaps.push({ links: src.links(), pool: src.pool(), calls: src.calls() }), 300);
      gw.once("callEnded", () => snaps.push({ links: src.links(), pool: src.pool(), calls: src.calls() }));
      setTimeout(() => clearInterval(timer), 2500);
      assert.deepEqual(src.gateway().name, "gw1.sim.gwsdk.test");
      con = await startSimConsole({ board: loadBoard("sim"), gateway: gw, pool, stateDir: join(dir, "state"), port: 0 });
      page = await get(con!.url);
    },
  });
  await con?.close();
  assert.equal(r.ok, true, r.problems.join("; "));
  assert.equal(page?.status, 200);
  assert.match(page!.body, /Gateway console/);
  assert.match(con!.url, /^https:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(changes >= 6, `${changes} change events`);
  const busy = snaps.find((s) => s.calls.filter((c) => c.state === "confirmed").length === 2 && s.calls.every((c) => c.tx.packets > 10));
  assert.ok(busy, "a snapshot with both calls up and media flowing");
  for (const c of busy!.calls) {
    assert.equal(c.srtp?.profile, "AES_CM_128_HMAC_SHA1_80");
    assert.deepEqual(c.srtp?.txMki, { value: "01", length: 1 });
    assert.ok(c.srtp!.rxMki.some((m) => m?.value === "01"));
    assert.equal(c.codec, "PCMU");
    assert.equal(c.authFailures, 0);
  }
  assert.deepEqual(busy!.pool.map((p) => p.member.replace(/:\d+$/, "")), ["ms1.sim.gwsdk.test", "ms2.sim.gwsdk.test"]);
  const up = busy!.links.filter((l) => l.state === "up");
  assert.equal(up.length, 4);
  for (const l of up) {
    assert.equal(l.tlsVersion, "TLSv1.3");
    assert.equal(l.peerSubject, "CN=mspool.sim.gwsdk.test");
    assert.ok(l.peerDaysToExpiry! > 600);
  }
  assert.ok(up.filter((l) => l.direction === "outbound").every((l) => l.options && l.options.up));
  assert.ok(snaps.some((s) => s.calls.some((c) => c.state === "ended")), "ended calls stay listed");
  // Never a key.
  const text = JSON.stringify(snaps);
  for (const rec of records) {
    const s = rec.call!.media.negotiated!.srtp!;
    for (const k of [s.tx, ...s.rx]) assert.ok(!text.includes(Buffer.from(k.masterKey).toString("hex")) && !text.includes(Buffer.from(k.masterKey).toString("base64").slice(0, 16)));
  }
});
