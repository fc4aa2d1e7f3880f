// The handshake's view of the connection: whole handshake messages in, handshake messages and
// change_cipher_spec out, over the record layer (the WebAssembly core). Sans-I/O: the owner feeds
// transport bytes with feed()/end() and writes what `output` receives.
//
// Records are pulled from the core only while the handshake waits for a message, one at a time, so
// that bytes following a key change (ServerHello, then records under the handshake keys) are not
// opened before the handshake has installed the new keys. Handshake messages must not span a key
// change (RFC 8446 §5.1): atKeyChange() checks nothing is left over.
import { TLS_ALERTS, AlertLevel, parseAlert } from "../alerts.js";
import { TlsAlertError, TlsError } from "../errors.js";
import { ContentType, type TlsRecord, type TlsRecordLayer } from "../record-layer.js";
import { protocolError } from "../mtls-errors.js";
import { handshakeTypeName } from "./constants.js";
import { MAX_HANDSHAKE_MESSAGE, splitHandshake, type HandshakeMessage } from "./messages.js";

export class HandshakeChannel {
  readonly rl: TlsRecordLayer;
  readonly #output: (bytes: Uint8Array) => void;
  #partial: Uint8Array = new Uint8Array(0);
  readonly #messages: HandshakeMessage[] = [];
  readonly #pending: Uint8Array[] = [];
  #eof = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;
  /** Called with each outgoing handshake message before it is sealed (tests: tampering). */
  mutateOutgoing: ((raw: Uint8Array) => Uint8Array) | undefined;

  readonly #wantInput: (() => void) | undefined;

  /** `wantInput` is called whenever a read waits for bytes (the owner resumes a paused transport). */
  constructor(rl: TlsRecordLayer, output: (bytes: Uint8Array) => void, wantInput?: () => void) {
    this.rl = rl;
    this.#output = output;
    this.#wantInput = wantInput;
  }

  // ---- input ----

  feed(bytes: Uint8Array): void {
    this.rl.feed(bytes);
    this.#notify();
  }

  /** The transport reached end of stream. */
  end(): void {
    this.#eof = true;
    this.#notify();
  }

  /** Makes a waiting (and any later) read fail with `err` (timeouts, socket errors). */
  abort(err: Error): void {
    this.#failure ??= err;
    this.#notify();
  }

  get eof(): boolean {
    return this.#eof;
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  #waitInput(): Promise<void> {
    this.#wantInput?.();
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** The next record, waiting for input as needed. Fatal alerts and refused records throw. */
  private async nextRecord(): Promise<TlsRecord> {
    for (;;) {
      if (this.#failure) throw this.#failure;
      const rec = this.rl.readRecord();
      if (rec) return rec;
      if (this.rl.readClosed) throw new TlsAlertError(TLS_ALERTS.close_notify, "received", "the peer closed the connection (close_notify) during the handshake", { fatal: false });
      if (this.#eof) {
        throw new TlsError("ERR_TLS_UNEXPECTED_EOF", this.rl.atRecordBoundary ? "the peer closed the connection during the handshake" : "the peer closed the connection in the middle of a record during the handshake");
      }
      await this.#waitInput();
    }
  }

  /**
   * Adds a handshake record's content to the message buffer. Public for the post-handshake reader,
   * which shares the buffer. Returns the messages now complete.
   */
  takeHandshakeRecord(data: Uint8Array): HandshakeMessage[] {
    let buf = data;
    if (this.#partial.length > 0) {
      buf = new Uint8Array(this.#partial.length + data.length);
      buf.set(this.#partial);
      buf.set(data, this.#partial.length);
    }
    const { messages, consumed } = splitHandshake(buf, MAX_HANDSHAKE_MESSAGE);
    this.#partial = buf.slice(consumed);
    return messages;
  }

  /** The next handshake message. A change_cipher_spec or application data here is unexpected_message. */
  async readMessage(): Promise<HandshakeMessage> {
    for (;;) {
      const m = this.#messages.shift();
      if (m) return m;
      const rec = await this.nextRecord();
      switch (rec.type) {
        case ContentType.handshake:
          this.#messages.push(...this.takeHandshakeRecord(rec.data));
          break;
        case ContentType.alert:
          this.warningAlert(rec.data);
          break;
        case ContentType.changeCipherSpec:
          throw protocolError("unexpected_message", "change_cipher_spec where a handshake message was expected");
        default:
          throw protocolError("unexpected_message", "application data during the handshake");
      }
    }
  }

  /** The next message, which must be of `type` (else unexpected_message). */
  async expect(type: number, ...others: number[]): Promise<HandshakeMessage> {
    const m = await this.readMessage();
    if (m.type !== type && !others.includes(m.type)) {
      const want = [type, ...others].map(handshakeTypeName).join(" or ");
      throw protocolError("unexpected_message", `received ${handshakeTypeName(m.type)} where ${want} was expected`);
    }
    return m;
  }

  /** TLS 1.2: the peer's ChangeCipherSpec, at a message boundary. */
  async readChangeCipherSpec(): Promise<void> {
    this.atKeyChange("ChangeCipherSpec");
    for (;;) {
      const rec = await this.nextRecord();
      if (rec.type === ContentType.changeCipherSpec) return;
      if (rec.type === ContentType.alert) {
        this.warningAlert(rec.data);
        continue;
      }
      throw protocolError("unexpected_message", rec.type === ContentType.handshake ? "a handshake message where ChangeCipherSpec was expected" : "application data before ChangeCipherSpec");
    }
  }

  /** A warning alert (TLS 1.2) is logged and ignored; anything that reaches here is not fatal. */
  private warningAlert(data: Uint8Array): void {
    const a = parseAlert(data);
    if (!a) throw protocolError("decode_error", "malformed alert");
    // close_notify closes the read half: nextRecord() reports it on the next call.
  }

  /** Throws unexpected_message if a message (or part of one) is buffered where the read keys change. */
  atKeyChange(where: string): void {
    if (this.#partial.length > 0 || this.#messages.length > 0) {
      throw protocolError("unexpected_message", `handshake data continues past ${where} in the same record (a key change must fall on a record boundary)`);
    }
  }

  /** True when no handshake bytes are buffered (post-handshake reader). */
  get idle(): boolean {
    return this.#partial.length === 0 && this.#messages.length === 0;
  }

  // ---- output ----

  /** Seals one handshake message now (under the current write keys) for the next flush(). */
  send(raw: Uint8Array): void {
    const m = this.mutateOutgoing ? this.mutateOutgoing(raw) : raw;
    this.#pending.push(this.rl.seal(ContentType.handshake, m));
  }

  /** A change_cipher_spec record (TLS 1.2, or TLS 1.3 middlebox compatibility). */
  sendChangeCipherSpec(): void {
    this.#pending.push(this.rl.seal(ContentType.changeCipherSpec, Uint8Array.of(1)));
  }

  /** Writes everything sealed since the last flush, as one chunk. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const total = this.#pending.reduce((n, b) => n + b.length, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const b of this.#pending) {
      out.set(b, off);
      off += b.length;
    }
    this.#pending.length = 0;
    this.#output(out);
  }

  /**
   * Flushes pending records and then a fatal alert (best effort: nothing is sent when the write
   * direction already failed). Returns true when the alert went out.
   */
  sendFatalAlert(alert: number): boolean {
    try {
      this.flush();
    } catch {
      /* fall through to the alert */
    }
    try {
      this.#output(this.rl.sealAlert(alert, AlertLevel.fatal));
      return true;
    } catch {
      return false;
    }
  }

  /** Bytes of a partial handshake message held (bounded by MAX_HANDSHAKE_MESSAGE + a record). */
  get bufferedBytes(): number {
    return this.#partial.length;
  }
}
