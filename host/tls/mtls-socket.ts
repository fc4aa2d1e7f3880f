// MtlsSocket: a mutual-TLS connection as a Node Duplex over a net.Socket, driving our own handshake
// (host/tls/handshake) and the WebAssembly record core. Bytes from the socket are fed to the core;
// what the core seals is written to the socket. Node's `tls` module is not involved.
//
// Lifecycle: "handshake" (every read bounded by policy.handshakeTimeoutMs) → "open" → end() sends
// close_notify → the socket closes when the peer answers (or after closeTimeoutMs). A fatal error
// sends the alert RFC 8446 §6.2 / RFC 5246 §7.2 prescribe, then destroys the socket with a TlsError.
// Keys live in the core's arena and are wiped when the socket is destroyed.
import { Duplex } from "node:stream";
import type net from "node:net";
import type { Core } from "../core/load-core.js";
import type { VerifyWarning } from "../certs/verify.js";
import { TLS_ALERTS, AlertLevel, parseAlert } from "./alerts.js";
import type { AsymmetricProvider } from "./asymmetric.js";
import type { MtlsCredentials } from "./credentials.js";
import { TlsAlertError, TlsError } from "./errors.js";
import { HandshakeChannel } from "./handshake/channel.js";
import { runClientHandshake } from "./handshake/client.js";
import { HandshakeType } from "./handshake/constants.js";
import type { HandshakeContext, HandshakeResult, HandshakeTestHooks } from "./handshake/context.js";
import { decodeKeyUpdate, decodeNewSessionTicket13, encodeKeyUpdate, type HandshakeMessage } from "./handshake/messages.js";
import { runServerHandshake } from "./handshake/server.js";
import { alertToSend, asTlsError, protocolError, refuse } from "./mtls-errors.js";
import type { ResolvedTlsPolicy, TlsVersionLabel } from "./policy.js";
import type { KeylogSink } from "./keylog.js";
import { ContentType, TlsRecordLayer, type TlsUsageLimits } from "./record-layer.js";
import { describePeer, type PeerCertificate } from "./verify-peer.js";

/** Bytes received but not yet consumed during the handshake before the socket is paused. */
const HANDSHAKE_INPUT_LIMIT = 256 * 1024;
/** How long a fatal alert or close_notify may take to leave before the socket is destroyed. */
const LINGER_MS = 2000;

export interface MtlsSocketInit {
  role: "client" | "server";
  socket: net.Socket;
  core: Core;
  policy: ResolvedTlsPolicy;
  credentials: MtlsCredentials;
  asym: AsymmetricProvider;
  now: () => Date;
  buildDate: Date;
  beforeClockSet: "refuseTls" | "warn";
  servername?: string;
  allowedPeers?: readonly string[];
  /** Server role, diagnostics: no name check on the client certificate (createMtlsServer anyTrustedPeer). */
  anyTrustedPeer?: boolean;
  recordSizeLimit: number;
  /** Record-count limits of the write key (RFC 8446 §5.5); KeyUpdate at `soft` (TLS 1.3). Tests lower them. */
  aeadLimits?: TlsUsageLimits;
  /** Destroy the connection after this long without input once open (0 = never). */
  idleTimeoutMs: number;
  /** After our close_notify, how long to wait for the peer's before closing anyway. */
  closeTimeoutMs: number;
  hooks?: HandshakeTestHooks;
  keylog?: KeylogSink;
}

export interface KeyUpdateEvent {
  /** "write": we switched our sending keys; "read": the peer switched its keys. */
  direction: "read" | "write";
  /** The KeyUpdate asked the other side to update too. */
  requested: boolean;
}

type State = "handshake" | "open" | "closing" | "closed";

export class MtlsSocket extends Duplex {
  readonly role: "client" | "server";
  readonly #sock: net.Socket;
  readonly #init: MtlsSocketInit;
  readonly #rl: TlsRecordLayer;
  readonly #channel: HandshakeChannel;
  #state: State = "handshake";
  #result: HandshakeResult | undefined;
  #peerChain: PeerCertificate[] = [];
  #firstInput = true;
  #eof = false;
  #readEnded = false;
  #readPaused = false;
  #pumping = false;
  #keyUpdateDue = false;
  #keyLimitSignalled = false;
  #sockEnded = false;
  #closeTimer: NodeJS.Timeout | undefined;
  #keyUpdates = { sent: 0, received: 0 };

  constructor(init: MtlsSocketInit) {
    super({ allowHalfOpen: false });
    this.role = init.role;
    this.#init = init;
    this.#sock = init.socket;
    this.#rl = TlsRecordLayer.create(init.core, {
      ...(init.aeadLimits ? { usageLimits: init.aeadLimits } : {}),
      onKeyUpdateDue: () => {
        this.#keyUpdateDue = true;
      },
    });
    this.#channel = new HandshakeChannel(this.#rl, (b) => this.#writeRaw(b), () => this.#sock.resume());
    const mutate = init.hooks?.mutateOutgoing;
    if (mutate) this.#channel.mutateOutgoing = (raw) => mutate(raw[0]!, raw);
    this.#sock.on("data", (b: Buffer) => this.#onData(b));
    this.#sock.on("end", () => this.#onEnd());
    this.#sock.on("error", (e) => this.#onSocketError(e));
    this.#sock.on("close", () => this.#onSocketClose());
  }

  // ---- negotiated parameters ----

  get version(): TlsVersionLabel {
    return this.#need().version;
  }
  /** IANA name of the cipher suite, e.g. "TLS_AES_256_GCM_SHA384". */
  get suite(): string {
    return this.#need().suite.name;
  }
  /** IANA name of the key-exchange group, e.g. "x25519". */
  get group(): string {
    return this.#need().group;
  }
  /** The peer's verified path, its own certificate first, the trust anchor last. */
  get peerChain(): PeerCertificate[] {
    return this.#peerChain;
  }
  /** The signature schemes of the peer's handshake signature and of ours. */
  get peerSignatureScheme(): string {
    return this.#need().peerSignatureScheme;
  }
  get signatureScheme(): string {
    return this.#need().signatureScheme;
  }
  /** Server role: the SNI host name the client asked for. */
  get serverName(): string | undefined {
    return this.#result?.serverName;
  }
  /** Certificate-verification warnings (e.g. no CRL for an issuer under the default policy). */
  get warnings(): VerifyWarning[] {
    return this.#result?.warnings ?? [];
  }
  /** TLS 1.3: the handshake went through a HelloRetryRequest (the first key share was not acceptable). */
  get helloRetryRequest(): boolean {
    return this.#result?.helloRetryRequest ?? false;
  }
  get peerRecordSizeLimit(): number {
    return this.#result?.peerRecordSizeLimit ?? 0;
  }
  /** KeyUpdates sent and received (TLS 1.3). */
  get keyUpdates(): { sent: number; received: number } {
    return { ...this.#keyUpdates };
  }
  get remoteAddress(): string | undefined {
    return this.#sock.remoteAddress;
  }
  get remotePort(): number | undefined {
    return this.#sock.remotePort;
  }
  get localAddress(): string | undefined {
    return this.#sock.localAddress;
  }
  get localPort(): number | undefined {
    return this.#sock.localPort;
  }
  /** True once the handshake completed and until the connection closes. */
  get secure(): boolean {
    return this.#state === "open";
  }

  #need(): HandshakeResult {
    if (!this.#result) throw new TlsError("ERR_TLS_CLOSED", "the handshake has not completed");
    return this.#result;
  }

  // ---- handshake ----

  /** Runs the handshake. Resolves when the connection is secure; rejects with a TlsError (the socket is then destroyed). */
  async start(): Promise<void> {
    const init = this.#init;
    const ctx: HandshakeContext = {
      core: init.core,
      channel: this.#channel,
      policy: init.policy,
      credentials: init.credentials,
      asym: init.asym,
      now: init.now,
      buildDate: init.buildDate,
      beforeClockSet: init.beforeClockSet,
      recordSizeLimit: init.recordSizeLimit,
      ...(init.servername !== undefined ? { servername: init.servername } : {}),
      ...(init.allowedPeers !== undefined ? { allowedPeers: init.allowedPeers } : {}),
      ...(init.anyTrustedPeer ? { anyTrustedPeer: true } : {}),
      ...(init.hooks ? { hooks: init.hooks } : {}),
      ...(init.keylog ? { keylog: init.keylog } : {}),
    };
    const ms = init.policy.handshakeTimeoutMs;
    const timer = setTimeout(() => {
      this.#channel.abort(new TlsError("ERR_TLS_TIMEOUT", `the TLS handshake did not complete within ${ms} ms (the peer stopped answering)`));
    }, ms);
    try {
      const result = init.role === "client" ? await runClientHandshake(ctx) : await runServerHandshake(ctx);
      if (this.#state !== "handshake") throw new TlsError("ERR_TLS_CLOSED", "the connection was closed during the handshake");
      this.#result = result;
      this.#peerChain = describePeer(result.peerPath);
      this.#state = "open";
    } catch (e) {
      const err = this.#state === "handshake" ? asTlsError(e, "TLS handshake") : new TlsError("ERR_TLS_CLOSED", "the connection was closed during the handshake", { cause: e });
      this.#failWith(e, err);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    if (init.idleTimeoutMs > 0) {
      this.#sock.setTimeout(init.idleTimeoutMs, () => this.destroy(new TlsError("ERR_TLS_TIMEOUT", `no data from the peer for ${init.idleTimeoutMs} ms`)));
    }
    this.#sock.resume();
    this.emit("secure");
    // records that arrived with the peer's last flight (e.g. application data after its Finished)
    process.nextTick(() => this.#pump());
  }

  // ---- transport events ----

  #onData(b: Buffer): void {
    if (this.#state === "closed") return;
    if (this.#firstInput) {
      this.#firstInput = false;
      // A TLS record starts with a content type (20..23); an SSL 2.0 record header has its top bit set.
      if (this.role === "server" && b.length > 0 && (b[0]! & 0x80) !== 0) {
        this.#channel.abort(refuse("ERR_TLS_PROTOCOL_VERSION", "protocol_version", "the client sent an SSL 2.0-format ClientHello; only TLS 1.2 and 1.3 are spoken"));
        return;
      }
    }
    if (this.#state === "handshake") {
      this.#channel.feed(b);
      if (this.#rl.pendingInput > HANDSHAKE_INPUT_LIMIT) this.#sock.pause();
      return;
    }
    this.#rl.feed(b);
    this.#pump();
  }

  #onEnd(): void {
    this.#eof = true;
    if (this.#state === "handshake") this.#channel.end();
    else this.#pump();
  }

  #onSocketError(e: Error): void {
    const err = new TlsError("ERR_TLS_SOCKET", `socket error: ${e.message}`, { cause: e });
    if (this.#state === "handshake") this.#channel.abort(err);
    else if (this.#state === "open") this.destroy(err);
    else this.destroy(); // after close_notify: a reset is the peer's way of closing
  }

  #onSocketClose(): void {
    if (this.#state === "handshake") {
      this.#channel.abort(new TlsError("ERR_TLS_UNEXPECTED_EOF", "the connection closed during the handshake"));
      return;
    }
    if (this.#state === "closed") return;
    this.#eof = true;
    this.#pump();
    if ((this.#state as State) === "closed") return; // #pump() may have failed the connection
    // The transport is gone: wipe the keys now. Data already delivered stays readable; the stream
    // ends (and auto-destroys) once it is consumed.
    this.#state = "closed";
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#rl.destroy();
    if (!this.#readEnded) this.destroy(new TlsError("ERR_TLS_UNEXPECTED_EOF", "the connection closed without close_notify"));
  }

  #writeRaw(b: Uint8Array): void {
    if (this.#sockEnded || this.#sock.destroyed) return;
    this.#sock.write(b);
  }

  // ---- after the handshake ----

  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#state === "open" || this.#state === "closing") {
        if (this.#readPaused) {
          this.#sock.pause();
          return;
        }
        let rec;
        try {
          rec = this.#rl.readRecord();
        } catch (e) {
          this.#fatal(e);
          return;
        }
        if (!rec) {
          if (this.#rl.readClosed) this.#endRead();
          else if (this.#eof) {
            // a clean end of stream without close_notify is tolerated at a record boundary (as Go and
            // OpenSSL do); inside a record it is a truncation
            if (this.#rl.atRecordBoundary) this.#endRead();
            else this.#fatal(new TlsError("ERR_TLS_UNEXPECTED_EOF", "the connection closed in the middle of a record"));
          }
          return;
        }
        if (rec.type === ContentType.applicationData) {
          if (rec.data.length > 0 && !this.#readEnded && !this.push(Buffer.from(rec.data.buffer, rec.data.byteOffset, rec.data.length))) this.#readPaused = true;
        } else if (rec.type === ContentType.handshake) {
          const msgs = this.#channel.takeHandshakeRecord(rec.data);
          for (let i = 0; i < msgs.length; i++) this.#postHandshake(msgs[i]!, i === msgs.length - 1);
        } else if (rec.type === ContentType.alert) {
          // close_notify is seen through readClosed; a TLS 1.2 warning (e.g. no_renegotiation) is ignored
          if (!parseAlert(rec.data)) throw protocolError("decode_error", "malformed alert");
        } else {
          this.#fatal(protocolError("unexpected_message", "change_cipher_spec after the handshake"));
          return;
        }
      }
    } catch (e) {
      this.#fatal(e);
    } finally {
      this.#pumping = false;
    }
  }

  #endRead(): void {
    if (this.#readEnded) return;
    this.#readEnded = true;
    this.push(null);
  }

  override _read(): void {
    if (this.#readPaused) {
      this.#readPaused = false;
      if (this.#state === "open" || this.#state === "closing") this.#sock.resume();
      this.#pump();
    }
  }

  /** Handshake messages after the handshake: KeyUpdate, NewSessionTicket, and refused renegotiation. */
  #postHandshake(m: HandshakeMessage, lastInRecord: boolean): void {
    const v = this.#result!.version;
    if (v === "TLSv1.3") {
      if (m.type === HandshakeType.key_update) {
        const { updateRequested } = decodeKeyUpdate(m.body);
        // RFC 8446 §5.1: the KeyUpdate must end its record, since the keys change right after it
        if (!lastInRecord) throw protocolError("unexpected_message", "handshake data after a KeyUpdate in the same record");
        this.#channel.atKeyChange("KeyUpdate");
        this.#rl.keyUpdate("read");
        this.#keyUpdates.received++;
        this.emit("keyUpdate", { direction: "read", requested: updateRequested } satisfies KeyUpdateEvent);
        if (updateRequested && this.#state === "open") this.#sendKeyUpdate(false);
        return;
      }
      if (m.type === HandshakeType.new_session_ticket && this.role === "client") {
        decodeNewSessionTicket13(m.body); // checked, then dropped: we do not resume sessions
        return;
      }
      throw protocolError("unexpected_message", `post-handshake ${m.type === HandshakeType.certificate_request ? "authentication (we did not offer post_handshake_auth)" : `message ${m.type}`}`);
    }
    // TLS 1.2: renegotiation is refused with a no_renegotiation warning (RFC 5246 §7.2.2, RFC 5746 §4.2)
    if ((m.type === HandshakeType.hello_request && this.role === "client") || (m.type === HandshakeType.client_hello && this.role === "server")) {
      if (m.type === HandshakeType.hello_request && m.body.length !== 0) throw protocolError("decode_error", "HelloRequest is not empty");
      if (this.#state === "open") this.#writeRaw(this.#rl.sealAlert(TLS_ALERTS.no_renegotiation_RESERVED, AlertLevel.warning));
      this.emit("renegotiationRefused");
      return;
    }
    throw protocolError("unexpected_message", `handshake message ${m.type} after the TLS 1.2 handshake`);
  }

  /** TLS 1.3 KeyUpdate (RFC 8446 §4.6.3): our next records use new keys; `requestPeer` asks the peer to update too. */
  keyUpdate(requestPeer = false): void {
    if (this.#state !== "open") throw new TlsError("ERR_TLS_CLOSED", "KeyUpdate on a connection that is not open");
    if (this.#result!.version !== "TLSv1.3") throw new TlsError("ERR_TLS_CONFIG", "KeyUpdate exists in TLS 1.3 only (TLS 1.2 would need renegotiation, which is refused)");
    this.#sendKeyUpdate(requestPeer);
  }

  #sendKeyUpdate(requestPeer: boolean): void {
    const rec = this.#rl.seal(ContentType.handshake, encodeKeyUpdate(requestPeer));
    this.#rl.keyUpdate("write");
    this.#keyUpdateDue = false;
    this.#writeRaw(rec);
    this.#keyUpdates.sent++;
    this.emit("keyUpdate", { direction: "write", requested: requestPeer } satisfies KeyUpdateEvent);
  }

  #afterSeal(): void {
    if (!this.#keyUpdateDue) return;
    if (this.#result!.version === "TLSv1.3") this.#sendKeyUpdate(false);
    else if (!this.#keyLimitSignalled) {
      // TLS 1.2 cannot rekey without renegotiation: tell the application to reconnect
      this.#keyLimitSignalled = true;
      this.emit("keyUpdateDue");
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#sealAndWrite(chunk, cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.#sealAndWrite(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk)), cb);
  }

  #sealAndWrite(data: Uint8Array, cb: (err?: Error | null) => void): void {
    if (this.#state !== "open") return cb(new TlsError("ERR_TLS_CLOSED", "write on a TLS connection that is not open"));
    let bytes: Uint8Array;
    try {
      bytes = this.#rl.seal(ContentType.applicationData, data);
    } catch (e) {
      const err = asTlsError(e, "TLS write");
      this.#fatal(e);
      return cb(err);
    }
    const ok = this.#sock.write(bytes);
    this.#afterSeal();
    if (ok) cb();
    else this.#sock.once("drain", () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.#state === "open") {
      this.#state = "closing";
      try {
        this.#writeRaw(this.#rl.closeNotify());
      } catch {
        /* the write direction already failed: just close */
      }
      this.#sockEnded = true;
      this.#sock.end();
      this.#closeTimer = setTimeout(() => this.destroy(), this.#init.closeTimeoutMs);
      this.#closeTimer.unref();
      if (this.#readEnded) this.#destroySoon();
    }
    cb();
  }

  #destroySoon(): void {
    // both directions closed: let the socket flush and close
    const t = setTimeout(() => this.destroy(), LINGER_MS);
    t.unref();
    this.#sock.once("close", () => clearTimeout(t));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const wasHandshake = this.#state === "handshake";
    this.#state = "closed";
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    if (wasHandshake) this.#channel.abort(new TlsError("ERR_TLS_CLOSED", "the connection was destroyed during the handshake"));
    this.#closeSocket();
    // wipe keys and buffers; a handshake still running fails on its next core call
    this.#rl.destroy();
    cb(err);
  }

  #closeSocket(): void {
    if (this.#sock.destroyed) return;
    if (this.#sockEnded) {
      // let a final alert or close_notify leave
      const t = setTimeout(() => this.#sock.destroy(), LINGER_MS);
      t.unref();
      this.#sock.once("close", () => clearTimeout(t));
    } else this.#sock.destroy();
  }

  /** Sends the alert an error calls for (if any), then closes the transport. */
  #sendAlertAndEnd(cause: unknown): void {
    try {
      if (cause instanceof TlsAlertError && cause.direction === "sent" && cause.alertRecord) this.#writeRaw(cause.alertRecord);
      else {
        const n = alertToSend(cause);
        if (n !== undefined && !this.#sockEnded) this.#channel.sendFatalAlert(n);
      }
    } catch {
      /* best effort */
    }
    if (!this.#sockEnded && !this.#sock.destroyed) {
      this.#sockEnded = true;
      this.#sock.end();
    }
  }

  #failWith(cause: unknown, err: TlsError): void {
    if (this.#state === "closed") return;
    void err; // surfaced by start()'s rejection: nobody listens for 'error' yet
    this.#sendAlertAndEnd(cause);
    this.destroy();
  }

  #fatal(e: unknown): void {
    if (this.#state === "closed") return;
    const err = asTlsError(e, "TLS connection");
    this.#sendAlertAndEnd(e);
    this.destroy(err);
  }
}
