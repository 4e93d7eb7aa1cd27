import { STREAMS } from '../../lib/streams/registry';
import { SILVER_SOURCES, silverTableNames } from '../../lib/refine/silver/registry';
import { REFINE_JOBS, refineJobNamed } from '../../lib/refine/jobs/registry';

test('every stream of the registry has a silver declaration reading its lake file', () => {
  // Streams added after the first extract stay optional there: an older lake lacks their files.
  for (const stream of STREAMS) {
    const source = SILVER_SOURCES.find((s) => s.stream === stream.name);
    expect(source?.file).toBe(stream.file);
  }
});

test("the brief's two streams are required: a lake without them is an error, not empty tables", () => {
  for (const name of ['users', 'conversations']) {
    expect(SILVER_SOURCES.find((s) => s.stream === name)?.optional).toBe(false);
  }
});

test('silver table names are unique, and each source names the columns its key and cursor use', () => {
  const names = silverTableNames();
  expect(new Set(names).size).toBe(names.length);
  for (const source of SILVER_SOURCES) {
    for (const column of [...source.primaryKey, ...(source.updatedAt ? [source.updatedAt] : [])]) {
      expect(source.columns[column]).toBeDefined();
    }
  }
});

test('an unknown job is a ConfigError naming every job', () => {
  expect(() => refineJobNamed('gold')).toThrow(
    `"gold" is not a refine job; the jobs are ${REFINE_JOBS.map((j) => j.name).join(', ')}`,
  );
});
