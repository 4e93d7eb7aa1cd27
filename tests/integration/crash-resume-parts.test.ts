import { describeCrashPoints } from '../helpers/crash-run';

// SIGKILL points of issue 6, split over three files to keep each file short.
describeCrashPoints('crash and resume: SIGKILL during parts, then run again', [
  ['parts, conversation 200', { route: 'GET /conversations/{id}', count: 200 }],
  ['parts, conversation 250', { route: 'GET /conversations/{id}', count: 250 }],
  ['parts, the last conversation', { route: 'GET /conversations/{id}', count: 300 }],
]);
