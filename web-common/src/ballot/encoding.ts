/**
 * Byte-exact encodings shared with the Rust crate `congress-ballot` (see docs/ballot-crypto.md):
 * big-endian integers, length-prefixed strings, 32-byte points and scalars, a reader that
 * refuses short or trailing input, and the text forms (hex, base64, base32).
 */

export class BallotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BallotError';
  }
}

export function fail(message: string): never {
  throw new BallotError(message);
}

/** Element `i` of an array, or an error (for `noUncheckedIndexedAccess`). */
export function at<T>(arr: readonly T[], i: number): T {
  const v = arr[i];
  if (v === undefined) fail(`index ${i} out of range`);
  return v;
}

const enc = new TextEncoder();

export function utf8(s: string): Uint8Array {
  return enc.encode(s);
}

/** Appends the documented layout. */
export class Writer {
  private chunks: Uint8Array[] = [];
  private len = 0;

  raw(b: Uint8Array): this {
    this.chunks.push(b);
    this.len += b.length;
    return this;
  }
  u8(v: number): this {
    return this.raw(Uint8Array.of(v & 0xff));
  }
  u16(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) fail(`u16 out of range: ${v}`);
    return this.raw(Uint8Array.of(v >>> 8, v & 0xff));
  }
  u32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) fail(`u32 out of range: ${v}`);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, false);
    return this.raw(b);
  }
  /** u32be(length) || bytes. */
  str(b: Uint8Array | string): this {
    const bytes = typeof b === 'string' ? utf8(b) : b;
    return this.u32(bytes.length).raw(bytes);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

/** Reads the documented layout. */
export class Reader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  take(n: number, what: string): Uint8Array {
    if (this.pos + n > this.bytes.length) fail(`wrong length: ${what}`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  u8(what: string): number {
    return at([...this.take(1, what)], 0);
  }
  u16(what: string): number {
    const b = this.take(2, what);
    return ((b[0] ?? 0) << 8) | (b[1] ?? 0);
  }
  end(what: string): void {
    if (this.pos !== this.bytes.length) fail(`wrong length: ${what}`);
  }
}

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s: string, len?: number): Uint8Array {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) fail('bad hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  if (len !== undefined && out.length !== len) fail(`expected ${len} bytes of hex`);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = ((b[i] ?? 0) << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    const rest = b.length - i;
    s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    s += rest > 1 ? B64[(n >> 6) & 63]! : '=';
    s += rest > 2 ? B64[n & 63]! : '=';
  }
  return s;
}

/** Strict: canonical padded base64 only (the re-encoding must equal the input). */
export function fromBase64(s: string): Uint8Array {
  if (s.length % 4 !== 0) fail('bad base64');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = s[i + k]!;
      const v = c === '=' && i + 4 === s.length && k >= 4 - pad ? 0 : B64.indexOf(c);
      if (v < 0) fail('bad base64');
      n = (n << 6) | v;
    }
    for (let k = 0; k < 3 && o < out.length; k++) out[o++] = (n >> (16 - 8 * k)) & 0xff;
  }
  if (toBase64(out) !== s) fail('non-canonical base64');
  return out;
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, upper case, no padding. */
export function toBase32(b: Uint8Array): string {
  let s = '';
  let acc = 0;
  let bits = 0;
  for (const x of b) {
    acc = ((acc << 8) | x) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      s += B32[(acc >> bits) & 31];
    }
  }
  if (bits > 0) s += B32[(acc << (5 - bits)) & 31];
  return s;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Lexicographic order of byte strings (the board's sort orders). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i]! !== b[i]!) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}
