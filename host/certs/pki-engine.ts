// The one place where pkijs meets a crypto provider. pkijs registers a global engine over
// globalThis.crypto when it is imported; we never rely on that global: every pkijs call that needs
// crypto is passed this explicit engine over Node's webcrypto.
//
// Why not @peculiar/x509 (docs/certificates.md "Libraries"): its 2.x build pulls in tsyringe, which
// refuses to load without a global `reflect-metadata` polyfill that this project does not ship;
// pkijs covers what we need (CSR encoding, PKCS#7, PKCS#12) without import-time registration of its
// own beyond that default engine.
import { webcrypto } from "node:crypto";
import * as pkijs from "pkijs";

let engine: pkijs.CryptoEngine | undefined;

export function pkiEngine(): pkijs.CryptoEngine {
  engine ??= new pkijs.CryptoEngine({ name: "gwsdk-node-webcrypto", crypto: webcrypto as unknown as Crypto });
  return engine;
}
