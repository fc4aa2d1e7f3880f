// TrunkDataSource over real traffic: the gateway side (SipEndpoint + GatewayCall) and the Mediation
// simulator (MediationPeer) on loopback over mutual TLS (Node's tls), SRTP calls both ways. Checks
// the links' TLS details against what the sockets negotiated, the pool's OPTIONS health, the call
// counters moving and the MKI, calls and links ending, and that no key material reaches the status.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { PassThrough } from "node:stream";
import { DemoTrunk } from "../../../host/console/demo-trunk.js";
import { describeTls, formatNodeSubject } from "../../../host/console/tls-info.js";
import { until } from "./helpers.js";

test("links, pool and calls of a live trunk: TLS details, OPTIONS health, counters moving, MKI, endings, no keys", async (t) => {
  const demo = await DemoTrunk.start({ optionsIntervalMs: 200, rtcpIntervalMs: 250, timers: { t1: 40, t2: 160 }, dataSource: { keepEndedMs: 300 } });
  t.after(() => demo.close());
  let changes = 0;
  demo.source.on("change", () => changes++);
  const out = await demo.placeCall("+14255550100", "+12065550100");
  await demo.callFromPool("+12065550199", "+14255550123");
  await until(() => demo.source.calls().length === 2, 3000, "two calls listed");
  assert.ok(changes >= 2, "each call start is a change");

  // links: ours to the pool (client side: the group is known) and the pool's to us
  const links = demo.source.links();
  assert.equal(links.length, 2, JSON.stringify(links));
  const outLink = links.find((l) => l.direction === "outbound")!;
  const inLink = links.find((l) => l.direction === "inbound")!;
  for (const l of [outLink, inLink]) {
    assert.equal(l.state, "up");
    assert.equal(l.tlsVersion, "TLSv1.3");
    assert.match(l.cipherSuite!, /^TLS_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/);
    assert.equal(l.peerSubject, "CN=pool.demo.example.com");
    assert.ok(l.peerDaysToExpiry === 199 || l.peerDaysToExpiry === 200, String(l.peerDaysToExpiry));
    assert.ok(Date.parse(l.upSince) <= Date.now());
  }
  assert.equal(outLink.group, "x25519", "Node's client reports the group");
  assert.equal(inLink.group, null, "Node's server socket does not");
  assert.match(outLink.peer, /^127\.0\.0\.1:\d+$/);
  // the socket's own view agrees (an independent read of the same connection)
  const sock = (demo.endpoint as unknown as { members: { conn?: { socket: import("node:tls").TLSSocket } }[] }).members[0]!.conn!.socket;
  assert.equal(outLink.cipherSuite, sock.getCipher().standardName);
  assert.equal(outLink.tlsVersion, sock.getProtocol());

  // pool: OPTIONS probes answered
  await until(() => (demo.source.pool()[0]?.probes ?? 0) >= 3, 3000, "three probes");
  const pool = demo.source.pool();
  assert.equal(pool.length, 1);
  assert.equal(pool[0]!.up, true);
  assert.equal(pool[0]!.failures, 0);
  assert.deepEqual(outLink.options?.member, pool[0]!.member);

  // calls: SRTP profile, MKI 1 (1 byte, as Skype for Business uses), counters moving both ways
  const first = demo.source.calls();
  for (const c of first) {
    assert.equal(c.state, "confirmed");
    assert.equal(c.srtp?.profile, "AES_CM_128_HMAC_SHA1_80");
    assert.deepEqual(c.srtp?.txMki, { value: "01", length: 1 });
    assert.equal(c.codec, "PCMU");
  }
  const o = first.find((c) => c.direction === "outbound")!;
  const i = first.find((c) => c.direction === "inbound")!;
  assert.deepEqual([o.from, o.to], ["+12065550100", "+14255550100"]);
  assert.deepEqual([i.from, i.to], ["+14255550123", "+12065550199"]);
  await new Promise((r) => setTimeout(r, 400));
  const later = demo.source.calls();
  for (const c of later) {
    const before = first.find((f) => f.id === c.id)!;
    assert.ok(c.tx.packets >= before.tx.packets + 10, `${c.direction}: tx ${before.tx.packets} → ${c.tx.packets}`);
    assert.ok(c.rx.packets >= before.rx.packets + 10, `${c.direction}: rx ${before.rx.packets} → ${c.rx.packets}`);
    assert.ok(c.tx.bytes > before.tx.bytes && c.rx.bytes > before.rx.bytes);
    assert.equal(c.authFailures, 0);
    assert.equal(c.replays, 0);
    assert.equal(c.mkiUnknown, 0);
  }
  // the statistics agree with the media session's own counters
  const stats = out.stats();
  const listed = demo.source.calls().find((c) => c.direction === "outbound")!;
  assert.ok(Math.abs(listed.tx.packets - stats.rtpSent) <= 2);

  // no key material anywhere in what the console would show
  const json = JSON.stringify({ links: demo.source.links(), pool: demo.source.pool(), calls: demo.source.calls(), gateway: demo.source.gateway() });
  for (const gc of demo.gatewayCalls) {
    const s = gc.media.negotiated!.srtp!;
    for (const k of [s.tx, ...s.rx]) {
      for (const secret of [k.masterKey, k.masterSalt, Buffer.concat([k.masterKey, k.masterSalt])]) {
        for (const enc of ["hex", "base64"] as const) assert.ok(!json.includes(Buffer.from(secret).toString(enc)), `no ${enc} key material`);
      }
    }
  }
  assert.doesNotMatch(json, /inline:|masterKey|masterSalt/);

  // hang-up: listed as ended, then gone after keepEndedMs
  await out.hangup();
  await until(() => demo.source.calls().some((c) => c.direction === "outbound" && c.state === "ended"), 2000, "ended call");
  await until(() => !demo.source.calls().some((c) => c.direction === "outbound"), 2000, "ended call dropped");
  assert.equal(demo.source.calls().length, 1);

  // the pool goes away: its links are listed as down, with the reason
  await demo.peer.close();
  await until(() => demo.source.links().every((l) => l.state === "down"), 3000, "links down");
  for (const l of demo.source.links()) {
    assert.ok(l.downSince);
    assert.ok(l.lastError && l.lastError.length > 0);
  }
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
