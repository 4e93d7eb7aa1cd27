import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who a process is, as precisely as this host can say: enough for another process on the same
 * host to prove later that it has ended, even if its pid was given to someone else meanwhile.
 */
export interface ProcessIdentity {
  host: string;
  pid: number;
  /** Linux: field 22 of `/proc/<pid>/stat` (clock ticks after boot); tells a reused pid apart. */
  startTime?: string;
  /** Linux: `/proc/sys/kernel/random/boot_id`; start times only compare within one boot. */
  bootId?: string;
  /** Linux: the `/proc/self/ns/pid` link; pids only compare within one pid namespace (container). */
  pidNamespace?: string;
}

/**
 * This process's identity. `host` defaults to `os.hostname()`; tests pass another to play a
 * process on another machine. The Linux fields are left out where `/proc` does not have them.
 */
export function currentProcessIdentity(host: string = hostname()): ProcessIdentity {
  return {
    host,
    pid: process.pid,
    startTime: startTimeOf(process.pid),
    bootId: readOrUndefined(() => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()),
    pidNamespace: readOrUndefined(() => readlinkSync('/proc/self/ns/pid')),
  };
}

/**
 * Why the process `holder` names has provably ended, or undefined when that cannot be proved from
 * `self`'s seat: only on the same host, boot and pid namespace does a pid mean the same process, so
 * anything else (another host, a reboot, another container) is left to the lease's expiry.
 * Gone means: `kill(pid, 0)` answers ESRCH, or the pid is alive with another start time (reused).
 */
export function whyProcessIsGone(
  holder: Partial<ProcessIdentity>,
  self: ProcessIdentity = currentProcessIdentity(),
): string | undefined {
  const { pid } = holder;
  if (holder.host !== self.host || typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
  if (differ(holder.bootId, self.bootId) || differ(holder.pidNamespace, self.pidNamespace)) return undefined;
  if (pid !== self.pid) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      // EPERM: it exists under another user; anything else proves nothing either.
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return `process ${pid} on ${self.host} no longer exists`;
      if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
    }
  }
  const startTime = pid === self.pid ? self.startTime : startTimeOf(pid);
  if (holder.startTime !== undefined && startTime !== undefined && holder.startTime !== startTime) {
    return `pid ${pid} on ${self.host} now belongs to another process (started at tick ${startTime}, not ${holder.startTime})`;
  }
  return undefined;
}

/** True when both sides know the value and it differs. */
function differ(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a !== b;
}

function startTimeOf(pid: number): string | undefined {
  return readOrUndefined(() => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces or ')': count after the last.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state), so field 22 (starttime) is fields[19].
    const value = fields[19];
    return value && /^\d+$/.test(value) ? value : undefined;
  });
}

function readOrUndefined(read: () => string | undefined): string | undefined {
  try {
    return read() || undefined;
  } catch {
    return undefined;
  }
}
