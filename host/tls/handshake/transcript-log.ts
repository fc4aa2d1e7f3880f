// The handshake transcript: the hash runs in the core (TlsTranscript); the raw messages are kept
// as well while a TLS 1.2 CertificateVerify may still need them, because TLS 1.2 signs the
// concatenated messages themselves with the signature's own hash (RFC 5246 §7.4.8), which may differ
// from the PRF hash.
import type { Core } from "../../core/load-core.js";
import { TlsTranscript } from "../key-schedule-transcript.js";
import type { TlsHashName } from "../record-suites.js";

export class TranscriptLog {
  readonly tx: TlsTranscript;
  #raw: Uint8Array[] | undefined = [];
  #rawBytes = 0;

  constructor(core: Core) {
    this.tx = TlsTranscript.create(core);
  }

  add(...messages: Uint8Array[]): void {
    this.tx.update(...messages);
    if (this.#raw) {
      for (const m of messages) {
        this.#raw.push(m);
        this.#rawBytes += m.length;
      }
    }
  }

  select(hash: TlsHashName): void {
    this.tx.select(hash);
  }

  hash(): Uint8Array {
    return this.tx.hash();
  }

  /** RFC 8446 §4.4.1: ClientHello1 becomes message_hash(Hash(ClientHello1)); call before adding the HelloRetryRequest. */
  helloRetryRequest(): void {
    this.tx.helloRetryRequest();
    this.dropRaw();
  }

  /** The messages so far, concatenated (TLS 1.2 CertificateVerify). */
  raw(): Uint8Array {
    if (!this.#raw) throw new Error("the raw transcript was not kept");
    const out = new Uint8Array(this.#rawBytes);
    let off = 0;
    for (const m of this.#raw) {
      out.set(m, off);
      off += m.length;
    }
    return out;
  }

  /** Stops keeping raw messages (TLS 1.3, or TLS 1.2 once no CertificateVerify is pending). */
  dropRaw(): void {
    this.#raw = undefined;
    this.#rawBytes = 0;
  }

  destroy(): void {
    this.dropRaw();
    this.tx.destroy();
  }
}
