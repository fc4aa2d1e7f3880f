// Board definitions: one JSON file per board in boards/, validated against boards/board.schema.json
// (ajv); a board may extend another and override fields. loadBoard() returns the resolved board.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject } from "ajv";
import { GwsdkError } from "../errors.js";
import { imagePartPath, runningFromImage } from "../image/slot-layout.js";

export class BoardError extends GwsdkError {
  /** JSON pointer of the offending field, when known. */
  readonly field?: string;
  readonly file?: string;
  constructor(code: string, message: string, extra: { field?: string; file?: string } = {}) {
    super(code, message);
    if (extra.field !== undefined) this.field = extra.field;
    if (extra.file !== undefined) this.file = extra.file;
  }
}

export type CoreVariantChoice = "auto" | "simd" | "scalar";
export type SrtpMode = "required" | "optional" | "notSupported";

/** A board after its `extends` chain is merged: every section present. */
export interface Board {
  id: string;
  description: string;
  /** Ids from the root of the extends chain to this board. */
  lineage: string[];
  cpu: { arch: string; cores: number; runtime: "node" | "c-host" };
  core: { simd: boolean; variant: CoreVariantChoice; arenaBytes: number; streamSlots: number; mediaWorkers: number };
  storage: { kind: "file" | "custom"; path?: string; module?: string };
  deviceKey: { source: "file" | "secureElement" | "derived"; path?: string; rotatable?: boolean; module?: string };
  entropy: { source: "os" | "hardware" };
  time: { source: "system" | "ntp" | "rtc"; beforeClockSet: "refuseTls" | "warn" };
  tls: { profile: "sfb" | "strict"; fips: boolean; versions: ("TLSv1.3" | "TLSv1.2")[]; legacyCbc: boolean; handshakeTimeoutMs: number };
  srtp: { srtpMode: SrtpMode; profiles: string[]; mki: boolean; replayWindow: number };
  sip: { listenPort: number; optionsIntervalMs: number; optionsFailuresDown: number };
  media: { portMin: number; portMax: number };
  limits: { maxCalls: number };
  console: { enabled: boolean; bind: string; port: number };
}

const REQUIRED_SECTIONS = ["cpu", "core", "storage", "deviceKey", "entropy", "time", "tls", "srtp", "sip", "media", "limits", "console"] as const;

/** The shipped boards/ directory (dist/host/boards/ → boards/). */
export function boardsDir(): string {
  return fileURLToPath(new URL("../../../boards/", import.meta.url));
}

/** The board schema: beside the boards, or (firmware image) the slot's schemas/board.schema.json part. */
export function boardSchemaPath(dir = boardsDir()): string {
  const beside = join(dir, "board.schema.json");
  if (existsSync(beside)) return beside;
  return imagePartPath("schemas/board.schema.json") ?? beside;
}

let validateFn: ReturnType<Ajv["compile"]> | undefined;
function validator(dir: string): ReturnType<Ajv["compile"]> {
  if (!validateFn) {
    const path = boardSchemaPath(dir);
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new BoardError("ERR_BOARD_SCHEMA", `the board schema is missing (${path})${runningFromImage() ? ": this firmware image lacks its schemas/board.schema.json part" : ""}`, { file: path });
    }
    const schema = JSON.parse(text) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: true });
    validateFn = ajv.compile(schema);
  }
  return validateFn;
}

function describeAjvError(e: ErrorObject): { field: string; message: string } {
  const field = e.instancePath || "/";
  if (e.keyword === "additionalProperties") {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return { field: `${e.instancePath}/${extra}`, message: `unknown field "${extra}"` };
  }
  if (e.keyword === "enum") {
    return { field, message: `must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}` };
  }
  return { field, message: e.message ?? e.keyword };
}

/** Parses and validates one board document (not merged). Throws BoardError naming the field. */
export function validateBoardDocument(doc: unknown, file: string, dir = boardsDir()): Record<string, unknown> {
  const validate = validator(dir);
  if (!validate(doc)) {
    const errs = (validate.errors ?? []).map(describeAjvError);
    const first = errs[0]!;
    throw new BoardError("ERR_BOARD_INVALID", `${file}: field ${first.field}: ${first.message}${errs.length > 1 ? ` (and ${errs.length - 1} more)` : ""}`, { field: first.field, file });
  }
  return doc as Record<string, unknown>;
}

function readBoardFile(path: string, dir: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new BoardError("ERR_BOARD_NOT_FOUND", `no board file ${path}`, { file: path });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BoardError("ERR_BOARD_PARSE", `${path}: not valid JSON: ${(e as Error).message}`, { file: path });
  }
  return validateBoardDocument(doc, path, dir);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Field-by-field merge: objects merge recursively; arrays and scalars replace. */
export function mergeFields(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? mergeFields(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

/** The board file a firmware image carries (its slot's board.json), when running from an image. */
export function imageBoardPath(): string | undefined {
  return imagePartPath("board.json");
}

function checkSections(merged: Record<string, unknown>): Board {
  for (const s of REQUIRED_SECTIONS) {
    if (!isPlainObject(merged[s])) throw new BoardError("ERR_BOARD_INCOMPLETE", `board "${String(merged.id)}" has no "${s}" section (nor does any board it extends)`, { field: `/${s}` });
  }
  const b = merged as unknown as Board;
  if (b.media.portMin > b.media.portMax) throw new BoardError("ERR_BOARD_INVALID", `board "${b.id}": field /media/portMin is above /media/portMax`, { field: "/media/portMin" });
  return b;
}

/**
 * Loads a resolved board (extends already merged, with its `lineage`), as `gwsdk image build` writes
 * it into an image's board.json. Validated against the board schema like any board file.
 */
export function loadResolvedBoard(path: string, dir = boardsDir()): Board {
  const raw = (() => {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new BoardError("ERR_BOARD_NOT_FOUND", `no board file ${path}`, { file: path });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      throw new BoardError("ERR_BOARD_PARSE", `${path}: not valid JSON: ${(e as Error).message}`, { file: path });
    }
  })();
  if (!isPlainObject(raw)) throw new BoardError("ERR_BOARD_INVALID", `${path}: a board is a JSON object`, { file: path, field: "/" });
  const { lineage, ...doc } = raw;
  if (!Array.isArray(lineage) || !lineage.every((x) => typeof x === "string")) {
    throw new BoardError("ERR_BOARD_INVALID", `${path}: field /lineage: a resolved board lists the boards it was merged from`, { file: path, field: "/lineage" });
  }
  if ("extends" in doc) throw new BoardError("ERR_BOARD_INVALID", `${path}: field /extends: a resolved board extends nothing`, { file: path, field: "/extends" });
  validateBoardDocument(doc, path, dir);
  return checkSections({ ...doc, lineage });
}

/**
 * Loads a board by id (from boards/) or by path to a JSON file, resolving `extends`. Without an id:
 * the `sim` board, or — in a firmware image — the image's own board (its slot's board.json), which is
 * also what the image's board id names. An image carries no other board ids; a board file path still
 * works (its `extends` resolve beside it).
 * Errors: ERR_BOARD_NOT_FOUND, ERR_BOARD_PARSE, ERR_BOARD_INVALID (naming the field), ERR_BOARD_CYCLE,
 * ERR_BOARD_INCOMPLETE (a section missing after merging), ERR_BOARD_SCHEMA (no schema).
 */
export function loadBoard(idOrPath?: string, dir = boardsDir()): Board {
  const isPath = idOrPath !== undefined && (idOrPath.endsWith(".json") || idOrPath.includes("/"));
  const imageBoard = imageBoardPath();
  if (imageBoard && !isPath) {
    const b = loadResolvedBoard(imageBoard, dir);
    if (idOrPath === undefined || idOrPath === b.id) return b;
    throw new BoardError("ERR_BOARD_NOT_FOUND", `no board "${idOrPath}": this firmware image carries board "${b.id}" only (${imageBoard}); give a board file path to use another`, { file: imageBoard });
  }
  if (imageBoard && isPath) dir = dirname(isAbsolute(idOrPath!) ? idOrPath! : resolve(idOrPath!));
  idOrPath ??= "sim";
  const seen: string[] = [];
  const chain: Record<string, unknown>[] = [];
  let ref: string | undefined = idOrPath;
  let first = true;
  while (ref !== undefined) {
    const path = first && (ref.endsWith(".json") || ref.includes("/")) ? (isAbsolute(ref) ? ref : resolve(ref)) : join(dir, `${ref}.json`);
    first = false;
    if (seen.includes(path)) throw new BoardError("ERR_BOARD_CYCLE", `board "extends" chain loops: ${[...seen, path].join(" -> ")}`, { file: path });
    seen.push(path);
    if (!existsSync(path)) throw new BoardError("ERR_BOARD_NOT_FOUND", `no board "${ref}" (looked for ${path})`, { file: path });
    const doc = readBoardFile(path, dir);
    const expectId = path.endsWith(".json") ? path.slice(path.lastIndexOf("/") + 1, -5) : undefined;
    if (expectId && doc.id !== expectId && dir && path.startsWith(dir)) {
      throw new BoardError("ERR_BOARD_INVALID", `${path}: field /id: "${String(doc.id)}" must equal the file name "${expectId}"`, { field: "/id", file: path });
    }
    chain.unshift(doc);
    ref = doc.extends as string | undefined;
  }
  let merged: Record<string, unknown> = {};
  for (const d of chain) merged = mergeFields(merged, d);
  const top = chain[chain.length - 1]!;
  merged.id = top.id;
  merged.description = top.description;
  merged.lineage = chain.map((d) => d.id as string);
  delete merged.extends;
  delete merged.$schema;
  return checkSections(merged);
}
