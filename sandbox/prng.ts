/**
 * Seeded, index-addressable pseudo-random numbers for the sandbox.
 *
 * Every record is a pure function of `(seed, stream, index)`: we hash those into a 32-bit state and
 * draw from a small generator, so record `i` can be rebuilt at any time without keeping or replaying
 * records `0..i-1` (this is what keeps a 1,000,000-contact workspace at O(1) memory).
 */

/** Mix 32-bit integers into one well-spread 32-bit unsigned hash (murmur3 finaliser per word). */
export function hash32(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const word of words) {
    let k = Math.imul(word | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    // Indexes above 2^32 still get distinct hashes: fold the high part in as another word.
    const high = Math.floor(word / 0x1_0000_0000);
    if (high !== 0) h ^= Math.imul(high, 0x85ebca6b);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A small sequential generator (mulberry32) started from one hashed state. */
export class Rng {
  private state: number;

  constructor(state: number) {
    this.state = state >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('Rng.pick needs a non-empty array.');
    return item;
  }

  /** `length` lowercase hex digits. */
  hex(length: number): string {
    let out = '';
    while (out.length < length)
      out += (Math.floor(this.next() * 0x1_0000_0000) >>> 0).toString(16).padStart(8, '0');
    return out.slice(0, length);
  }
}

/** A generator for record `index` of `stream` in the workspace seeded with `seed`. */
export function rngFor(seed: number, stream: number, index: number, sub = 0): Rng {
  return new Rng(hash32(seed, stream, index, sub));
}
