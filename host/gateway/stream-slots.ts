// Admission by SRTP stream slots (board core.streamSlots). A call carries one RTP stream each way —
// the SSRC the gateway sends and the SSRC it receives — so every admitted call holds one slot per
// direction from admission until it ends; when none is free, new INVITEs get 503 and outbound calls
// fail with ERR_GATEWAY_STREAM_SLOTS. The slot is taken before the SDP answer, so a call that ends up
// without SRTP (srtpMode optional / notSupported) holds one too: admission cannot know yet.
import { GatewayError } from "./errors.js";

export class StreamSlots {
  private used = 0;

  constructor(readonly slots: number) {
    if (!Number.isSafeInteger(slots) || slots < 1) throw new GatewayError("ERR_GATEWAY_STATE", `streamSlots must be a positive integer, not ${String(slots)}`);
  }

  /** Slots in use per direction. */
  get inUse(): number {
    return this.used;
  }

  get free(): number {
    return this.slots - this.used;
  }

  /** Takes one slot each way; false (nothing taken) when every slot is in use. */
  tryTake(): boolean {
    if (this.used >= this.slots) return false;
    this.used++;
    return true;
  }

  release(): void {
    if (this.used === 0) throw new GatewayError("ERR_GATEWAY_STATE", "stream slot released twice");
    this.used--;
  }
}
