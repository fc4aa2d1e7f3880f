// What a failure of the link means and what to do about it, in words a field engineer can act on.
// Decided from stable error codes (ERR_TLS_*, Node's ERR_SSL_*, errno codes) and TLS alert names,
// never from message text.

export interface Explanation {
  summary: string;
  advice: string;
}

/** The gateway's certificate was refused by the peer: alert names that say so. */
export const CLIENT_CERT_REFUSAL_ALERTS: ReadonlySet<string> = new Set([
  "bad_certificate",
  "unsupported_certificate",
  "certificate_revoked",
  "certificate_expired",
  "certificate_unknown",
  "unknown_ca",
  "access_denied",
  "certificate_required",
]);

/** Why a peer refuses our certificate, per alert (RFC 8446 §6.2) as Schannel and OpenSSL use them. */
export function explainClientCertAlert(alert: string, gatewayFqdn: string | undefined): string {
  const fqdn = gatewayFqdn ?? "the gateway's FQDN";
  switch (alert) {
    case "unknown_ca":
      return "the peer does not trust the CA that issued the gateway's certificate: import that root CA (and any intermediate) into the Mediation Server's Trusted Root Certification Authorities store";
    case "certificate_expired":
      return "the peer says the gateway's certificate has expired (or its clock disagrees): renew it (`gwsdk cert init --renew`, then `gwsdk cert import`) and check both clocks";
    case "certificate_revoked":
      return "the peer says the gateway's certificate was revoked: request a new one (`gwsdk cert init --renew`)";
    case "bad_certificate":
    case "unsupported_certificate":
    case "certificate_unknown":
      return `the peer refused the gateway's certificate: it must name ${fqdn} (subject CN and subjectAltName) exactly as the PSTN gateway is defined in Topology Builder, and allow Client Authentication (EKU clientAuth, or serverAuth under Skype for Business)`;
    case "access_denied":
      return `the peer accepted the certificate but not this gateway: define ${fqdn} as a PSTN gateway of this Mediation pool in Topology Builder and publish the topology`;
    case "certificate_required":
      return "the peer requires a client certificate and got none: import the gateway's certificate (`gwsdk cert import`) and check the --identity";
    default:
      return `the peer ended the connection with the alert ${alert}`;
  }
}

/** A failed TCP connection (errno codes of Node's net module). */
export function explainTcp(code: string | undefined, host: string, port: number, timeoutMs: number): Explanation {
  switch (code) {
    case "ECONNREFUSED":
      return {
        summary: `connection refused by ${host}:${port}`,
        advice: `nothing listens on port ${port}: the Mediation Server listens for gateways on 5067/TLS by default (the "TLS listening port" of the PSTN gateway in Topology Builder); check the port and that the Mediation Server service runs`,
      };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { summary: `${host} does not resolve (${code})`, advice: "check the name and the gateway's DNS servers: the pool FQDN must resolve to the Mediation Server(s)" };
    case "ETIMEDOUT":
      return {
        summary: `no answer from ${host}:${port} within ${timeoutMs} ms`,
        advice: "a firewall drops the connection, or the address is wrong: allow TCP from the gateway to the Mediation Server's port (5067 by default)",
      };
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return { summary: `${host} is unreachable (${code})`, advice: "check the gateway's IP configuration and routes towards the Mediation Server" };
    case "ECONNRESET":
      return { summary: `the connection to ${host}:${port} was reset`, advice: "a firewall or the peer resets the connection: check the peer's listening port and any firewall between" };
    default:
      return { summary: `cannot connect to ${host}:${port} (${code ?? "unknown error"})`, advice: "check the address, the port and the network path" };
  }
}

interface TlsErrorLike {
  code?: string;
  alert?: string;
  direction?: "sent" | "received";
  message?: string;
}

/** A failure of our own mutual-TLS handshake (connectMtls). */
export function explainHandshake(e: unknown, ctx: { servername: string; gatewayFqdn: string | undefined; timeoutMs: number }): Explanation & { clientCertRefused: string | null } {
  const err = (e ?? {}) as TlsErrorLike;
  const code = err.code ?? "ERR_UNKNOWN";
  const message = err.message ?? String(e);
  const plain = (advice: string) => ({ summary: `${code}: ${message}`, advice, clientCertRefused: null });
  if (code === "ERR_TLS_ALERT" && err.direction === "received" && err.alert) {
    if (CLIENT_CERT_REFUSAL_ALERTS.has(err.alert)) {
      return { summary: `the peer refused the gateway's certificate: alert ${err.alert} received`, advice: explainClientCertAlert(err.alert, ctx.gatewayFqdn), clientCertRefused: err.alert };
    }
    if (err.alert === "protocol_version") return plain("the peer accepts neither TLS 1.3 nor TLS 1.2, the only versions our stack speaks: enable TLS 1.2 on the Mediation Server (see tls-1.3 and tls-1.2)");
    if (err.alert === "handshake_failure") {
      return plain("the peer found nothing acceptable in our hello, or refused our certificate: it must allow ECDHE with AES-GCM (TLS 1.2) or TLS 1.3, and trust the gateway's CA");
    }
    return plain(`the peer ended the handshake with the alert ${err.alert}`);
  }
  switch (code) {
    case "ERR_TLS_CERT_NAME":
      return plain(`the peer's certificate does not carry ${ctx.servername}: see certificate-name`);
    case "ERR_TLS_CERT_UNTRUSTED":
    case "ERR_TLS_CERT_EXPIRED":
    case "ERR_TLS_CERT_NOT_YET_VALID":
    case "ERR_TLS_CERT_REVOKED":
    case "ERR_TLS_CERT_REVOCATION_UNKNOWN":
    case "ERR_TLS_CERT_EKU":
    case "ERR_TLS_CERT_WEAK":
    case "ERR_TLS_CERT_INVALID":
      return plain("our side refused the peer's certificate: see certificate-chain and certificate-trust for what to change");
    case "ERR_TLS_CLOCK":
      return plain("the gateway's clock is not set: configure NTP, then probe again");
    case "ERR_TLS_PROTOCOL_VERSION":
      return plain("no TLS version in common: our stack speaks TLS 1.3 and 1.2 only; enable TLS 1.2 (or 1.3) on the Mediation Server");
    case "ERR_TLS_NO_SHARED_SUITE":
      return plain("no cipher suite in common: the peer must allow ECDHE_RSA/ECDHE_ECDSA with AES-128/256-GCM (Skype for Business lists them first) or TLS 1.3");
    case "ERR_TLS_NO_SHARED_GROUP":
      return plain("no key-exchange group in common: the peer must allow P-256, P-384 or X25519 for ECDHE");
    case "ERR_TLS_NO_SHARED_SIGNATURE":
      return plain("no signature scheme in common for the peer's or our certificate: RSA-PSS certificates are not supported by Skype for Business; use RSA PKCS#1 or ECDSA certificates");
    case "ERR_TLS_NO_EXTENDED_MASTER_SECRET":
    case "ERR_TLS_NO_SECURE_RENEGOTIATION":
      return plain("the peer lacks a TLS 1.2 extension our stack requires (extended master secret, renegotiation indication): update the peer's TLS stack (Windows Update)");
    case "ERR_TLS_TIMEOUT":
      return plain(`the handshake did not complete within ${ctx.timeoutMs} ms: the peer is slow or silent; check it is a TLS listener`);
    case "ERR_TLS_UNEXPECTED_EOF":
    case "ERR_TLS_SOCKET":
      return plain("the peer closed the connection during the handshake without an alert: Windows (Schannel) does this when it refuses the TLS version, the cipher suites or the client certificate; compare with tls-1.3 and tls-1.2");
    case "ERR_TLS_CREDENTIALS":
      return plain("the gateway's own identity cannot be used: run `gwsdk cert check` and fix what it reports");
    default:
      return plain("see the message");
  }
}
