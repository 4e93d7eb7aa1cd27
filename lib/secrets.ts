import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from './errors';
import type { Env } from './config';

/**
 * `env` with each variable of `refs` set to its secret's value, read from Secrets Manager (one
 * GetSecretValue per secret, side by side).
 * @throws ConfigError naming the variable (never the value) when a secret is missing or empty.
 */
export async function resolveSecrets(
  env: Env,
  refs: Record<string, string>,
  client: SecretsManagerClient,
): Promise<Env> {
  const out: Env = { ...env };
  await Promise.all(
    Object.entries(refs).map(async ([name, arn]) => {
      let value: string | undefined;
      try {
        value = (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString;
      } catch (error) {
        throw new ConfigError(
          [
            `${name} could not be read from Secrets Manager (${arn}): ${(error as Error).message}. Check the secret exists and the function's role may read it.`,
          ],
          { cause: error },
        );
      }
      if (!value?.trim()) {
        throw new ConfigError([
          `${name} is empty in Secrets Manager (${arn}); put its value there (docs/REALTIME.md).`,
        ]);
      }
      out[name] = value.trim();
    }),
  );
  return out;
}
