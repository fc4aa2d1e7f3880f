// Worker thread of the UDP loopback run (bench/capacity.ts): sends RTP (protected with our SRTP,
// or raw) to 127.0.0.1:port at `rate` packets/s for `ms`, paced in 2 ms slices; posts the count sent.
import { parentPort, workerData } from "node:worker_threads";
import { createSocket } from "node:dgram";
import { loadCore } from "../host/index.js";

interface Params {
  port: number;
  rate: number;
  ms: number;
  srtp: boolean;
  key: { masterKey: Uint8Array; masterSalt: Uint8Array };
}

async function main(): Promise<void> {
  const p = workerData as Params;
  const core = await loadCore();
  const tx = core.srtp.sender({ profile: "AES_CM_128_HMAC_SHA1_80", ...p.key });
  const buf = core.srtp.allocPacket(256);
  const sock = createSocket("udp4");
  try {
    sock.setSendBufferSize(8 << 20);
  } catch {
    /* best effort */
  }
  let sent = 0;
  let seq = 0;
  let roc = 0;
  const t0 = performance.now();
  const slice = 2;
  const perSlice = Math.max(1, Math.round((p.rate * slice) / 1000));
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      if (now - t0 >= p.ms) return resolve();
      const due = Math.floor(((now - t0) / slice + 1) * perSlice);
      while (sent < due) {
        buf.fill(0xff, 12, 172);
        buf[0] = 0x80;
        buf[2] = seq >> 8;
        buf[3] = seq & 0xff;
        buf[11] = 1;
        let n = 172;
        if (p.srtp) n = tx.protectInPlace(buf, 172);
        sock.send(Buffer.from(buf.subarray(0, n)), p.port, "127.0.0.1");
        seq = (seq + 1) & 0xffff;
        if (seq === 0) roc++;
        sent++;
      }
      setImmediate(tick);
    };
    tick();
  });
  parentPort!.postMessage(sent);
  void roc;
}

void main();
