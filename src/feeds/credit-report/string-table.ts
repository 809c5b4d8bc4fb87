/**
 * An exact set of strings in typed arrays, each string numbered in the order it was first added
 * (0, 1, 2, …): what the credit-report feed keeps per company, identifier and insolvency event.
 *
 * As JavaScript Maps and Sets the 100M-invoice feed's 11.2M identifiers and 3.8M companies passed V8's
 * heap limit (issue 16 item 3): a Map entry of two short strings costs about 150 bytes of heap, and the
 * heap limit does not move with `duckdb.memory_limit`. Here a string costs its characters (one byte
 * each when they all fit in Latin-1, two otherwise) plus 8 bytes (its offset and hash) plus 4 to 8
 * bytes of hash slots, all in ArrayBuffers outside the V8 heap. Lookups compare the characters, so an
 * answer is never a guess (unlike a fingerprint).
 *
 * Each string carries a tag (0-255) that is part of its identity: the identity index stores an
 * identifier as (type, value) without building a `type\0value` string per lookup.
 */
export class StringTable implements Iterable<string> {
  /** Characters of every string, back to back. */
  private chars = new Uint8Array(1 << 16);
  private charsUsed = 0;
  /** Where string i starts in `chars`; string i ends where string i+1 starts. */
  private starts = new Uint32Array(1 << 12);
  /** Hash of string i; its top bit says the string is stored as UTF-16 (two bytes a character). */
  private hashes = new Uint32Array(1 << 12);
  /** Open addressing, linear probing: string number + 1, 0 for an empty slot; at most half used. */
  private slots = new Uint32Array(1 << 12);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Memory the table holds (its typed arrays). */
  get bytes(): number {
    return this.chars.byteLength + this.starts.byteLength + this.hashes.byteLength + this.slots.byteLength;
  }

  private static hash(tag: number, s: string): number {
    let h = Math.imul(0x811c9dc5 ^ tag, 0x01000193);
    let wide = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      wide |= c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    // Latin-1 and UTF-16 strings never compare equal, so the storage width is part of the hash.
    return ((h & 0x7fffffff) | (wide > 0xff ? 0x80000000 : 0)) >>> 0;
  }

  private equals(n: number, tag: number, s: string, h: number): boolean {
    if (this.hashes[n] !== h) return false;
    const start = this.starts[n]!;
    const end = n + 1 < this.count ? this.starts[n + 1]! : this.charsUsed;
    const chars = this.chars;
    if (chars[start] !== tag) return false;
    if (h & 0x80000000) {
      if (end - start - 1 !== s.length * 2) return false;
      for (let i = 0, p = start + 1; i < s.length; i++, p += 2) if (s.charCodeAt(i) !== (chars[p]! | (chars[p + 1]! << 8))) return false;
      return true;
    }
    if (end - start - 1 !== s.length) return false;
    for (let i = 0, p = start + 1; i < s.length; i++, p++) if (s.charCodeAt(i) !== chars[p]) return false;
    return true;
  }

  /** The slot holding (tag, s), or the empty slot where it would go. */
  private slotOf(tag: number, s: string, h: number): number {
    const mask = this.slots.length - 1;
    let i = (h ^ (h >>> 16)) & mask;
    for (;;) {
      const v = this.slots[i]!;
      if (v === 0 || this.equals(v - 1, tag, s, h)) return i;
      i = (i + 1) & mask;
    }
  }

  /** The number of `s` (with `tag`), or -1 when it was never added. */
  find(s: string, tag = 0): number {
    const h = StringTable.hash(tag, s);
    return this.slots[this.slotOf(tag, s, h)]! - 1;
  }

  has(s: string, tag = 0): boolean {
    return this.find(s, tag) >= 0;
  }

  /** The number of `s` (with `tag`), adding it when new; `size` grows by one exactly when it was new. */
  add(s: string, tag = 0): number {
    const h = StringTable.hash(tag, s);
    const slot = this.slotOf(tag, s, h);
    const v = this.slots[slot]!;
    if (v !== 0) return v - 1;
    const n = this.count;
    const wide = (h & 0x80000000) !== 0;
    const need = 1 + s.length * (wide ? 2 : 1);
    if (this.charsUsed + need > this.chars.length) this.growChars(this.charsUsed + need);
    if (n === this.starts.length) {
      this.starts = grown(this.starts, n * 2);
      this.hashes = grown(this.hashes, n * 2);
    }
    const chars = this.chars;
    let p = this.charsUsed;
    this.starts[n] = p;
    this.hashes[n] = h;
    chars[p++] = tag;
    if (wide) {
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        chars[p++] = c & 0xff;
        chars[p++] = c >>> 8;
      }
    } else {
      for (let i = 0; i < s.length; i++) chars[p++] = s.charCodeAt(i);
    }
    this.charsUsed = p;
    this.slots[slot] = n + 1;
    this.count = n + 1;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return n;
  }

  /** String number `n` (without its tag). */
  get(n: number): string {
    const start = this.starts[n]! + 1;
    const end = n + 1 < this.count ? this.starts[n + 1]! : this.charsUsed;
    const chars = this.chars;
    if (this.hashes[n]! & 0x80000000) {
      let s = '';
      for (let p = start; p < end; p += 2) s += String.fromCharCode(chars[p]! | (chars[p + 1]! << 8));
      return s;
    }
    // Short strings (keys, identifiers) are built faster one character at a time than through a decoder.
    if (end - start <= 64) {
      let s = '';
      for (let p = start; p < end; p++) s += String.fromCharCode(chars[p]!);
      return s;
    }
    return Buffer.from(chars.buffer, chars.byteOffset + start, end - start).toString('latin1');
  }

  /** The tag string `n` was added with. */
  tagOf(n: number): number {
    return this.chars[this.starts[n]!]!;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let n = 0; n < this.count; n++) yield this.get(n);
  }

  private growChars(min: number): void {
    let size = this.chars.length * 2;
    while (size < min) size *= 2;
    // Offsets are 32-bit: 4 GiB of characters is about 300M identifiers, far past any ledger here.
    if (size > 2 ** 32) {
      if (min > 2 ** 32) throw new Error('string table is full (4 GiB of characters)');
      size = 2 ** 32;
    }
    const next = new Uint8Array(size);
    next.set(this.chars.subarray(0, this.charsUsed));
    this.chars = next;
  }

  private rehash(size: number): void {
    const slots = new Uint32Array(size);
    const mask = size - 1;
    for (let n = 0; n < this.count; n++) {
      const h = this.hashes[n]!;
      let i = (h ^ (h >>> 16)) & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = n + 1;
    }
    this.slots = slots;
  }
}

/** A copy of `a` with room for `size` elements. */
export function grown<T extends Uint32Array | Int32Array>(a: T, size: number): T {
  const next = new (a.constructor as new (n: number) => T)(size);
  next.set(a);
  return next;
}
