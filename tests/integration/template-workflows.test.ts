import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';

const WORKFLOWS = path.resolve(__dirname, '../../.github/workflows');

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface Job {
  'runs-on'?: string;
  strategy?: { matrix?: Record<string, unknown> };
  uses?: string;
  needs?: string | string[];
  services?: Record<string, { image: string }>;
  env?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

async function load(name: string): Promise<{ text: string; workflow: Workflow }> {
  const text = await readFile(path.join(WORKFLOWS, name), 'utf8');
  return { text, workflow: parse(text) as Workflow };
}

describe('GitHub workflows', () => {
  it('ci.yml runs npm ci and npm test on every push against a MariaDB 10.11 service', async () => {
    const { workflow } = await load('ci.yml');
    expect(Object.keys(workflow.on)).toEqual(expect.arrayContaining(['push', 'workflow_call']));
    const job = workflow.jobs.test;
    expect(job?.services?.mariadb?.image).toBe('mariadb:10.11');
    expect(job?.env?.DATABASE_URL).toMatch(/^mysql:\/\/root@127\.0\.0\.1:3306\/\w+$/);
    const runs = (job?.steps ?? []).map((s) => s.run).filter(Boolean);
    expect(runs).toEqual(['npm ci', 'npm test']);
  });

  it('ci.yml tests on Node 22, which the task image and the Lambda run, and on Node 20 of the engines floor', async () => {
    const { workflow } = await load('ci.yml');
    const job = workflow.jobs.test;
    expect(job?.strategy?.matrix?.node).toEqual([20, 22]);
    const setup = (job?.steps ?? []).find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setup?.with?.['node-version']).toBe('${{ matrix.node }}');
  });

  it('deploy.yml deploys main after the tests with an OIDC role and no stored AWS keys', async () => {
    const { text, workflow } = await load('deploy.yml');
    expect(workflow.on.push).toEqual({ branches: ['main'] });
    expect(workflow.permissions?.['id-token']).toBe('write');
    expect(workflow.jobs.test?.uses).toBe('./.github/workflows/ci.yml');
    const deploy = workflow.jobs.deploy;
    expect(deploy?.needs).toBe('test');
    const steps = deploy?.steps ?? [];
    const credentials = steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials?.with?.['role-to-assume']).toBe('${{ vars.AWS_DEPLOY_ROLE_ARN }}');
    expect(steps.some((s) => s.uses?.startsWith('aws-actions/amazon-ecr-login@'))).toBe(true);
    expect(steps.some((s) => s.run?.includes('npx sls deploy --stage prod'))).toBe(true);
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|secrets\.AWS/i);
  });
});
