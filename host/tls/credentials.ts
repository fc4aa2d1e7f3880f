// Where the handshake gets the gateway's identity (signing provider + chain) and the trust material
// (anchors, CRLs, revocation policy): the certificate store (host/certs). A store given as a
// directory is opened read-only-ish (never created) and owned here; a CertStore object is the
// caller's. Loaded material is cached and reloaded when the store says its identities or trust
// changed, so a certificate renewal takes effect on the next handshake without a restart.
import { CertStore, DEFAULT_IDENTITY, type TrustConfig } from "../certs/cert-store.js";
import { CertError } from "../certs/errors.js";
import type { SigningProvider } from "../certs/keys.js";
import { TlsError } from "./errors.js";
import type { ResolvedTlsPolicy } from "./policy.js";

export interface MtlsCredentials {
  identity: string;
  signer: SigningProvider;
  /** DER, leaf first, without a self-signed root. */
  chain: Uint8Array[];
  trust: TrustConfig;
}

function credentialsError(e: unknown, what: string): TlsError {
  if (e instanceof TlsError) return e;
  const code = e instanceof CertError ? ` (${e.code})` : "";
  const msg = e instanceof Error ? e.message : String(e);
  return new TlsError("ERR_TLS_CREDENTIALS", `${what}: ${msg}${code}`, { cause: e });
}

export class CredentialSource {
  readonly store: CertStore;
  readonly identity: string;
  readonly #owned: boolean;
  readonly #policy: ResolvedTlsPolicy;
  #cached: Promise<MtlsCredentials> | undefined;
  readonly #invalidate = () => {
    this.#cached = undefined;
  };

  private constructor(store: CertStore, owned: boolean, identity: string, policy: ResolvedTlsPolicy) {
    this.store = store;
    this.#owned = owned;
    this.identity = identity;
    this.#policy = policy;
    store.on("identityChanged", this.#invalidate);
    store.on("trustChanged", this.#invalidate);
  }

  static async open(store: CertStore | string, identity: string | undefined, policy: ResolvedTlsPolicy): Promise<CredentialSource> {
    if (typeof store === "string") {
      let s: CertStore;
      try {
        s = await CertStore.open(store, { create: false });
      } catch (e) {
        throw credentialsError(e, `cannot open the certificate store ${store}`);
      }
      return new CredentialSource(s, true, identity ?? DEFAULT_IDENTITY, policy);
    }
    if (!(store instanceof CertStore)) throw new TlsError("ERR_TLS_CONFIG", "store must be a CertStore or a store directory");
    return new CredentialSource(store, false, identity ?? DEFAULT_IDENTITY, policy);
  }

  /** The identity and trust material, loaded once and reloaded after the store changes. */
  load(): Promise<MtlsCredentials> {
    if (!this.#cached) {
      const p = this.#load();
      this.#cached = p;
      p.catch(() => {
        if (this.#cached === p) this.#cached = undefined;
      });
    }
    return this.#cached;
  }

  async #load(): Promise<MtlsCredentials> {
    let creds;
    try {
      creds = await this.store.tlsCredentials(this.identity);
    } catch (e) {
      throw credentialsError(e, `identity "${this.identity}" of the store ${this.store.location} cannot be used for TLS`);
    }
    const { signer } = creds;
    if (signer.algorithm === "rsa" && signer.keyBits < this.#policy.minRsaBits) {
      throw new TlsError("ERR_TLS_CREDENTIALS", `identity "${this.identity}" has an RSA ${signer.keyBits}-bit key; at least ${this.#policy.minRsaBits} bits are required`);
    }
    if (creds.anchors.length === 0) {
      throw new TlsError("ERR_TLS_CREDENTIALS", `the store ${this.store.location} trusts no CA, so no peer could be verified: add the Mediation Server's root CA (\`gwsdk cert trust add\`)`);
    }
    return { identity: creds.identity, signer, chain: creds.chain, trust: { anchors: creds.anchors, crls: creds.crls, revocation: creds.revocation } };
  }

  close(): void {
    this.store.off("identityChanged", this.#invalidate);
    this.store.off("trustChanged", this.#invalidate);
    if (this.#owned) this.store.close();
  }
}
