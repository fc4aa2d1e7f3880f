// The media path: RTP/RTCP over UDP, SRTP through an injected provider, DTMF, the PSTN port: see docs/media.md.
export * from "./srtp-provider.js";
export { classifyPacket, type PacketKind } from "./demux.js";
export { RtpPacketizer, parseRtp, buildRtp, type RtpHeader } from "./rtp.js";
export * from "./rtcp.js";
export { ReceiveStats } from "./stats.js";
export { DtmfEventSender, DtmfReceiver, encodeTelephoneEvent, decodeTelephoneEvent, digitToEvent, type DtmfDigit, type TelephoneEvent } from "./dtmf.js";
export { encodeG711, decodeG711, transcodeG711, linearToAlaw, linearToUlaw, alawToLinear, ulawToLinear, type G711Codec } from "./g711.js";
export { parseWav, writeWavPcm16, pcm16Samples, type WavAudio } from "./wav.js";
export { SimPstnPort, ToneSource, WavSource, FRAME_SAMPLES, type PstnPort, type AudioSource, type PstnFrameInfo, type RecordedFrame } from "./pstn.js";
export { SrtpTxState, SrtpRxRing } from "./srtp-keys.js";
export { MediaSession, type MediaSessionOptions, type MediaStats } from "./session.js";
export { GatewayCall, type GatewayCallOptions } from "./gateway-call.js";
export type { CallMedia, OpenCallMedia } from "./call-media.js";
