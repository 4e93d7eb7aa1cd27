import { timeStep } from '../../bench/lib/step';

describe('timeStep', () => {
  it('returns the step result and logs its name and duration in seconds', async () => {
    const lines: string[] = [];
    const result = await timeStep(
      'load/speed/ours-users',
      () => Promise.resolve(42),
      (line) => lines.push(line),
    );
    expect(result).toBe(42);
    expect(lines).toEqual([expect.stringMatching(/^bench step load\/speed\/ours-users: \d+\.\d s\n$/)]);
  });

  it('logs a step that throws as failed and throws its error', async () => {
    const lines: string[] = [];
    const failing = timeStep(
      'extract/speed/sdk',
      () => Promise.reject(new Error('boom')),
      (line) => lines.push(line),
    );
    await expect(failing).rejects.toThrow('boom');
    expect(lines).toEqual([
      expect.stringMatching(/^bench step extract\/speed\/sdk: \d+\.\d s \(failed\)\n$/),
    ]);
  });
});
