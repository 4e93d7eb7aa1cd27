import { describeCrashPoints } from '../helpers/crash-run';

// 4,000 contacts a minute apart span three days (and the quirk contacts years later): four ranges
// listed at once, after about 25 searches that plan them. A kill lands while several are half read;
// the rerun plans again, lists again and skips to its checkpoint.
describeCrashPoints(
  'crash and resume: SIGKILL while contacts are listed through several search ranges',
  [
    ['search ranges, 40th search', { route: 'POST /contacts/search', count: 40 }],
    ['search ranges, 50th search', { route: 'POST /contacts/search', count: 50 }],
  ],
  { contacts: 4_000, conversations: 20 },
  undefined,
  '200',
);
