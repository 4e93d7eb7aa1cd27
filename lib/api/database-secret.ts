import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../errors';

/**
 * `DATABASE_URL` from the Secrets Manager secret `arn` (the stack's DatabaseUrlSecret), read once
 * per Lambda container so the URL never sits in the function's environment.
 *
 * @throws ConfigError when the secret has no value yet (docs/DEPLOY.md says how to set it).
 */
export async function readDatabaseUrlSecret(client: SecretsManagerClient, arn: string): Promise<string> {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  const value = SecretString?.trim();
  if (!value) {
    throw new ConfigError([
      `The database secret ${arn} has no value. Set it to mysql://user:password@host:3306/database?ssl=rds (docs/DEPLOY.md, "Set the secrets").`,
    ]);
  }
  return value;
}
