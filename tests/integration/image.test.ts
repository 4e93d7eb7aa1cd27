import { execFile, spawn } from 'node:child_process';
import { chown, cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { parse } from 'yaml';
import { TASK_ENTRYPOINTS } from '../../scripts/build-tasks';
import { startSandbox, type Sandbox } from '../../sandbox/server';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { parseCopy, parseDockerfile, parseEnv, type DockerStage } from '../helpers/dockerfile';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
/** uid/gid of the `node` user of the node:22 images, which `USER node` selects. */
const IMAGE_USERS: Record<string, number> = { node: 1000 };

interface ImageCommand {
  argv: string[];
  /** Where the container starts it: the final stage's WORKDIR, laid out on disk. */
  cwd: string;
  env: Record<string, string>;
  uid?: number;
}

/**
 * Carry out the Dockerfile's stages in folders under `work` (one folder per stage standing for
 * its `/`): COPY from the context or another stage, RUN in the WORKDIR. One substitution: the build
 * stage's full `npm ci` links this checkout's node_modules, which `npm ci` installed from the same
 * lockfile, instead of installing all 900 packages again. The production install runs as written.
 */
async function layOutStages(stages: DockerStage[], work: string): Promise<Map<string, string>> {
  const roots = new Map<string, string>();
  for (const stage of stages) {
    const root = path.join(work, stage.name);
    roots.set(stage.name, root);
    let workdir = '/';
    for (const { keyword, args } of stage.instructions) {
      const here = path.join(root, workdir);
      if (keyword === 'WORKDIR') {
        workdir = path.posix.resolve(workdir, args);
        await mkdir(path.join(root, workdir), { recursive: true });
      } else if (keyword === 'COPY') {
        const copy = parseCopy(args);
        const from = copy.from === undefined ? undefined : roots.get(copy.from);
        if (copy.from !== undefined && !from) throw new Error(`COPY --from=${copy.from}: no such stage`);
        for (const source of copy.sources) {
          const src = from ? path.join(from, path.posix.resolve('/', source)) : path.join(ROOT, source);
          const intoFolder = copy.dest.endsWith('/') || copy.sources.length > 1;
          const dest = path.join(here, copy.dest, intoFolder ? path.basename(source) : '');
          await cp(src, dest, { recursive: true, verbatimSymlinks: true });
        }
      } else if (keyword === 'RUN') {
        if (/^npm ci\b/.test(args) && !args.includes('--omit=dev')) {
          await symlink(path.join(ROOT, 'node_modules'), path.join(here, 'node_modules'));
        } else {
          await run('sh', ['-c', args], { cwd: here, maxBuffer: 64 * 1024 * 1024 });
        }
      }
    }
  }
  return roots;
}

/** What the final stage runs: its CMD, WORKDIR, ENV and USER. */
function finalStage(stage: DockerStage, root: string): Omit<ImageCommand, 'argv'> & { cmd: string[] } {
  let workdir = '/';
  let env: Record<string, string> = {};
  let user: string | undefined;
  let cmd: string[] = [];
  for (const { keyword, args } of stage.instructions) {
    if (keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, args);
    if (keyword === 'ENV') env = { ...env, ...parseEnv(args) };
    if (keyword === 'USER') user = args;
    if (keyword === 'CMD') cmd = JSON.parse(args) as string[];
  }
  // Only as root can the test take the image's user; a test run by anyone else already is not root.
  const uid = user && process.getuid?.() === 0 ? IMAGE_USERS[user] : undefined;
  if (user && process.getuid?.() === 0 && uid === undefined) throw new Error(`USER ${user}: unknown uid`);
  return { cwd: path.join(root, workdir), env, uid, cmd };
}

/** A task definition's container command in serverless.yml. */
async function taskCommand(resource: string): Promise<string[]> {
  const config = parse(await readFile(path.join(ROOT, 'serverless.yml'), 'utf8')) as {
    resources: {
      Resources: Record<string, { Properties: { ContainerDefinitions: { Command: string[] }[] } }>;
    };
  };
  const command = config.resources.Resources[resource]?.Properties.ContainerDefinitions[0]?.Command;
  if (!command) throw new Error(`serverless.yml: ${resource} has no container Command`);
  return command;
}

/** The node flags and the script of an npm script written `node <flags> --import tsx <script>`. */
async function npmScript(name: string): Promise<{ flags: string[]; script: string }> {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = (pkg.scripts[name] ?? '').split(/\s+/);
  const script = words.pop() ?? '';
  expect(words.slice(0, 1)).toEqual(['node']);
  return { flags: words.slice(1).filter((w) => w !== '--import' && w !== 'tsx'), script };
}

function runImage(
  command: ImageCommand,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const [program, ...args] = command.argv;
  // The image's node is 22; the test runs the bundles with the node that runs jest.
  if (program !== 'node') throw new Error(`the image runs ${program}, not node`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: command.cwd,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...command.env, ...env },
      uid: command.uid,
      gid: command.uid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

async function countRows(databaseUrl: string, table: string): Promise<number> {
  const db = await mysql.createConnection(databaseUrl);
  try {
    const [rows] = await db.query<mysql.RowDataPacket[]>(`SELECT COUNT(*) AS n FROM \`${table}\``);
    return Number(rows[0]?.n);
  } finally {
    await db.end();
  }
}

describe('the task image, laid out from the Dockerfile without Docker', () => {
  let work: string;
  let image: Omit<ImageCommand, 'argv'> & { cmd: string[] };
  const cleanups: (() => Promise<void>)[] = [];

  /** A folder the image's user can write, as a task's lake. */
  async function lakeFolder(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'image-lake-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    if (image.uid !== undefined) await chown(dir, image.uid, image.uid);
    return dir;
  }

  async function database(): Promise<TestDatabase> {
    const db = await createTestDatabase();
    cleanups.push(() => db.drop());
    return db;
  }

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'image-'));
    // mkdtemp makes a 0700 folder; the image's user must be able to reach the files under it.
    await run('chmod', ['755', work]);
    const stages = parseDockerfile(path.join(ROOT, 'Dockerfile'));
    const roots = await layOutStages(stages, work);
    const last = stages.at(-1)!;
    image = finalStage(last, roots.get(last.name)!);
    await run('chmod', ['-R', 'a-w', image.cwd]);
  }, 600_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    if (work) {
      await run('chmod', ['-R', 'u+w', work]);
      await rm(work, { recursive: true, force: true });
    }
  });

  it('holds only the COPYed paths: no TypeScript sources, no tsx, and the bundles beside the migrations', async () => {
    const { stdout } = await run('ls', ['-A', image.cwd]);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['dist', 'drizzle', 'node_modules']);
    await expect(readFile(path.join(image.cwd, 'node_modules/tsx/package.json'))).rejects.toThrow();
    await expect(readFile(path.join(image.cwd, 'node_modules/esbuild/package.json'))).rejects.toThrow();
  });

  it('starts each task as node with the bundle and the heap flags of its npm script', async () => {
    const commands: [string, string[]][] = [
      ['extract', await taskCommand('ExtractTaskDefinition')],
      ['load', await taskCommand('LoadTaskDefinition')],
      ['start', image.cmd],
    ];
    for (const [script, argv] of commands) {
      const npm = await npmScript(script);
      const bundle = argv.at(-1) ?? '';
      const task = path.basename(bundle, '.js') as keyof typeof TASK_ENTRYPOINTS;
      expect(TASK_ENTRYPOINTS[task]).toBe(npm.script);
      expect(argv).toEqual(['node', ...npm.flags, `dist/${task}.js`]);
    }
  });

  describe('with a sandbox over HTTP', () => {
    let sandbox: Sandbox;
    beforeAll(async () => {
      sandbox = await startSandbox({ seed: 5, contacts: 30, conversations: 9, includeQuirks: false });
    });
    afterAll(async () => {
      await sandbox?.close();
    });

    it("runs the task definitions' extract then load: the lake and a fresh database fill, read-only code", async () => {
      const lake = await lakeFolder();
      const db = await database();
      const extract = await runImage(
        { ...image, argv: await taskCommand('ExtractTaskDefinition') },
        { LAKE_URL: lake, INTERCOM_API_URL: sandbox.url, INTERCOM_ACCESS_TOKEN: sandbox.token },
      );
      expect(extract.output).not.toContain(sandbox.token);
      expect(extract).toMatchObject({ code: 0 });
      const manifest = JSON.parse(await readFile(path.join(lake, 'data/manifest.json'), 'utf8')) as {
        streams: Record<string, { count: number }>;
      };
      expect(manifest.streams.users?.count).toBe(30);
      expect(manifest.streams.conversations?.count).toBe(9);

      const load = await runImage(
        { ...image, argv: await taskCommand('LoadTaskDefinition') },
        { LAKE_URL: lake, DATABASE_URL: db.url },
      );
      expect(load).toMatchObject({ code: 0 });
      expect(await countRows(db.url, 'users')).toBe(30);
      expect(await countRows(db.url, 'conversation')).toBe(9);
      expect(await countRows(db.url, 'conversation_part')).toBeGreaterThan(0);

      // The refine tasks: DuckDB's native binding loads from the production node_modules.
      for (const resource of ['RefineSilverTaskDefinition', 'RefineReportTaskDefinition']) {
        const refine = await runImage({ ...image, argv: await taskCommand(resource) }, { LAKE_URL: lake });
        expect([resource, refine.code]).toEqual([resource, 0]);
      }
      expect((await readFile(path.join(lake, 'silver/users/part-0.parquet'))).subarray(0, 4).toString()).toBe(
        'PAR1',
      );
      expect(await readFile(path.join(lake, 'gold/report.html'), 'utf8')).toContain(
        'data-chart="daily-volume"',
      );
    });
  });

  it("runs the image's CMD without a token: the built-in sandbox, quirk records included", async () => {
    const lake = await lakeFolder();
    const db = await database();
    const sync = await runImage(
      { ...image, argv: image.cmd },
      { LAKE_URL: lake, DATABASE_URL: db.url, SANDBOX_CONTACTS: '12', SANDBOX_CONVERSATIONS: '5' },
    );
    expect(sync.output).toContain('Sync finished');
    expect(sync).toMatchObject({ code: 0 });
    expect(await countRows(db.url, 'users')).toBe(12 + 3);
    expect(await countRows(db.url, 'conversation')).toBe(5 + 3);
  });
});
