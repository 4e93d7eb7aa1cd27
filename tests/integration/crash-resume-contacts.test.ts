import { describeCrashPoints } from '../helpers/crash-run';

// SIGKILL points of issue 6, split over three files to keep each file short. Contacts are listed by
// `POST /contacts/search` (the first two searches find the oldest and newest contact; 320 contacts
// fit one range of three pages, read ahead of their nested lists): the kills land while contacts'
// nested lists are completed, segments behind them written.
describeCrashPoints('crash and resume: SIGKILL during contacts, then run again', [
  ['contacts, 4th company list', { route: 'GET /contacts/{id}/companies', count: 4 }],
  ['contacts, 10th tag list', { route: 'GET /contacts/{id}/tags', count: 10 }],
  ['conversations list, page 2', { route: 'GET /conversations', count: 2 }],
]);
