// A deploy's record: one row whose steps move pending → running → done/failed as the deploy
// goes, so the API and the dashboard can show where it is and where it stopped.
import { randomUUID } from 'node:crypto';
import { DEPLOY_STEPS, type DeployJob, type DeployStep, type DeployStepName, type DeployStepState, type HostKeyTrust } from '@breakwater/contracts';
import { fleetDeploy, fromJson, type Db, type DeployJobRow } from '@breakwater/db';
import type { Clock } from '../../clock.ts';
import { iso, isoOrNull } from '../present.ts';

const DETAIL_MAX = 500;

export class DeployJobRecord {
  readonly id: string;
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #steps: DeployStep[];

  private constructor(db: Db, clock: Clock, id: string, steps: DeployStep[]) {
    this.#db = db;
    this.#clock = clock;
    this.id = id;
    this.#steps = steps;
  }

  static async open(db: Db, clock: Clock, o: { workspaceId: string; host: string; port: number; user: string; sshKey: string; label: string | null; actor: string }): Promise<DeployJobRecord> {
    const now = clock.now();
    const steps: DeployStep[] = DEPLOY_STEPS.map((name) => ({ name, state: 'pending', detail: null, at: null }));
    const id = randomUUID();
    await fleetDeploy.insertDeployJob(db, {
      id, workspace_id: o.workspaceId, host: o.host, port: o.port, ssh_user: o.user, ssh_key: o.sshKey, label: o.label,
      host_key_fingerprint: null, host_key_trust: null, status: 'running', steps: JSON.stringify(steps), error: null, node_uuid: null,
      created_by: o.actor, created_at: now, updated_at: now, finished_at: null,
    });
    return new DeployJobRecord(db, clock, id, steps);
  }

  async step(name: DeployStepName, state: DeployStepState, detail: string | null = null): Promise<void> {
    const s = this.#steps.find((x) => x.name === name)!;
    s.state = state;
    s.detail = detail === null ? s.detail : detail.slice(0, DETAIL_MAX);
    s.at = iso(this.#clock.now());
    await fleetDeploy.updateDeployJob(this.#db, this.id, { steps: JSON.stringify(this.#steps), updated_at: this.#clock.now() });
  }

  /** The step under way (or the first not yet done), which is the one a failure belongs to. */
  current(): DeployStepName {
    return (this.#steps.find((s) => s.state === 'running') ?? this.#steps.find((s) => s.state === 'pending') ?? this.#steps.at(-1)!).name;
  }

  async hostKey(fingerprint: string, trust: HostKeyTrust): Promise<void> {
    await fleetDeploy.updateDeployJob(this.#db, this.id, { host_key_fingerprint: fingerprint, host_key_trust: trust, updated_at: this.#clock.now() });
  }

  async agent(uuid: string): Promise<void> {
    await fleetDeploy.updateDeployJob(this.#db, this.id, { node_uuid: uuid, updated_at: this.#clock.now() });
  }

  async finish(error: string | null): Promise<void> {
    if (error !== null) {
      const failing = this.#steps.find((s) => s.state === 'running') ?? this.#steps.find((s) => s.state === 'pending');
      if (failing) {
        failing.state = 'failed';
        failing.detail = error.slice(0, DETAIL_MAX);
        failing.at = iso(this.#clock.now());
      }
      for (const s of this.#steps) if (s.state === 'pending') s.state = 'skipped';
    }
    const now = this.#clock.now();
    await fleetDeploy.updateDeployJob(this.#db, this.id, {
      status: error === null ? 'deployed' : 'failed', error: error?.slice(0, DETAIL_MAX) ?? null,
      steps: JSON.stringify(this.#steps), updated_at: now, finished_at: now,
    });
  }
}

export function presentDeployJob(r: DeployJobRow): DeployJob {
  return {
    id: r.id, host: r.host, ssh_port: r.port, ssh_user: r.ssh_user, ssh_key: r.ssh_key, label: r.label,
    host_key_fingerprint: r.host_key_fingerprint, host_key_trust: r.host_key_trust as DeployJob['host_key_trust'],
    status: r.status as DeployJob['status'], steps: fromJson<DeployStep[]>(r.steps, []), error: r.error, agent_id: r.node_uuid,
    created_by: r.created_by, created_at: iso(r.created_at), finished_at: isoOrNull(r.finished_at),
  };
}
