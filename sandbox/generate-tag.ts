import { STREAM, type WorkspaceContext } from './context';
import { hash32 } from './prng';
import type { Segment, WorkspaceTag } from './types';
import { SEGMENT_NAMES, TAG_NAMES } from './vocabulary';

/** Edge cases at fixed tag and segment indexes. */
export const EDGE_TAGS = {
  /** A tag that no contact, company or conversation carries. */
  unused: 1,
} as const;
export const EDGE_SEGMENTS = {
  /** A segment whose count Intercom has not computed yet: `count: null` even with `include_count`. */
  countPending: 2,
} as const;

/** The id of tag `n`. */
export function tagId(n: number): string {
  return String(7_800_000 + n * 13);
}

/** The index of a generated tag id, or undefined. */
export function decodeTagId(ctx: Pick<WorkspaceContext, 'tagCount'>, id: string): number | undefined {
  const n = /^\d+$/.test(id) ? (Number(id) - 7_800_000) / 13 : Number.NaN;
  return Number.isInteger(n) && n >= 0 && n < ctx.tagCount ? n : undefined;
}

/** The one name of tag `n`, wherever it appears (`vip`, …, then `vip-1`, …). */
export function tagName(n: number): string {
  const stem = TAG_NAMES[n % TAG_NAMES.length] ?? 'tag';
  return n >= TAG_NAMES.length ? `${stem}-${Math.floor(n / TAG_NAMES.length)}` : stem;
}

/** Tag `n` as `GET /tags` lists it. */
export function generateTag(n: number): WorkspaceTag {
  return { type: 'tag', id: tagId(n), name: tagName(n) };
}

/** Index `k` of a list that leaves out `skipped`: how records pick from all but an edge case. */
export function skipIndex(k: number, skipped: number): number {
  return k >= skipped ? k + 1 : k;
}

/** How many tags records may carry: all but {@link EDGE_TAGS.unused} (when it exists). */
export function usableTagCount(ctx: WorkspaceContext): number {
  return ctx.tagCount > EDGE_TAGS.unused ? ctx.tagCount - 1 : ctx.tagCount;
}

/** The tag index of usable tag `k`. */
export function usableTag(ctx: WorkspaceContext, k: number): number {
  return ctx.tagCount > EDGE_TAGS.unused ? skipIndex(k, EDGE_TAGS.unused) : k;
}

/** Segment `n` as `GET /segments?include_count=true` lists it (the server drops `count` otherwise). */
export function generateSegment(ctx: WorkspaceContext, n: number): Segment {
  const h = hash32(ctx.seed, STREAM.segment, n);
  const created = 1_590_000_000 + (h % 5_000_000);
  const stem = SEGMENT_NAMES[n % SEGMENT_NAMES.length] ?? 'Segment';
  return {
    type: 'segment',
    id: `5${hash32(ctx.seed, STREAM.segment, n, 1).toString(16).padStart(8, '0')}5e9${n.toString(16).padStart(12, '0')}`,
    name: n < SEGMENT_NAMES.length ? stem : `${stem} ${Math.floor(n / SEGMENT_NAMES.length) + 1}`,
    created_at: created,
    updated_at: created + ((h >>> 8) % 2_000_000),
    person_type: n % 3 === 1 ? 'contact' : 'user',
    count: n === EDGE_SEGMENTS.countPending ? null : Math.floor((ctx.contactCount * ((h % 60) + 5)) / 100),
  };
}
