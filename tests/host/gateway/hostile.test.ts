// Hostile input against the real gateway (Gateway: our MTLS listener and client, the core's SRTP)
// while a call runs: forged and replayed SRTP/SRTCP and junk at its media port; bad SDP and broken
// framing from an authenticated pool member's TLS connection; TLS clients without a certificate or
// from a foreign CA. Each is refused and counted; the running call keeps its audio.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import dgram from "node:dgram";
import tls from "node:tls";
import { join } from "node:path";
import { prepareSimState } from "../../../host/sim/state.js";
import { MediationPool } from "../../../host/sim/mediation/pool.js";
import { simConfigDocument } from "../../../host/sim/simulator.js";
import { createDemoCa, issuePoolCertificate, demoKey } from "../../../host/sim/demo-pki.js";
import { loadBoard } from "../../../host/boards/board.js";
import { resolveConfig, validateConfigDocument } from "../../../host/gateway/config.js";
import { Gateway } from "../../../host/gateway/gateway.js";
import { SimPstnPort } from "../../../host/media/pstn.js";
import { RawClient, rawRequest, sleep, until } from "../sip/helpers.js";
import { rmTmp, tmpDir } from "../certs/pki.js";

const dir = tmpDir("gwhostile");
after(() => rmTmp(dir));

test("hostile input at the gateway's media port, over an authenticated SIP link and at its TLS listener: refused, counted, the call carries on", async () => {
  const state = await prepareSimState(join(dir, "state"), { keyType: "p256" });
  const board = loadBoard("sim");
  const pool = new MediationPool({ names: { pool: state.names.pool, members: state.names.members }, tls: { key: state.pool.keyPem, cert: state.pool.certPem, ca: state.ca.cert.pem }, rtcpIntervalMs: 300, optionsIntervalMs: 0 });
  await pool.listen();
  const cfg = resolveConfig(board, validateConfigDocument(simConfigDocument(state, { members: pool.members.map((m) => ({ fqdn: m.fqdn, port: m.port })) }, {}, board)), state.dir);
  const received: Uint8Array[] = [];
  const gw = await Gateway.start({ board, config: cfg, rtcpIntervalMs: 300, tap: (p) => p.direction === "rx" && p.plain && received.push(Uint8Array.from(p.wire)) });
  pool.connectGateway({ fqdn: state.names.gateway, address: "127.0.0.1", port: gw.listenPort });
  const udp = dgram.createSocket("udp4");
  try {
    const rec = await gw.place("+14255550100", "+12065550100");
    assert.equal(rec.outcome, "active", JSON.stringify(rec.error));
    const call = rec.call!;
    const port = call.media.localRtpPort;
    await until(() => call.media.stats.rtpReceived >= 10 && call.media.stats.rtcpReceived >= 1, 5000, "media flowing");

    // 1. Media port: forged SRTP (right MKI, wrong tag), unknown MKI, forged SRTCP, a replayed
    //    genuine packet, DTLS- and STUN-looking junk.
    const send = (b: Uint8Array) => new Promise<void>((r) => udp.send(b, port, "127.0.0.1", () => r()));
    for (let i = 0; i < 20; i++) {
      const p = Buffer.alloc(12 + 160 + 11, i);
      p[0] = 0x80;
      p[1] = 0;
      p.writeUInt16BE(i, 2);
      p[p.length - 11] = i % 2 ? 1 : 7; // MKI 1 (known, tag wrong) or 7 (unknown)
      await send(p);
      const c = Buffer.alloc(8 + 20 + 4 + 1 + 10, i);
      c[0] = 0x80;
      c[1] = 200;
      c.writeUInt16BE(6, 2);
      c[c.length - 11] = 1;
      await send(c);
    }
    const genuine = received.find((w) => w[1] === 0 || w[1] === 0x80)!;
    await send(genuine);
    await send(genuine);
    await send(Buffer.from([0x17, 0xfe, 0xfd, 0, 0, 0, 0]));
    await send(Buffer.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, ...new Array(12).fill(0)]));
    await until(() => call.media.stats.authFailures >= 10 && call.media.stats.rtcpAuthFailures >= 10 && call.media.stats.replays >= 2, 3000, "forgeries counted");
    const s = call.stats();
    assert.ok(s.mkiUnknown >= 10, `unknown MKI ${s.mkiUnknown}`);
    assert.ok(s.otherDropped >= 1 && s.stunDropped >= 1);

    // 2. An authenticated pool member's TLS connection sending bad SDP, then broken framing.
    const link = tls.connect({ host: "127.0.0.1", port: gw.listenPort, servername: state.names.gateway, key: state.pool.keyPem, cert: state.pool.certPem, ca: state.ca.cert.pem });
    await new Promise<void>((r, j) => link.once("secureConnect", () => r()).once("error", j));
    const raw = new RawClient(link as unknown as import("node:net").Socket);
    const k30 = Buffer.alloc(30, 9).toString("base64");
    const sdp = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", "m=audio 40000 RTP/SAVP 0", `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${k30}|2^31|1:9`, "a=rtpmap:0 PCMU/8000", ""].join("\r\n");
    raw.send(rawRequest({ method: "INVITE", callId: "bad-mki", body: sdp }));
    const res = await raw.waitFor(/^SIP\/2.0 488[\s\S]*Call-ID: bad-mki/, 3000);
    assert.match(res, /Warning: 399 .* "ERR_SDP_MKI: /);
    raw.send(Buffer.from([0x16, 0x03, 0x03, 0x00, 0x10, 0xff, 0xfe]));
    await raw.waitClosed();
    assert.ok(gw.endpoint.counters.protocolErrors >= 1);

    // 3. TLS clients refused by our listener: no certificate; a certificate from a foreign CA.
    const stranger = await createDemoCa({ commonName: "stranger CA", key: await demoKey("p256") });
    const skey = await demoKey("p256");
    const scert = issuePoolCertificate(stranger, { poolFqdn: state.names.pool, memberFqdns: state.names.members, key: skey });
    for (const extra of [{}, { key: skey.export({ type: "pkcs8", format: "pem" }), cert: scert.pem }]) {
      await new Promise<void>((r) => {
        const c = tls.connect({ host: "127.0.0.1", port: gw.listenPort, servername: state.names.gateway, ca: state.ca.cert.pem, ...extra });
        c.on("error", () => r());
        c.on("close", () => r());
        c.on("secureConnect", () => c.write("OPTIONS sip:x SIP/2.0\r\n\r\n"));
      });
    }
    await until(() => gw.refusedHandshakes.length >= 2, 3000, "two refused handshakes");
    const codes = gw.refusedHandshakes.map((h) => h.code);
    assert.ok(codes.includes("ERR_TLS_CERT_UNTRUSTED"), codes.join());
    assert.ok(codes.some((c) => c !== "ERR_TLS_CERT_UNTRUSTED"), `a client without a certificate: ${codes.join()}`);

    // The call never stopped: audio kept arriving, authenticated.
    const before = (rec.pstn as SimPstnPort).received.length;
    await sleep(400);
    assert.ok((rec.pstn as SimPstnPort).received.length - before >= 10, "audio kept flowing");
    assert.equal(call.sip.state, "confirmed");
    await gw.hangup(rec);
    assert.equal(rec.outcome, "completed");
  } finally {
    udp.close();
    await gw.stop();
    await pool.close();
  }
});
