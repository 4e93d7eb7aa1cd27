'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- osls loads plugins with require(), so this file is CommonJS. */
/**
 * osls plugin: on `sls deploy`, build the task image from ./Dockerfile and push it to the stack's
 * ECR repository, so that one command deploys code and infrastructure together.
 *
 * - When the stack already exists, the image is pushed before CloudFormation runs, so the new task
 *   definitions never point at a tag that is not there yet. On the very first deploy the
 *   repository does not exist yet, so the image is pushed right after the stack is created.
 * - The tag and CPU architecture are read from the compiled task definition (stage params
 *   `imageTag` and `cpuArchitecture`), so there is one source of truth.
 * - Without Docker it warns and prints the commands to run by hand; `sls package` never builds.
 * - SKIP_IMAGE_BUILD=1 turns it off (when a CI step has already pushed the image).
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { CloudFormationClient, DescribeStacksCommand } = require('@aws-sdk/client-cloudformation');

class TaskImagePlugin {
  constructor(serverless, _options, { log } = {}) {
    this.serverless = serverless;
    this.provider = serverless.getProvider('aws');
    this.log = log ?? { notice: console.log, warning: console.warn };
    this.pushed = false;
    this.hooks = {
      'before:deploy:deploy': () => this.run('before'),
      'after:deploy:deploy': () => this.run('after'),
    };
  }

  imageSettings() {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    const definition = resources.ExtractTaskDefinition.Properties;
    const image = definition.ContainerDefinitions[0].Image['Fn::Join'][1][1];
    const arch = definition.RuntimePlatform.CpuArchitecture === 'ARM64' ? 'linux/arm64' : 'linux/amd64';
    return { tag: String(image).replace(/^:/, ''), platform: arch };
  }

  async repositoryUri() {
    const client = new CloudFormationClient(await this.provider.getAwsSdkV3Config());
    try {
      const out = await client.send(
        new DescribeStacksCommand({ StackName: this.provider.naming.getStackName() }),
      );
      const outputs = out.Stacks?.[0]?.Outputs ?? [];
      return outputs.find((o) => o.OutputKey === 'ImageRepositoryUri')?.OutputValue;
    } catch (error) {
      if (/does not exist/.test(String(error?.message))) return undefined;
      throw error;
    }
  }

  async run(phase) {
    if (this.pushed || process.env.SKIP_IMAGE_BUILD === '1') return;
    const { tag, platform } = this.imageSettings();
    const uri = await this.repositoryUri();
    if (!uri) {
      if (phase === 'before')
        this.log.notice('Task image: the ECR repository is created first, the image is pushed next.');
      return;
    }
    const image = `${uri}:${tag}`;
    const root = this.serverless.serviceDir ?? process.cwd();
    if (spawnSync('docker', ['version'], { stdio: 'ignore' }).status !== 0) {
      this.log.warning(
        `Docker is not available, so the task image was not built. Build and push it, then run the tasks:\n` +
          `  aws ecr get-login-password | docker login --username AWS --password-stdin ${uri.split('/')[0]}\n` +
          `  docker build --platform ${platform} -t ${image} ${root}\n  docker push ${image}`,
      );
      this.pushed = true;
      return;
    }
    this.log.notice(`Task image: building ${image} (${platform})`);
    await this.provider.dockerLoginToEcr();
    for (const args of [
      ['build', '--platform', platform, '-t', image, '-f', path.join(root, 'Dockerfile'), root],
      ['push', image],
    ]) {
      const result = spawnSync('docker', args, { stdio: 'inherit' });
      if (result.status !== 0)
        throw new Error(`docker ${args[0]} failed (exit ${result.status}); see its output above.`);
    }
    this.pushed = true;
  }
}

module.exports = TaskImagePlugin;
