import { readFileSync } from 'node:fs';

/** One instruction of a Dockerfile, continuation lines joined. */
export interface DockerInstruction {
  /** Upper-case keyword: FROM, WORKDIR, COPY, RUN, ENV, USER, CMD… */
  keyword: string;
  /** The rest of the line, trimmed. */
  args: string;
}

/** A build stage: its name (`AS name`, else its index) and its instructions after FROM. */
export interface DockerStage {
  name: string;
  instructions: DockerInstruction[];
}

/** A COPY line: `--from` stage (undefined = the build context), sources and destination. */
export interface DockerCopy {
  from?: string;
  sources: string[];
  dest: string;
}

/** Split a Dockerfile into stages; comments dropped, `\` continuations joined. */
export function parseDockerfile(file: string): DockerStage[] {
  const lines = readFileSync(file, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const name = /\bAS\s+(\S+)$/i.exec(instruction.args)?.[1] ?? String(stages.length);
      stages.push({ name, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${file}: ${instruction.keyword} before FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** The parts of a COPY instruction's arguments (shell form only, which is what the Dockerfile uses). */
export function parseCopy(args: string): DockerCopy {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const unknown = flags.filter((f) => !f.startsWith('--from='));
  if (unknown.length > 0) throw new Error(`COPY ${args}: flags ${unknown.join(' ')} are not handled here`);
  const dest = paths.pop();
  if (!dest || paths.length === 0) throw new Error(`COPY ${args}: needs a source and a destination`);
  return { from: flags[0]?.slice('--from='.length), sources: paths, dest };
}

/** `ENV a=1 b=2` as an object (the `KEY=VALUE` form only). */
export function parseEnv(args: string): Record<string, string> {
  return Object.fromEntries(
    args.split(/\s+/).map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`ENV ${args}: only the KEY=VALUE form is handled here`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}
