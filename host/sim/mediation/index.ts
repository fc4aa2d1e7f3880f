// The Mediation Server simulator: an independent SRTP on node:crypto and a small pool-member SIP peer.
export { NodeSrtpProvider, NodeSrtpSender, NodeSrtpReceiver, nodeSrtp, deriveSessionKeys, srtpKdf, type NodeSrtpProviderOptions } from "./node-srtp.js";
export { MediationPeer, PeerCall, type MediationPeerOptions } from "./peer.js";
export { skypeOffer, skypeAnswer, readSdp, newPeerKey, type CryptoStyle, type SkypeSdpOptions } from "./skype-sdp.js";
export { MediationPool, type MediationPoolOptions, type MediationPoolTls, type PoolMember, type PoolLinkView, type PoolSrtpMode } from "./pool.js";
