// Child process of crash.test.ts: updates the store in a loop until it is killed (SIGKILL).
// argv: storeDir anchorA.der anchorB.der
import { readFileSync } from "node:fs";
import { CertStore } from "../../../host/certs/cert-store.js";

const [dir, a, b] = process.argv.slice(2) as [string, string, string];
const A = readFileSync(a);
const B = readFileSync(b);
await import("../../../host/certs/csr.js"); // load pkijs now, so kills land in the update loop
const store = await CertStore.open(dir);
process.stdout.write("ready\n");
for (let i = 0; ; i++) {
  switch (i % 7) {
    case 0:
      await store.trustAdd(A);
      break;
    case 1:
      await store.init({ fqdn: "gw1.contoso.com", key: "p256", name: `n${i % 5}`, renew: (await store.list()).identities.some((x) => x.name === `n${i % 5}`) });
      break;
    case 2:
      for (const t of await store.trustList()) if (t.subject.includes("Anchor A")) await store.trustRemove(t.fingerprintSha256);
      break;
    case 3:
      await store.setRevocationPolicy(i % 2 ? "strict" : "default");
      break;
    case 4:
      await store.trustAdd(B);
      break;
    case 5:
      for (const t of await store.trustList()) if (t.subject.includes("Anchor B")) await store.trustRemove(t.fingerprintSha256);
      break;
    case 6:
      if (i % 3 === 0) await store.reset();
      break;
  }
}
