// The host's one mapping of the core's status table (assembly/abi/status.ts). Each status number
// maps to a stable error code; subsystem wrappers pick the error class, this table picks the code.
// Keep in step with assembly/abi/status.ts and docs/abi.md: numbers are never renumbered.

export interface StatusInfo {
  /** The constant's name in assembly/abi/status.ts. */
  readonly name: string;
  /** The stable host error code. */
  readonly code: string;
  /** A short description for messages. */
  readonly text: string;
}

export const CORE_STATUS: ReadonlyMap<number, StatusInfo> = new Map<number, StatusInfo>([
  [-1, { name: "ERR_BOUNDS", code: "ERR_CORE_BOUNDS", text: "a buffer lies outside the core's arena" }],
  [-2, { name: "ERR_ARG", code: "ERR_CORE_ARG", text: "an argument is out of range" }],
  [-3, { name: "ERR_KEY_LENGTH", code: "ERR_CORE_KEY_LENGTH", text: "the key length is not accepted" }],
  [-4, { name: "ERR_CAPACITY", code: "ERR_CORE_CAPACITY", text: "the output buffer is too small" }],
  [-5, { name: "ERR_AUTH", code: "ERR_CORE_AUTH", text: "authentication tag did not verify" }],
  [-6, { name: "ERR_SELFTEST", code: "ERR_CORE_SELFTEST", text: "power-on self-test failed" }],
  [-7, { name: "ERR_STATE", code: "ERR_CORE_STATE", text: "the context is not in a state that allows this call" }],
  [-8, { name: "ERR_LIMIT", code: "ERR_CORE_LIMIT", text: "a counter or keystream limit would be exceeded" }],
]);

export function statusInfo(status: number): StatusInfo {
  return (
    CORE_STATUS.get(status) ?? { name: `STATUS_${status}`, code: "ERR_CORE_UNKNOWN_STATUS", text: `unknown core status ${status}` }
  );
}
