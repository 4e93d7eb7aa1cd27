import { spawn } from 'node:child_process';
import { currentProcessIdentity, whyProcessIsGone } from '../../lib/lake/process-identity';

/** A live process that is not this one, and its identity as it would record it. */
async function sleeper(): Promise<{ pid: number; kill(): Promise<void> }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise<void>((resolve) => child.once('spawn', () => resolve()));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    pid: child.pid as number,
    kill: async () => {
      child.kill('SIGKILL');
      await closed;
    },
  };
}

describe('whyProcessIsGone', () => {
  const self = currentProcessIdentity();

  it('records this process with its Linux start time, boot and pid namespace', () => {
    expect(self.pid).toBe(process.pid);
    expect(self.startTime).toMatch(/^\d+$/);
    expect(self.bootId).toBeTruthy();
    expect(self.pidNamespace).toMatch(/^pid:/);
  });

  it('says a process on this host that was killed is gone', async () => {
    const other = await sleeper();
    // Recorded without a start time, as on a system without /proc: the pid alone must tell.
    const holder = { ...self, pid: other.pid, startTime: undefined };
    try {
      expect(whyProcessIsGone(holder, self)).toBeUndefined();
    } finally {
      await other.kill();
    }
    expect(whyProcessIsGone(holder, self)).toMatch(/no longer exists/);
  });

  it('says a live pid with another start time is gone (the pid was reused)', async () => {
    const other = await sleeper();
    try {
      expect(whyProcessIsGone({ ...self, pid: other.pid, startTime: '1' }, self)).toMatch(
        /now belongs to another process/,
      );
      expect(whyProcessIsGone({ ...self, startTime: '1' }, self)).toMatch(/now belongs to another process/);
      expect(whyProcessIsGone(self, self)).toBeUndefined();
    } finally {
      await other.kill();
    }
  });

  it('proves nothing across hosts, boots or pid namespaces, even for a pid that does not exist here', async () => {
    const other = await sleeper();
    await other.kill();
    const dead = { ...self, pid: other.pid };
    expect(whyProcessIsGone(dead, self)).toMatch(/no longer exists/);
    expect(whyProcessIsGone({ ...dead, host: 'another-host' }, self)).toBeUndefined();
    expect(whyProcessIsGone({ ...dead, bootId: 'another-boot' }, self)).toBeUndefined();
    expect(whyProcessIsGone({ ...dead, pidNamespace: 'pid:[1]' }, self)).toBeUndefined();
    expect(whyProcessIsGone({ host: self.host }, self)).toBeUndefined();
  });
});
