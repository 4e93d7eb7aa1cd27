/**
 * The ids seen in the last few pages, to drop an item that a list repeats across pages.
 *
 * Intercom's cursor lists can return an item again on the next page when it changed while the
 * list was being read. Keeping every id forever would grow without bound (1,000,000 contacts),
 * so only the last `generations` pages are remembered: memory is at most
 * `generations * per_page` ids (4 x 150 = 600). The limit: an item repeated more than
 * `generations` pages later is yielded again; the warehouse load upserts by id, so such a
 * repeat costs a row rewrite, never a duplicate row.
 */
export class RecentIds {
  private readonly generations: Set<string>[] = [];
  private readonly size: number;

  constructor(generations = 4) {
    if (!(generations >= 1)) throw new RangeError('generations must be at least 1');
    this.size = generations;
    this.generations.push(new Set());
  }

  /** Start remembering a new page; forgets the oldest once more than `generations` are kept. */
  nextPage(): void {
    this.generations.push(new Set());
    if (this.generations.length > this.size) this.generations.shift();
  }

  /** True when `id` was seen in a remembered page; otherwise remembers it and returns false. */
  seen(id: string): boolean {
    for (const generation of this.generations) if (generation.has(id)) return true;
    (this.generations[this.generations.length - 1] as Set<string>).add(id);
    return false;
  }
}
