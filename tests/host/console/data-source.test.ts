// TrunkDataSource over real traffic: the simulator's gateway (our MTLS both ways, the core's SRTP)
// and its Mediation pool (Node's tls/OpenSSL, node-srtp), run by DemoTrunk, SRTP calls both ways.
// TrunkDataSource reads the gateway's SipEndpoint and GatewayCalls; its view of every link is checked
// against OpenSSL's view of the same TCP connection (the pool's side) and against GatewayDataSource
// (the gateway's own records), then the pool's OPTIONS health, the call counters moving and the MKI,
// a call and the links ending, and that no key material reaches the status.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { rmSync } from "node:fs";
import { PassThrough } from "node:stream";
import { DemoTrunk } from "../../../host/console/demo-trunk.js";
import { TrunkDataSource } from "../../../host/console/trunk-data-source.js";
import { describeTls, formatNodeSubject } from "../../../host/console/tls-info.js";
import { tmpDir, until } from "./helpers.js";

/** OpenSSL's group names → ours. */
const OPENSSL_GROUP: Record<string, string> = { X25519: "x25519", prime256v1: "secp256r1", secp384r1: "secp384r1" };

test("TrunkDataSource over the simulator's gateway: TLS details as OpenSSL saw them, OPTIONS health, counters moving, MKI, endings, no keys", { timeout: 60_000 }, async (t) => {
  const dir = tmpDir("console-trunk");
  let source: TrunkDataSource | undefined;
  let changes = 0;
  const demo = await DemoTrunk.start({
    stateDir: dir,
    keyType: "p256",
    // Attached before the first link: the endpoint's "connection" events are all seen.
    onGateway: (gw) => {
      source = new TrunkDataSource({ endpoint: gw.endpoint, gateway: { name: gw.config.fqdn, board: gw.board.id }, keepEndedMs: 300 });
      source.on("change", () => changes++);
      // The numbers come from the SIP dialog (TrunkDataSource's own parsing).
      gw.on("call", (r) => source!.addCall(r.call!));
    },
  });
  t.after(async () => {
    source?.close();
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const src = source!;
  await until(() => src.calls().length === 2, 3000, "two calls listed");
  assert.equal(src.gateway().name, "gw1.sim.gwsdk.test");

  // links: two per pool member, ours to it and its to us, all on our MTLS
  const links = src.links();
  assert.equal(links.length, 4, JSON.stringify(links));
  assert.equal(links.filter((l) => l.direction === "outbound").length, 2);
  let groupsCompared = 0;
  for (const l of links) {
    assert.equal(l.state, "up");
    assert.equal(l.tlsVersion, "TLSv1.3");
    assert.match(l.cipherSuite!, /^TLS_AES_(128_GCM_SHA256|256_GCM_SHA384)$/);
    assert.ok(l.group, `${l.direction}: our MTLS socket reports the group on both sides`);
    assert.equal(l.peerSubject, "CN=mspool.sim.gwsdk.test");
    assert.ok(l.peerDaysToExpiry! > 300, String(l.peerDaysToExpiry));
    assert.ok(Date.parse(l.upSince) <= Date.now());
    // The same connection as OpenSSL saw it: the peer's port is the pool socket's local port.
    const port = Number(/:(\d+)$/.exec(l.peer)![1]);
    const view = demo.pool.linkViews.find((v) => v.localPort === port);
    assert.ok(view, `OpenSSL's view of ${l.peer}`);
    assert.equal(view.direction, l.direction);
    assert.equal(view.version, l.tlsVersion);
    assert.equal(view.suite, l.cipherSuite);
    if (view.group) {
      assert.equal(OPENSSL_GROUP[view.group] ?? view.group.toLowerCase(), l.group, "OpenSSL's client names the same group");
      groupsCompared++;
    }
  }
  assert.equal(groupsCompared, 2, "OpenSSL reports the group on its client side: the two inbound links");
  // ... and as the gateway's own records (GatewayDataSource) have them
  const gwLinks = demo.source.links();
  assert.deepEqual(
    links.map((l) => [l.direction, l.tlsVersion, l.cipherSuite, l.group, l.peerSubject].join(" ")).sort(),
    gwLinks.filter((l) => l.state === "up").map((l) => [l.direction, l.tlsVersion, l.cipherSuite, l.group, l.peerSubject].join(" ")).sort(),
  );

  // pool: OPTIONS probes answered by both members (the first round goes out at boot)
  await until(() => src.pool().every((p) => p.probes >= 1 && p.up), 5000, "a probe answered by each member");
  const pool = src.pool();
  assert.equal(pool.length, 2);
  for (const p of pool) {
    assert.equal(p.up, true);
    assert.equal(p.failures, 0);
  }
  const outLinks = links.filter((l) => l.direction === "outbound");
  assert.deepEqual(outLinks.map((l) => l.options?.member).sort(), pool.map((p) => p.member).sort(), "each outbound link carries its member's health");

  // calls: SRTP profile, MKI 1 (1 byte, as Skype for Business uses), counters moving both ways
  const first = src.calls();
  for (const c of first) {
    assert.equal(c.state, "confirmed");
    assert.equal(c.srtp?.profile, "AES_CM_128_HMAC_SHA1_80");
    assert.deepEqual(c.srtp?.txMki, { value: "01", length: 1 });
    assert.equal(c.codec, "PCMU");
  }
  assert.ok(changes >= 6, `${changes} changes: each link and each call is one`);
  const o = first.find((c) => c.direction === "outbound")!;
  const i = first.find((c) => c.direction === "inbound")!;
  assert.deepEqual([o.from, o.to], ["+12065550100", "+14255550100"]);
  assert.deepEqual([i.from, i.to], ["+14255550101", "+12065550101"]);
  await new Promise((r) => setTimeout(r, 400));
  const later = src.calls();
  for (const c of later) {
    const before = first.find((f) => f.id === c.id)!;
    assert.ok(c.tx.packets >= before.tx.packets + 10, `${c.direction}: tx ${before.tx.packets} → ${c.tx.packets}`);
    assert.ok(c.rx.packets >= before.rx.packets + 10, `${c.direction}: rx ${before.rx.packets} → ${c.rx.packets}`);
    assert.ok(c.tx.bytes > before.tx.bytes && c.rx.bytes > before.rx.bytes);
    assert.equal(c.authFailures, 0);
    assert.equal(c.replays, 0);
    assert.equal(c.mkiUnknown, 0);
  }
  // the statistics agree with the media session's own counters, and with the gateway's records
  const outRec = demo.calls().find((r) => r.direction === "outbound")!;
  const listed = src.calls().find((c) => c.direction === "outbound")!;
  assert.ok(Math.abs(listed.tx.packets - outRec.call!.stats().rtpSent) <= 2);
  // node-srtp on the pool decrypted what the core sent
  const peer = demo.pool.findCall(outRec.call!.sip.callId)!.call;
  assert.ok(peer.media.stats.rtpReceived >= 10 && peer.media.stats.authFailures === 0, JSON.stringify(peer.media.stats));

  // no key material anywhere in what the console would show
  const json = JSON.stringify({ links: src.links(), pool: src.pool(), calls: src.calls(), gateway: src.gateway() });
  for (const r of demo.calls()) {
    const s = r.call!.media.negotiated!.srtp!;
    for (const k of [s.tx, ...s.rx]) {
      for (const secret of [k.masterKey, k.masterSalt, Buffer.concat([k.masterKey, k.masterSalt])]) {
        for (const enc of ["hex", "base64"] as const) assert.ok(!json.includes(Buffer.from(secret).toString(enc)), `no ${enc} key material`);
      }
    }
  }
  assert.doesNotMatch(json, /inline:|masterKey|masterSalt/);

  // hang-up: listed as ended, then gone after keepEndedMs
  await demo.gateway.hangup(outRec, "completed");
  await until(() => src.calls().some((c) => c.direction === "outbound" && c.state === "ended"), 2000, "ended call");
  await until(() => !src.calls().some((c) => c.direction === "outbound"), 2000, "ended call dropped");
  assert.equal(src.calls().length, 1);

  // the pool goes away: its links are listed as down
  const changesBefore = changes;
  await demo.pool.close();
  await until(() => src.links().every((l) => l.state === "down"), 5000, "links down");
  for (const l of src.links()) assert.ok(l.downSince && Date.parse(l.downSince) >= Date.parse(l.upSince));
  assert.ok(changes >= changesBefore + 4, "each link going down is a change");
});

test("describeTls: our MTLS socket's properties, plain TCP, Node subject formatting", async () => {
  const mtls = Object.assign(new PassThrough(), {
    version: "TLSv1.2",
    suite: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    group: "secp384r1",
    peerChain: [{ subject: "CN=pool.contoso.com", notAfter: new Date("2030-01-01T00:00:00Z") }],
  });
  assert.deepEqual(describeTls(mtls), { version: "TLSv1.2", cipherSuite: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", group: "secp384r1", peerSubject: "CN=pool.contoso.com", peerNotAfter: new Date("2030-01-01T00:00:00Z") });
  assert.equal(describeTls(new net.Socket()), null);
  assert.equal(formatNodeSubject("C=US\nO=Contoso\nCN=pool.contoso.com"), "CN=pool.contoso.com, O=Contoso, C=US");
});
