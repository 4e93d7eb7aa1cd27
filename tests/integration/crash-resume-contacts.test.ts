import { describeCrashPoints } from '../helpers/crash-run';

// SIGKILL points of issue 6, split over three files to keep each file short.
describeCrashPoints('crash and resume: SIGKILL during contacts, then run again', [
  ['contacts, page 2', { route: 'GET /contacts', count: 2 }],
  ['contacts, page 3', { route: 'GET /contacts', count: 3 }],
  ['conversations list, page 2', { route: 'GET /conversations', count: 2 }],
]);
