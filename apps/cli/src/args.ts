import { parseArgs, type ParseArgsConfig } from 'node:util';
// From contracts, not the server: `breakwater agent run` must not load the control plane (nor need it installed).
import { DEPLOY_TOKEN_SCOPES } from '@breakwater/contracts/plain';
import type { DeployTokenScope } from '@breakwater/contracts';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with errors that name the flag and list what is allowed. */
export function parseFlags<O extends Options>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  } catch (err) {
    const allowed = Object.keys(options).map((k) => `--${k}`).join(', ');
    throw new UsageError(`${(err as Error).message}\nallowed flags: ${allowed}\n\n${usage}`);
  }
}

export function portFlag(v: string | undefined, name = '--port'): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new UsageError(`${name}: must be a port number from 0 to 65535, got ${JSON.stringify(v)}`);
  return Number(v);
}

export function databaseUrlFlag(v: string | undefined): string | undefined {
  const url = v ?? process.env.BREAKWATER_DATABASE_URL;
  if (url !== undefined && !/^postgres(ql)?:\/\/\S+$/.test(url)) {
    throw new UsageError('--database-url: must be a postgres:// or postgresql:// URL (leave it out to use the embedded SQLite in --data-dir)');
  }
  return url;
}

/** The scope of the first deploy token (flag, else BREAKWATER_DEPLOY_TOKEN_SCOPE): register unless asked otherwise. */
export function deployTokenScopeFlag(v: string | undefined): DeployTokenScope {
  const scope = v ?? process.env.BREAKWATER_DEPLOY_TOKEN_SCOPE ?? 'register';
  if (!(DEPLOY_TOKEN_SCOPES as readonly string[]).includes(scope)) {
    throw new UsageError(`--deploy-token-scope: must be one of ${DEPLOY_TOKEN_SCOPES.join(', ')} (register: the token only registers nodes; operator: it also acts as an operator on REST v1), got ${JSON.stringify(scope)}`);
  }
  return scope as DeployTokenScope;
}
