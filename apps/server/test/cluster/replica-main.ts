// One server replica as its own process, for the multi-replica tests: the config comes as JSON in
// BW_REPLICA_CONFIG; the first line on stdout says where it listens, its replica id and, when this
// start created the first workspace, the credentials. SIGTERM stops it cleanly; SIGKILL is the test.
import { createServer, resolveConfig } from '../../src/index.ts';

const config = resolveConfig(JSON.parse(process.env.BW_REPLICA_CONFIG ?? '{}'));
const running = await createServer(config).start({ bootstrapIfEmpty: process.env.BW_REPLICA_BOOTSTRAP === '1' });
process.stdout.write(`${JSON.stringify({ url: running.url, replica_id: running.ctx.cluster.replicaId, bootstrapped: running.bootstrapped })}\n`);
process.once('SIGTERM', () => {
  void running.stop().then(() => process.exit(0));
});
