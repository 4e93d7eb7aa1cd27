import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The benchmark page every bench writes its section into. */
export const BENCHMARKS_FILE = path.resolve(__dirname, '../../docs/BENCHMARKS.md');

/** One line naming the machine and the date, for the top of each section. */
export function machineLine(now: Date = new Date()): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `Measured ${now.toISOString().slice(0, 10)} on ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.`;
}

/**
 * Replace the `## heading` section of docs/BENCHMARKS.md with `body` (or append it), leaving the
 * other sections, which other benches write, as they are.
 */
export async function writeSection(
  heading: string,
  body: string,
  file: string = BENCHMARKS_FILE,
): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\nWritten by `npm run bench`; each section says how to reproduce it.\n';
  }
  const section = `## ${heading}\n\n${body.trim()}\n`;
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${heading}`);
  if (start === -1) {
    await writeFile(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  let end = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  if (end === -1) end = lines.length;
  const next = [...lines.slice(0, start), ...section.split('\n'), ...lines.slice(end)].join('\n');
  await writeFile(file, `${next.trimEnd()}\n`);
}

/** A markdown table from a header row and data rows. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
