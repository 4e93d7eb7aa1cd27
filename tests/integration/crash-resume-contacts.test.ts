import { describeCrashPoints } from '../helpers/crash-run';

// SIGKILL points of issue 6, split over three files to keep each file short. Contacts are listed by
// `POST /contacts/search` (the first two searches find the oldest and newest contact; 320 contacts
// fit one range of three pages, read ahead of their nested lists): the kills land on the last nested
// lists, with segments of the first contacts written. (A kill before any contact segment is written
// passes the content check, but the rerun then also waits out the killed run's companies scroll, so
// it may make more requests than a clean run.) The search ranges' own kills are in
// crash-resume-partitions.test.ts.
describeCrashPoints('crash and resume: SIGKILL during contacts, then run again', [
  ['contacts, last company list', { route: 'GET /contacts/{id}/companies', count: 7 }],
  ['contacts, last notes list', { route: 'GET /contacts/{id}/notes', count: 4 }],
  ['conversations list, page 2', { route: 'GET /conversations', count: 2 }],
]);
