// The device key: 32 secret bytes the board supplies, under which the store seals private keys
// (AES-256-GCM) and authenticates every other file (HMAC-SHA256). A board may take it from a secure
// element (a vendor module: host/boards/device-key-source.ts), derive it from a per-device secret
// standing for the SoC's hardware unique key (DerivedDeviceKey), or (sim board) keep it in a 0600
// file outside the store directory (FileDeviceKey). rotate() is called by `gwsdk cert reset`: the
// old key is gone, so whatever the flash still holds of old sealed files can no longer be opened
// (crypto-erase).
import { constants, promises as fs } from "node:fs";
import { hkdfSync, randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { CertError } from "./errors.js";

export const DEVICE_KEY_BYTES = 32;

export interface DeviceKey {
  /** Where the key lives, for messages. */
  readonly location: string;
  /** A copy of the key; the caller wipes it (fill(0)) after use. */
  load(): Promise<Uint8Array>;
  /** True when the key exists. */
  exists(): Promise<boolean>;
  /** Creates the key if absent (a new store). */
  create(): Promise<void>;
  /** Replaces the key with a fresh one, overwriting the old one where the medium allows. Optional. */
  rotate?(): Promise<void>;
}

/** Default sim-board device key path for a store directory: beside it, not inside it. */
export function defaultDeviceKeyPath(storeDir: string): string {
  return join(dirname(storeDir), "device.key");
}

export class FileDeviceKey implements DeviceKey {
  constructor(readonly path: string) {}

  get location(): string {
    return this.path;
  }

  async exists(): Promise<boolean> {
    try {
      await fs.access(this.path);
      return true;
    } catch {
      return false;
    }
  }

  async load(): Promise<Uint8Array> {
    let st;
    try {
      st = await fs.stat(this.path);
    } catch (e) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `device key ${this.path} is missing: the store's sealed files cannot be opened without it`, { file: this.path, cause: e });
    }
    if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `device key ${this.path} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`, { file: this.path });
    }
    const b = new Uint8Array(await fs.readFile(this.path));
    if (b.length !== DEVICE_KEY_BYTES) {
      b.fill(0);
      throw new CertError("ERR_CERT_DEVICE_KEY", `device key ${this.path} is not ${DEVICE_KEY_BYTES} bytes`, { file: this.path });
    }
    return b;
  }

  async create(): Promise<void> {
    if (await this.exists()) return;
    await fs.mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const key = randomBytes(DEVICE_KEY_BYTES);
    const tmp = `${this.path}.tmp-${process.pid}`;
    try {
      const h = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        await h.chmod(0o600);
        await h.writeFile(key);
        await h.sync();
      } finally {
        await h.close();
      }
      // link() rather than rename(): never replace a key another process created meanwhile
      await fs.link(tmp, this.path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== "EEXIST") throw e;
      });
      await syncDir(dirname(this.path));
    } catch (e) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `cannot create device key ${this.path}: ${(e as Error).message}`, { file: this.path, cause: e });
    } finally {
      key.fill(0);
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  async rotate(): Promise<void> {
    const key = randomBytes(DEVICE_KEY_BYTES);
    try {
      // In place, so the old key's blocks are overwritten (a rename would leave them on the medium).
      const h = await fs.open(this.path, constants.O_WRONLY | constants.O_CREAT, 0o600);
      try {
        await h.chmod(0o600);
        await h.write(key, 0, key.length, 0);
        await h.truncate(key.length);
        await h.sync();
      } finally {
        await h.close();
      }
    } catch (e) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `cannot rotate device key ${this.path}: ${(e as Error).message}`, { file: this.path, cause: e });
    } finally {
      key.fill(0);
    }
  }
}

/** Writes a fresh random 0600 file at path unless one exists (never replacing one another process made). */
async function createRandomFile(path: string, bytes: number, what: string): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const data = randomBytes(bytes);
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const h = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await h.chmod(0o600);
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    await fs.link(tmp, path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") throw e;
    });
    await syncDir(dirname(path));
  } catch (e) {
    throw new CertError("ERR_CERT_DEVICE_KEY", `cannot create ${what} ${path}: ${(e as Error).message}`, { file: path, cause: e });
  } finally {
    data.fill(0);
    await fs.rm(tmp, { force: true }).catch(() => undefined);
  }
}

/** Overwrites a file in place with fresh random bytes (the old blocks are overwritten, not renamed away). */
async function overwriteRandomFile(path: string, bytes: number, what: string): Promise<void> {
  const data = randomBytes(bytes);
  try {
    const h = await fs.open(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
    try {
      await h.chmod(0o600);
      await h.write(data, 0, data.length, 0);
      await h.truncate(data.length);
      await h.sync();
    } finally {
      await h.close();
    }
  } catch (e) {
    throw new CertError("ERR_CERT_DEVICE_KEY", `cannot rotate ${what} ${path}: ${(e as Error).message}`, { file: path, cause: e });
  } finally {
    data.fill(0);
  }
}

/** HKDF info of a derived device key: its purpose, version and the board it belongs to. */
export function derivedDeviceKeyInfo(boardId: string): string {
  return `gwsdk device key v1 board=${boardId}`;
}

/** Bytes of the per-device secret a derived device key accepts. */
export const DERIVED_SECRET_MIN_BYTES = 16;
export const DERIVED_SECRET_MAX_BYTES = 1024;
/** Bytes of the rotation salt. */
export const DERIVED_SALT_BYTES = 32;

export interface DerivedDeviceKeyOptions {
  /**
   * The per-device secret: a file, readable only by the gateway's user, that the board's firmware
   * fills with the SoC's hardware unique key or (better) a key its TEE/crypto engine derives from it
   * (e.g. an OP-TEE trusted application, or an i.MX CAAM or DCP derived key written to a tmpfs at boot).
   * 16 to 1024 bytes. The SDK never writes it.
   */
  secretPath: string;
  /** The board id: part of the HKDF info, so two boards sharing a secret still get different keys. */
  boardId: string;
  /**
   * A 32-byte random salt in the data partition (created with the store). Rotation overwrites it:
   * the secret cannot change, so the salt is what makes a factory reset a crypto-erase.
   */
  saltPath: string;
  /** Whether rotate() is offered (board deviceKey.rotatable, default true). */
  rotatable?: boolean;
}

/**
 * A device key derived from a per-device hardware secret:
 *
 *   key = HKDF-SHA256(IKM = secret, salt = 32-byte random salt, info = "gwsdk device key v1 board=<id>", L = 32)
 *
 * (RFC 5869). What this protects against is what the secret's file protects against: a copy of the
 * data partition alone (a desoldered flash, a backup) does not open the store, because the secret
 * is not on it. Whoever can read the secret file on the running device can derive the key.
 */
export class DerivedDeviceKey implements DeviceKey {
  readonly rotate?: () => Promise<void>;

  constructor(readonly o: DerivedDeviceKeyOptions) {
    if (o.rotatable !== false) this.rotate = () => overwriteRandomFile(this.o.saltPath, DERIVED_SALT_BYTES, "device key salt");
  }

  get location(): string {
    return `derived from ${this.o.secretPath} (salt ${this.o.saltPath})`;
  }

  async exists(): Promise<boolean> {
    try {
      await fs.access(this.o.saltPath);
      return true;
    } catch {
      return false;
    }
  }

  private async readSecret(): Promise<Uint8Array> {
    const p = this.o.secretPath;
    let st;
    try {
      st = await fs.stat(p);
    } catch (e) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `the board's hardware secret ${p} is not available (${(e as NodeJS.ErrnoException).code ?? "unreadable"}): the device key is derived from it; the board's firmware must provide it before gwsdk starts`, { file: p, cause: e });
    }
    if (!st.isFile()) throw new CertError("ERR_CERT_DEVICE_KEY", `the board's hardware secret ${p} is not a file`, { file: p });
    if (process.platform !== "win32" && (st.mode & 0o077) !== 0) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `the board's hardware secret ${p} is readable by others (mode ${(st.mode & 0o777).toString(8)}): it must be readable only by the gateway's user (chmod 400)`, { file: p });
    }
    const b = new Uint8Array(await fs.readFile(p));
    if (b.length < DERIVED_SECRET_MIN_BYTES || b.length > DERIVED_SECRET_MAX_BYTES) {
      b.fill(0);
      throw new CertError("ERR_CERT_DEVICE_KEY", `the board's hardware secret ${p} holds ${b.length} bytes (want ${DERIVED_SECRET_MIN_BYTES} to ${DERIVED_SECRET_MAX_BYTES})`, { file: p });
    }
    return b;
  }

  async load(): Promise<Uint8Array> {
    let salt: Uint8Array;
    try {
      salt = new Uint8Array(await fs.readFile(this.o.saltPath));
    } catch (e) {
      throw new CertError("ERR_CERT_DEVICE_KEY", `device key salt ${this.o.saltPath} is missing: the store's sealed files cannot be opened without it`, { file: this.o.saltPath, cause: e });
    }
    if (salt.length !== DERIVED_SALT_BYTES) {
      salt.fill(0);
      throw new CertError("ERR_CERT_DEVICE_KEY", `device key salt ${this.o.saltPath} is not ${DERIVED_SALT_BYTES} bytes`, { file: this.o.saltPath });
    }
    const secret = await this.readSecret().catch((e: unknown) => {
      salt.fill(0);
      throw e;
    });
    try {
      return new Uint8Array(hkdfSync("sha256", secret, salt, derivedDeviceKeyInfo(this.o.boardId), DEVICE_KEY_BYTES));
    } finally {
      secret.fill(0);
      salt.fill(0);
    }
  }

  async create(): Promise<void> {
    // The secret must be there before a store is sealed under a key derived from it.
    (await this.readSecret()).fill(0);
    if (await this.exists()) return;
    await createRandomFile(this.o.saltPath, DERIVED_SALT_BYTES, "device key salt");
  }
}

async function syncDir(dir: string): Promise<void> {
  const h = await fs.open(dir, constants.O_RDONLY);
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** A device key held in memory (tests, or boards that fetch it from elsewhere). */
export class MemoryDeviceKey implements DeviceKey {
  readonly location = "memory";
  private key: Uint8Array | undefined;
  constructor(key?: Uint8Array) {
    if (key) this.key = Uint8Array.from(key);
  }
  async exists(): Promise<boolean> {
    return this.key !== undefined;
  }
  async load(): Promise<Uint8Array> {
    if (!this.key) throw new CertError("ERR_CERT_DEVICE_KEY", "no device key");
    return Uint8Array.from(this.key);
  }
  async create(): Promise<void> {
    this.key ??= new Uint8Array(randomBytes(DEVICE_KEY_BYTES));
  }
  async rotate(): Promise<void> {
    this.key?.fill(0);
    this.key = new Uint8Array(randomBytes(DEVICE_KEY_BYTES));
  }
}
