import { backupSqlite, openDatabase, restoreSqlite } from '@breakwater/db';
import { AppError, bootstrap, DEFAULT_CONFIG, systemClock } from '@breakwater/server';
import { databaseUrlFlag, deployTokenScopeFlag, parseFlags, UsageError } from '../args.ts';

const USAGE = `usage: breakwater admin init --json [--data-dir DIR] [--database-url postgres://…] [--deploy-token-scope register|operator]
       breakwater admin backup --out FILE [--data-dir DIR]
       breakwater admin restore --from FILE [--data-dir DIR] [--force]

backup copies the embedded SQLite database with SQLite's online backup API (safe while the
server runs). restore puts a backup in place (stop the server first; an existing database is
kept beside it, and replaced only with --force). Secrets in the database are sealed with
DATA_DIR/secret.key (or BREAKWATER_SECRET_KEY): keep that key with the backup, apart from it.
On PostgreSQL use pg_dump and pg_restore (see the README).

Creates the first workspace, its admin user and password, a deploy token and an API
token, and prints them once as JSON. Refuses to run on a database that has a workspace.
The deploy token is copied onto every machine being enrolled, so it only registers nodes
(POST /api/deploy) unless --deploy-token-scope operator lets it act as an operator on REST v1.`;

export async function adminCommand(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === 'backup' || sub === 'restore') return backupCommand(sub, rest);
  if (sub !== 'init') throw new UsageError(`unknown admin command ${JSON.stringify(sub ?? '')}; allowed: init, backup, restore\n\n${USAGE}`);
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

async function backupCommand(sub: 'backup' | 'restore', argv: string[]): Promise<void> {
  const { values } = parseFlags(argv, { out: { type: 'string' }, from: { type: 'string' }, 'data-dir': { type: 'string' }, 'database-url': { type: 'string' }, force: { type: 'boolean' } }, USAGE);
  if (databaseUrlFlag(values['database-url'])) {
    throw new UsageError(`${sub}: the database is PostgreSQL: use pg_dump --format=custom and pg_restore (see the README's Backups section)`);
  }
  const dataDir = values['data-dir'] ?? process.env.BREAKWATER_DATA_DIR ?? './data';
  if (sub === 'backup') {
    if (!values.out) throw new UsageError(`backup: --out FILE is required\n\n${USAGE}`);
    if (values.from || values.force) throw new UsageError('backup: --from and --force are for restore');
    const r = await backupSqlite(dataDir, values.out);
    process.stdout.write(`backup: ${r.file} (${r.bytes} bytes, ${r.pages} pages, schema ${r.migration})\nKeep the secret key (DATA_DIR/secret.key or BREAKWATER_SECRET_KEY) too, stored apart: sealed secrets need it.\n`);
  } else {
    if (!values.from) throw new UsageError(`restore: --from FILE is required\n\n${USAGE}`);
    if (values.out) throw new UsageError('restore: --out is for backup');
    const r = restoreSqlite(dataDir, values.from, { force: values.force ?? false });
    process.stdout.write(`restore: ${r.file} from schema ${r.migration}${r.previous ? `; the database it replaced is kept at ${r.previous}` : ''}\nStart the server: it migrates the restored database to this version.\n`);
  }
}
