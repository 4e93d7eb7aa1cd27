import { randomUUID } from 'node:crypto';
import { HttpError } from './error-body';

/**
 * The state of `GET /companies/scroll` for one app, as Intercom documents it: one scroll open at a
 * time (starting another while one is open is refused with 400 `scroll_exists`), a scroll unused
 * for a minute expires, and the page after the last company is empty and ends the scroll.
 * A scroll param that is unknown, expired or ended is refused with 404 `not_found` (Intercom only
 * says such calls "will fail"; the sandbox picks a status a client can tell from a 5xx).
 * @see https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/companies/scrolloverallcompanies
 */
export class CompanyScroll {
  private open: { param: string; offset: number; lastUsedMs: number; pages: number } | undefined;

  constructor(
    private readonly idleMs: number,
    private readonly pageSize: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Pages the open scroll has served so far (0 when none is open). */
  get pagesServed(): number {
    this.expireIdle();
    return this.open?.pages ?? 0;
  }

  /**
   * The next page of a scroll over `total` companies: a new scroll when `param` is undefined.
   * An empty page (`start === end`) ends the scroll.
   *
   * @throws HttpError 400 `scroll_exists` when a new scroll is asked for while one is open, 404
   *   `not_found` when `param` is not the open scroll's.
   */
  next(param: string | undefined, total: number): { start: number; end: number; scrollParam: string } {
    this.expireIdle();
    let scroll = this.open;
    if (param === undefined) {
      if (scroll) throw new HttpError(400, 'scroll_exists', 'scroll already exists for this app');
      scroll = { param: randomUUID(), offset: 0, lastUsedMs: this.now(), pages: 0 };
      this.open = scroll;
    } else if (scroll?.param !== param) {
      throw new HttpError(
        404,
        'not_found',
        'scroll_param is unknown or has expired; start a new scroll',
        'scroll_param',
      );
    }
    const start = Math.min(scroll.offset, total);
    const end = Math.min(start + this.pageSize, total);
    scroll.offset = end;
    scroll.lastUsedMs = this.now();
    scroll.pages += 1;
    if (start === end) this.open = undefined;
    return { start, end, scrollParam: scroll.param };
  }

  /** Drop the open scroll, as Intercom does after a network error mid-scroll: its param fails from now on. */
  abandon(): void {
    this.open = undefined;
  }

  private expireIdle(): void {
    if (this.open && this.now() - this.open.lastUsedMs > this.idleMs) this.open = undefined;
  }
}
