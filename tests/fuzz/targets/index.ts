// Every fuzz target, by name (npm run fuzz -- TARGET). One per parser or transform of issue 10.
import type { FuzzTarget } from "./types.js";
import { sipFramer, sipHeaders, sipMessage } from "./sip.js";
import { sdes, sdpAnswer, sdpOffer } from "./sdp.js";
import { certInput, crl, pem, pkcs12, pkcs7, x509 } from "./certs.js";
import { tlsHandshake, tlsRecord } from "./tls.js";
import { rtcp, rtp, wav } from "./media.js";
import { board, gatewayConfig, image } from "./config.js";
import { srtcpUnprotect, srtpProtect, srtpUnprotect } from "./srtp.js";
import { coreAbi } from "./core-abi.js";
import { mtlsServer } from "./mtls.js";

export const TARGETS: readonly FuzzTarget[] = [
  sipMessage, sipFramer, sipHeaders,
  sdpOffer, sdpAnswer, sdes,
  pem, x509, crl, pkcs7, pkcs12, certInput,
  tlsHandshake, tlsRecord, mtlsServer,
  rtp, rtcp, wav,
  board, gatewayConfig, image,
  srtpUnprotect, srtcpUnprotect, srtpProtect,
  coreAbi,
];

export function target(name: string): FuzzTarget | undefined {
  return TARGETS.find((t) => t.name === name);
}
