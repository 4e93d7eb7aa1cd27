import { describeCrashPoints } from '../helpers/crash-run';

// SIGKILL while the list streams' files are assembled from their saved segments: the rerun takes
// the segments over (data attributes' keyed by model/name) instead of listing again. A kill while
// they are listed lands in the run's first second, when nothing is saved yet to resume from.
describeCrashPoints('crash and resume: SIGKILL during the list streams, then run again', [
  ['assembling data_attributes.json', { lakeKey: /\/data_attributes\.json$/ }],
  ['assembling segments.json', { lakeKey: /\/segments\.json$/ }],
]);
