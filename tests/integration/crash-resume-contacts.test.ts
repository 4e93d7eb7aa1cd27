import { describeCrashPoints } from '../helpers/crash-run';

// SIGKILL points of issue 6, split over three files to keep each file short. Contacts are listed by
// `POST /contacts/search` (the first two searches find the oldest and newest contact; 320 contacts
// fit one range of three pages, read ahead of their nested lists): the kill lands on the contacts'
// last nested list (request ~148 of ~350), with segments of the first contacts written. A kill before
// any contact segment is saved (the last company list, ~111, on a loaded machine) still ends
// identical, but the rerun also waits out the killed run's companies scroll and may make more
// requests than a clean run. The search ranges' own kills are in crash-resume-partitions.test.ts.
describeCrashPoints('crash and resume: SIGKILL during contacts, then run again', [
  ['contacts, last notes list', { route: 'GET /contacts/{id}/notes', count: 4 }],
  ['conversations list, page 2', { route: 'GET /conversations', count: 2 }],
]);
