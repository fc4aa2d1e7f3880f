// Certificate-store errors (ERR_CERT_*). Callers branch on `code`; the message is for humans.
// Every code is listed in docs/certificates.md.
import { GwsdkError, type GwsdkErrorOptions } from "../errors.js";

export type CertErrorCode =
  | "ERR_CERT_PARSE" // a file is not a certificate/CSR/CRL/PKCS#7/PKCS#12 we can read (garbage, truncated PEM)
  | "ERR_CERT_PASSWORD" // PKCS#12 password missing or wrong
  | "ERR_CERT_KEY_MISMATCH" // certificate does not match the stored key
  | "ERR_CERT_EXPIRED" // certificate (or one in its chain) has expired
  | "ERR_CERT_NOT_YET_VALID" // certificate not valid yet
  | "ERR_CERT_CLOCK" // the device clock is before the SDK build date: time checks impossible
  | "ERR_CERT_IS_CA" // a CA certificate was given where an end-entity certificate is needed
  | "ERR_CERT_NOT_CA" // a non-CA certificate was given to the trust store
  | "ERR_CERT_EKU" // extended key usage does not allow serverAuth + clientAuth
  | "ERR_CERT_NAME" // the certificate does not name the gateway FQDN
  | "ERR_CERT_UNTRUSTED" // no path to a trust anchor (CRL import: issuer unknown)
  | "ERR_CERT_CHAIN" // the chain is broken (bad signature, CA constraints, weak algorithm...)
  | "ERR_CERT_REVOKED" // a certificate of the chain is on its issuer's CRL
  | "ERR_CERT_CRL" // strict revocation policy: CRL missing or stale
  | "ERR_CERT_CRL_OLDER" // the CRL is older than the stored one for that issuer
  | "ERR_CERT_WEAK" // weak key or signature algorithm refused
  | "ERR_CERT_STORE_CORRUPT" // a store file is damaged or tampered with (names the file)
  | "ERR_CERT_STORE_VERSION" // the store was written by a newer schema
  | "ERR_CERT_STORE_IO" // the storage failed (permissions, disk full)
  | "ERR_CERT_DEVICE_KEY" // device key missing, unreadable, too-open permissions, or not the store's key
  | "ERR_CERT_NOT_FOUND" // no such identity / trust anchor / certificate
  | "ERR_CERT_EXISTS" // identity already exists (use --renew), or a different key would be replaced
  | "ERR_CERT_CONFIRM" // a destructive command needs --yes
  | "ERR_CERT_UNSUPPORTED" // algorithm, scheme or format we do not support
  | "ERR_CERT_ARG"; // a bad argument (FQDN, key type, fingerprint)

export interface CertErrorOptions extends GwsdkErrorOptions {
  /** The store file (or input file) the error is about. */
  file?: string;
  /** The identity the error is about. */
  identity?: string;
  /** For chain errors: the verifier's reason. */
  reason?: string;
}

export class CertError extends GwsdkError {
  declare readonly code: CertErrorCode;
  readonly file?: string;
  readonly identity?: string;
  readonly reason?: string;
  constructor(code: CertErrorCode, message: string, options: CertErrorOptions = {}) {
    super(code, message, options);
    if (options.file !== undefined) this.file = options.file;
    if (options.identity !== undefined) this.identity = options.identity;
    if (options.reason !== undefined) this.reason = options.reason;
  }
}
