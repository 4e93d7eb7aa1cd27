import { describeCrashPoints } from '../helpers/crash-run';

// SIGKILL points of issue 6, split over three files to keep each file short.
describeCrashPoints('crash and resume: SIGKILL during publish, then run again', [
  ['assembling users.json', { lakeKey: /\/runs\/[^/]+\/users\.json$/ }],
  ['writing the run manifest', { lakeKey: /\/runs\/[^/]+\/manifest\.json$/ }],
  ['publish, first data/ copy', { lakeKey: /\/data\/users\.json$/ }],
  ['publish, data/manifest.json', { lakeKey: /\/data\/manifest\.json$/ }],
]);
