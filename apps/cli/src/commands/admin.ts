import { openDatabase } from '@breakwater/db';
import { AppError, bootstrap, DEFAULT_CONFIG, systemClock } from '@breakwater/server';
import { databaseUrlFlag, deployTokenScopeFlag, parseFlags, UsageError } from '../args.ts';

const USAGE = `usage: breakwater admin init --json [--data-dir DIR] [--database-url postgres://…] [--deploy-token-scope register|operator]

Creates the first workspace, its admin user and password, a deploy token and an API
token, and prints them once as JSON. Refuses to run on a database that has a workspace.
The deploy token is copied onto every machine being enrolled, so it only registers nodes
(POST /api/deploy) unless --deploy-token-scope operator lets it act as an operator on REST v1.`;

export async function adminCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'init') throw new UsageError(`unknown admin command ${JSON.stringify(sub ?? '')}; allowed: init\n\n${USAGE}`);
  const { values } = parseFlags(rest, {
    json: { type: 'boolean' }, 'data-dir': { type: 'string' }, 'database-url': { type: 'string' },
    'workspace-name': { type: 'string' }, email: { type: 'string' }, 'deploy-token-scope': { type: 'string' },
  }, USAGE);
  if (!values.json) throw new UsageError(`--json is required: the secrets are printed once, as JSON\n\n${USAGE}`);
  const deployTokenScope = deployTokenScopeFlag(values['deploy-token-scope']);
  const database = await openDatabase({ url: databaseUrlFlag(values['database-url']), dataDir: values['data-dir'] ?? process.env.BREAKWATER_DATA_DIR ?? './data' });
  try {
    const result = await bootstrap(database.db, systemClock, {
      workspaceName: values['workspace-name'], adminEmail: values.email,
      nodeQuota: DEFAULT_CONFIG.defaultNodeQuota, rateLimitPerMinute: DEFAULT_CONFIG.defaultRateLimitPerMinute, deployTokenScope,
    });
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  } catch (err) {
    if (err instanceof AppError && err.code === 'already_initialised') throw new UsageError(`admin init: ${err.message}`);
    throw err;
  } finally {
    await database.close();
  }
}
