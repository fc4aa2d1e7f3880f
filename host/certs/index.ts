// The certificate store and X.509 path verifier (issue 6). See docs/certificates.md.
export { CertStore, DEFAULT_IDENTITY, EXPIRY_THRESHOLDS, SIM_DEFAULT_STORE, STORE_SCHEMA_VERSION, summarize } from "./cert-store.js";
export type {
  CertStoreOptions, CertSummary, CheckReport, CrlSummary, ExpiryItem, ExpiryWarningEvent, IdentityInfo, ImportOptions, ImportResult,
  InitParams, InitResult, ListReport, StoreProblem, TlsCredentials, TrustAddResult, TrustConfig,
} from "./cert-store.js";
export { CertError, type CertErrorCode } from "./errors.js";
export { verifyChain, CertVerifyError, ekuAllows, REASON_CODES } from "./verify.js";
export type { VerifyParams, VerifyResult, VerifyReason, VerifyWarning, Purpose, RevocationPolicy } from "./verify.js";
export { parseCertificate, CertParseError, type ParsedCert, type Name } from "./x509.js";
export { parseCrl, type ParsedCrl } from "./crl.js";
export { FileStorage } from "./file-storage.js";
export type { Storage } from "./storage.js";
export { FileDeviceKey, MemoryDeviceKey, defaultDeviceKeyPath, type DeviceKey } from "./device-key.js";
export { KeyObjectSigner, SIGNATURE_SCHEMES, KEY_TYPES, type KeyType, type SignatureScheme, type SigningProvider } from "./keys.js";
export { matchCertificateName, matchDnsPattern } from "./names.js";
