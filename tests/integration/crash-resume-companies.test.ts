import { describeCrashPoints } from '../helpers/crash-run';

const PAGES = 400 / 10 + 1;

// A scroll cannot be resumed: the rerun starts a new one, which Intercom refuses while the killed
// run's scroll is open, so the rerun waits until that one idles out (a minute at Intercom; 5 s
// here), then skips the companies its checkpoint's segments hold and writes the rest
// (docs/STREAMS.md, "Scroll streams"). 400 companies at 10 a page make the scroll 41 requests,
// so the kills land while the other streams are well under way too.
describeCrashPoints(
  'crash and resume: SIGKILL during the companies scroll and the tickets search, then run again',
  [
    ['the companies scroll, page 20', { route: 'GET /companies/scroll', count: 20 }],
    ['the companies scroll, page 35', { route: 'GET /companies/scroll', count: 35 }],
    // The second ticket search is the catch-up pass, after every stream's main pass.
    ['the tickets catch-up search', { route: 'POST /tickets/search', count: 2 }],
  ],
  { companies: 400, scrollPageSize: 10, scrollIdleMs: 5_000 },
  (point, rerun) => {
    if (!('route' in point) || point.route !== 'GET /companies/scroll') return;
    // A whole new scroll, after at least one start refused while the killed run's scroll was open.
    expect(rerun['GET /companies/scroll']).toBeGreaterThanOrEqual(PAGES + 1);
  },
);
