// POST /api/agents/deploy: install an agent on a host over SSH. The host key is checked (pinned
// in the request, recorded from an earlier deploy, or trusted on first use when the operator
// says so, recorded); the host's address must pass the server's outbound policy; the node is
// registered, its config, the agent and (when the host lacks Node 24) Node go up over the SSH
// connection, and the install script installs and starts it. The job records every step.
import { isIP } from 'node:net';
import type { AgentDeployBody, HostKeyTrust } from '@breakwater/contracts';
import { audit, fleetDeploy, nodes as nodesRepo } from '@breakwater/db';
import { refusalOf, refusalOfHost, systemResolver, type Resolver } from '@breakwater/outbound';
import type { AppContext } from '../../context.ts';
import { AppError, badRequest, conflict } from '../../errors.ts';
import { createNode } from '../nodes/nodes.ts';
import { agentConfigFor, agentConfigText } from './agent-config-for.ts';
import { DeployJobRecord } from './deploy-job.ts';
import { defaultBundleDeps, InstallBundles, type InstallBundleDeps } from './install-bundle.ts';
import { loadInstallTemplate, renderInstallScript, shQuote } from './install-script.ts';
import { HostKeyRejected, SshSession } from './ssh-session.ts';

export interface DeployerDeps {
  bundles: InstallBundles;
  template: string;
  resolve: Resolver;
  /** How long to wait for the new agent's first report. */
  onlineTimeoutMs: number;
}

export function createDeployerDeps(ctx: AppContext, over: Partial<InstallBundleDeps> = {}): DeployerDeps {
  const bundleDeps = { ...defaultBundleDeps(ctx.config.dataDir), ...over };
  return { bundles: new InstallBundles(bundleDeps), template: loadInstallTemplate(bundleDeps.rootDir), resolve: systemResolver, onlineTimeoutMs: 120_000 };
}

interface Caller { workspaceId: string; actor: string; requestId: string }

const NOT_A_FILE = 'keys are registered with POST /api/agents/ssh-keys and named here; the server never reads a key file from its own disk';

async function resolveTarget(ctx: AppContext, deps: DeployerDeps, host: string): Promise<string> {
  const reach = ctx.config.outbound.deploy ?? [];
  const refuse = (r: Error) => badRequest(`host: ${r.message}${reach.length === 0 ? ' (grant it with --outbound-allow deploy=private)' : ''}`, 'outbound_refused');
  const byName = refusalOfHost(host, reach);
  if (byName) throw refuse(byName);
  let address = host;
  if (!isIP(host)) {
    const found = await deps.resolve(host).catch(() => []);
    if (found.length === 0) throw badRequest(`host: ${host} does not resolve`);
    address = found[0]!.address;
  }
  const refused = refusalOf(address, reach, host);
  if (refused) throw refuse(refused);
  return address;
}

export async function deployAgent(ctx: AppContext, deps: DeployerDeps, caller: Caller, body: AgentDeployBody, origin: string): Promise<{ agent_id: string; key: string; status: 'deployed'; job_id: string }> {
  const { workspaceId } = caller;
  const port = body.ssh_port ?? 22;
  const user = body.ssh_user ?? 'root';
  const key = await fleetDeploy.openSshKeyByName(ctx.db, workspaceId, body.ssh_key);
  if (!key) throw badRequest(`ssh_key: no registered key named ${JSON.stringify(body.ssh_key)} (${NOT_A_FILE})`, 'unknown_ssh_key');
  const known = await fleetDeploy.getKnownHost(ctx.db, workspaceId, body.host, port);
  let expected: string | null = null;
  let trust: HostKeyTrust;
  if (body.host_key_fingerprint) {
    expected = body.host_key_fingerprint;
    trust = 'pinned';
  } else if (known) {
    expected = known.fingerprint;
    trust = 'known';
  } else if (body.trust_on_first_use === true) {
    trust = 'tofu';
  } else {
    throw badRequest('host_key_fingerprint: required (the host key\'s SHA256:… fingerprint, as `ssh-keygen -lf` prints it), unless trust_on_first_use is true');
  }
  const name = body.label ?? body.host;
  if (await nodesRepo.nodeNameTaken(ctx.db, workspaceId, name)) throw conflict(`label: a node named "${name}" already exists`, 'duplicate_name');
  const address = await resolveTarget(ctx, deps, body.host);

  const job = await DeployJobRecord.open(ctx.db, ctx.clock, { workspaceId, host: body.host, port, user, sshKey: body.ssh_key, label: body.label ?? null, actor: caller.actor });
  const record = (action: string, detail: unknown) => audit.appendAudit(ctx.db, { workspaceId, actor: caller.actor, action, target: job.id, detail, requestId: caller.requestId, at: ctx.clock.now() });
  await record('agent.deploy.start', { host: body.host, port, ssh_user: user, ssh_key: body.ssh_key, host_key_trust: trust, label: body.label ?? null });

  let session: SshSession | null = null;
  let createdNode: { id: number; uuid: string } | null = null;
  try {
    await job.step('connect', 'running', `${address}:${port} as ${user}`);
    try {
      session = await SshSession.connect({
        address, port, username: user, privateKey: key.private_key, passphrase: key.passphrase ?? undefined,
        acceptHostKey: async (k) => {
          if (expected !== null && k.fingerprint !== expected) return false;
          // Recorded as soon as it is accepted, before authentication: trust on first use is about
          // the first connection, whatever happens after it.
          await fleetDeploy.recordKnownHost(ctx.db, {
            workspace_id: workspaceId, host: body.host, port, key_type: k.keyType, fingerprint: k.fingerprint,
            trust: trust === 'known' ? known!.trust : trust, recorded_by: trust === 'known' ? known!.recorded_by : caller.actor,
            first_seen_at: known?.first_seen_at ?? ctx.clock.now(), last_seen_at: ctx.clock.now(),
          });
          await job.hostKey(k.fingerprint, trust);
          await job.step('host_key', 'done', `${k.keyType} ${k.fingerprint} (${trust === 'tofu' ? 'trusted on first use, recorded' : trust})`);
          return true;
        },
      });
    } catch (err) {
      if (err instanceof HostKeyRejected) {
        await job.step('connect', 'done');
        await job.step('host_key', 'running');
        await job.hostKey(err.presented.fingerprint, trust);
        throw new AppError(409, 'host_key_mismatch', `host key of ${body.host}:${port} is ${err.presented.fingerprint}, not the ${trust === 'pinned' ? 'pinned' : 'recorded'} ${expected}; nothing was sent to it`);
      }
      throw new AppError(502, 'ssh_failed', `ssh to ${body.host}:${port}: ${(err as Error).message}`);
    }
    await job.step('connect', 'done');
    const hk = session.hostKey;

    const sudo = user === 'root' ? '' : 'sudo -n ';
    const dir = `/tmp/breakwater-deploy-${job.id}`;
    await job.step('upload', 'running');
    const agentPart = await deps.bundles.get('agent');
    const runtimePart = await deps.bundles.get('runtime');
    const mk = await session.exec(`umask 077 && rm -rf ${shQuote(dir)} && mkdir -m 700 ${shQuote(dir)}`);
    if (mk.code !== 0) throw new AppError(502, 'deploy_failed', `upload: cannot create ${dir} on the host: ${mk.stderr.trim().slice(0, 200)}`);
    const put = async (file: string, stdin: string | { file: string }) => {
      const r = await session!.exec(`umask 077 && cat > ${shQuote(`${dir}/${file}`)}`, { stdin });
      if (r.code !== 0) throw new AppError(502, 'deploy_failed', `upload of ${file} failed: ${r.stderr.trim().slice(0, 200)}`);
    };
    await put('agent.tar.gz', { file: agentPart.path });
    const nodeOnHost = await session.exec(`node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0`);
    const hostMajor = Number(nodeOnHost.stdout.trim()) || 0;
    if (hostMajor < deps.bundles.nodeMajor) await put('runtime.tar.gz', { file: runtimePart.path });
    await job.step('upload', 'done', hostMajor < deps.bundles.nodeMajor ? 'agent and Node runtime' : `agent (the host has Node ${hostMajor})`);

    await job.step('enrol', 'running');
    const iface = body.interface ?? (await defaultInterface(session)) ?? 'eth0';
    const created = await createNode(ctx, workspaceId, { name, ip: address, interface: iface, ...(body.tags ? { tags: body.tags } : {}) });
    createdNode = { id: created.node.id, uuid: created.node.uuid };
    await job.agent(created.node.uuid);
    const commandPublicKey = await ctx.commands.signer.publicKey(workspaceId);
    await put('agent.json', agentConfigText(agentConfigFor({ serverUrl: origin, nodeUuid: created.node.uuid, apiKey: created.apiKey, iface, ip: address, commandPublicKey })));
    await job.step('enrol', 'done', `agent ${created.node.uuid} on ${iface}`);

    await job.step('install', 'running');
    const script = renderInstallScript(deps.template, { serverUrl: origin, ticket: '', localDir: dir, agent: agentPart, runtime: runtimePart, nodeMajor: deps.bundles.nodeMajor, interface: iface });
    let failure: string | null = null;
    const steps: Promise<void>[] = [];
    const force = body.replace_existing === true ? 'env BREAKWATER_FORCE=1 ' : '';
    const run = await session.exec(`${sudo}${force}sh -s; rc=$?; rm -rf ${shQuote(dir)}; exit $rc`, {
      stdin: script,
      onLine: (line) => {
        const m = /^@@bw (step|fail) (.*)$/.exec(line);
        if (!m) return;
        if (m[1] === 'fail') failure = m[2]!;
        else if (m[2] === 'start') steps.push(job.step('install', 'done').then(() => job.step('start', 'running')));
      },
    });
    await Promise.all(steps);
    if (run.code !== 0) throw new AppError(502, 'deploy_failed', `install script: ${failure ?? (run.stderr.trim().split('\n').at(-1) || `exited with ${run.code}`)}`);
    await job.step('start', 'done');

    await job.step('online', 'running');
    await waitOnline(ctx, workspaceId, created.node.uuid, deps.onlineTimeoutMs);
    await job.step('online', 'done');
    await job.finish(null);
    await record('agent.deploy', { result: 'deployed', agent_id: created.node.uuid, host: body.host, host_key: hk.fingerprint, host_key_trust: trust });
    return { agent_id: created.node.uuid, key: created.apiKey, status: 'deployed', job_id: job.id };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await job.finish(message);
    // A node whose agent never got installed would only sit offline: it goes with the failure.
    if (createdNode) await nodesRepo.softDeleteNode(ctx.db, workspaceId, createdNode.id, ctx.clock.now());
    await record('agent.deploy', { result: 'failed', host: body.host, error: message.slice(0, 300) });
    if (err instanceof AppError) throw new AppError(err.status, err.code, `${err.message} (deploy job ${job.id})`);
    throw new AppError(502, 'deploy_failed', `${message} (deploy job ${job.id})`);
  } finally {
    session?.end();
  }
}

async function defaultInterface(s: SshSession): Promise<string | null> {
  const r = await s.exec(`ip route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}'; ip -o link show 2>/dev/null | awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2; exit }'`);
  const first = r.stdout.split('\n').map((l) => l.trim()).find((l) => /^[A-Za-z0-9_.:@-]{1,15}$/.test(l));
  return first ?? null;
}

async function waitOnline(ctx: AppContext, workspaceId: string, uuid: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await nodesRepo.getNodeByUuid(ctx.db, workspaceId, uuid, 0);
    if (n?.last_seen_at != null) return;
    if (Date.now() > deadline) throw new AppError(504, 'deploy_failed', `online: the agent was installed and started but has not reported within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
