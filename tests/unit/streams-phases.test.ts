import { readFileSync } from 'node:fs';
import path from 'node:path';
import { STREAMS } from '../../lib/streams/registry';
import { WAREHOUSE_TABLES } from '../../lib/streams/types';

const ROOT = path.resolve(__dirname, '../..');

/** The phases that loop over the registry: none may know a stream, its file or its tables by name. */
const PHASES = [
  'tasks/extract/run-extract.ts',
  'tasks/extract/extract-with-config.ts',
  'tasks/extract/phases.ts',
  'tasks/extract/segmented-stream.ts',
  'lib/intercom/stream-source.ts',
  'lib/lake/keys.ts',
  'lib/lake/checkpoint.ts',
  'lib/lake/manifest.ts',
  'lib/lake/publish.ts',
  'lib/progress.ts',
  'tasks/load/run-load.ts',
  'lib/warehouse/lake-input.ts',
  'lib/warehouse/record-unit.ts',
  'lib/warehouse/batch-writer.ts',
  'lib/warehouse/reconcile.ts',
  'lib/warehouse/full-refresh.ts',
  'tasks/sync/main.ts',
  'tasks/extract/run-incremental.ts',
  'tasks/extract/run-backfill.ts',
  'lib/warehouse/apply-increments.ts',
  'tasks/extract/increment-phases.ts',
  'tasks/extract/change-window.ts',
  'tasks/load/run-incremental-load.ts',
  'lib/lake/bookmarks.ts',
  'lib/lake/increment-manifest.ts',
  'lib/warehouse/sync-state.ts',
];

/**
 * Words of the lake's own vocabulary that are also names of a stream or table: the extract's
 * checkpoint segments (`runs/<id>/segments/`) share their word with the `segments` stream and the
 * `segment` table. Its file (`segments.json`) is still looked for.
 */
const LAKE_WORDS = new Set(['segment', 'segments']);

/** Every way a stream is named: its name, file, label, singular and tables. */
const NAMES = new Set(
  [...STREAMS.flatMap((s) => [s.name, s.file, s.label, s.singular, ...s.tables]), ...WAREHOUSE_TABLES].filter(
    (name) => !LAKE_WORDS.has(name),
  ),
);

/** The string literals of a TypeScript source, comments left out (template literals' text parts included). */
function stringLiterals(source: string): string[] {
  const literals: string[] = [];
  const token = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
  for (const match of source.matchAll(token)) {
    const text = match[0];
    if (text.startsWith('//') || text.startsWith('/*')) continue;
    literals.push(text.slice(1, -1));
  }
  return literals;
}

describe('phases that loop over the stream registry', () => {
  it.each(PHASES)('%s names no stream, stream file or stream table in its code', (file) => {
    const named = stringLiterals(readFileSync(path.join(ROOT, file), 'utf8')).filter((literal) =>
      literal.split(/[^A-Za-z0-9_.]+/).some((word) => NAMES.has(word)),
    );
    expect(named).toEqual([]);
  });

  it('would see a stream named in a phase', () => {
    const source = "const a = 1; // users\nif (stream === 'users') load(`data/${'conversations.json'}`);";
    const named = stringLiterals(source).filter((literal) =>
      literal.split(/[^A-Za-z0-9_.]+/).some((word) => NAMES.has(word)),
    );
    expect(named).toEqual(['users', "data/${'conversations.json'}"]);
  });
});
