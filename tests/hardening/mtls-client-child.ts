// Child process of mtls-load.test.ts: Mediation Servers (Node tls, i.e. OpenSSL) opening mutual-TLS
// connections to the gateway's listener at a fixed rate. Most present the pool certificate; every
// `badEvery`-th presents a bad one (expired, revoked, wrong name, untrusted issuer, or none). A good
// connection sends a line and must get it echoed; a bad one must never get anything back.
// Prints one JSON line with the counts when done.
// argv[2]: JSON { port, rate, seconds, badEvery, ca, servername, good: {key, cert}, bad: [{name, key?, cert?}] }
import tls from "node:tls";

interface Ident {
  name: string;
  key?: string;
  cert?: string;
}
interface Params {
  port: number;
  rate: number;
  seconds: number;
  badEvery: number;
  ca: string;
  servername: string;
  good: Ident;
  bad: Ident[];
}

const p = JSON.parse(process.argv[2]!) as Params;
const counts = {
  attempts: 0,
  good: 0,
  goodServed: 0,
  goodFailed: 0,
  bad: 0,
  badRefused: 0,
  badServed: 0,
  failures: {} as Record<string, number>,
  latenciesMs: [] as number[],
};

function attempt(i: number): Promise<void> {
  const isBad = p.badEvery > 0 && i % p.badEvery === p.badEvery - 1;
  const id = isBad ? p.bad[Math.floor(i / p.badEvery) % p.bad.length]! : p.good;
  counts.attempts++;
  if (isBad) counts.bad++;
  else counts.good++;
  const t0 = performance.now();
  const line = `PING ${i} ${id.name}\n`;
  return new Promise((resolve) => {
    let done = false;
    let got = "";
    const finish = (served: boolean, why?: string) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      if (isBad) {
        if (served) counts.badServed++;
        else counts.badRefused++;
      } else if (served) {
        counts.goodServed++;
        counts.latenciesMs.push(performance.now() - t0);
      } else {
        counts.goodFailed++;
        const k = why ?? "unknown";
        counts.failures[k] = (counts.failures[k] ?? 0) + 1;
      }
      resolve();
    };
    const s = tls.connect({
      port: p.port,
      host: "127.0.0.1",
      servername: p.servername,
      ca: [p.ca],
      ...(id.key ? { key: id.key, cert: id.cert } : {}),
      minVersion: "TLSv1.2",
    });
    const timer = setTimeout(() => finish(false, "timeout (15 s)"), 15_000);
    s.on("secureConnect", () => s.write(line));
    s.on("data", (d: Buffer) => {
      got += d.toString();
      if (got === line) finish(true);
    });
    s.on("error", (e: Error & { code?: string }) => finish(false, e.code ?? e.message));
    s.on("close", () => finish(false, "closed"));
  });
}

const pending: Promise<void>[] = [];
const total = Math.round(p.rate * p.seconds);
const start = performance.now();
// each process keeps its own schedule; every badEvery-th of its connections is a bad one
for (let i = 0; i < total; i++) {
  const due = start + (i * 1000) / p.rate;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  pending.push(attempt(i));
}
await Promise.all(pending);
const lat = counts.latenciesMs.sort((a, b) => a - b);
const q = (f: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(f * lat.length))]! : 0);
process.stdout.write(
  JSON.stringify({ ...counts, latenciesMs: undefined, seconds: (performance.now() - start) / 1000, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: lat[lat.length - 1] ?? 0, cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000 }) + "\n",
);
