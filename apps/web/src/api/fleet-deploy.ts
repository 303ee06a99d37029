// Typed calls for putting agents on hosts (deploy over SSH, SSH keys, enrolment keys): routes of
// the fleet agents API, whose replies are bare (requestBare). Shapes from contracts, types only.
import type { Static } from 'typebox';
import type {
  AgentDeployBody, AgentDeployed as AgentDeployedSchema, DeployJob, EnrolmentKeyCreateBody, EnrolmentKeyCreated, EnrolmentKeyInfo, KnownHost as KnownHostSchema,
  SshKeyCreateBody, SshKeyInfo,
} from '@breakwater/contracts';
import { requestBare } from './client.ts';

export type { AgentDeployBody, DeployJob, DeployStep, EnrolmentKeyCreated, EnrolmentKeyInfo, SshKeyInfo } from '@breakwater/contracts';
export type AgentDeployed = Static<typeof AgentDeployedSchema>;
export type KnownHost = Static<typeof KnownHostSchema>;

const id = (v: string) => encodeURIComponent(v);

export const fleetDeployApi = {
  sshKeys: () => requestBare<SshKeyInfo[]>('GET', '/api/agents/ssh-keys'),
  addSshKey: (body: SshKeyCreateBody) => requestBare<SshKeyInfo>('POST', '/api/agents/ssh-keys', body),
  deleteSshKey: (keyId: string) => requestBare<{ status: 'deleted' }>('DELETE', `/api/agents/ssh-keys/${id(keyId)}`),
  knownHosts: () => requestBare<KnownHost[]>('GET', '/api/agents/known-hosts'),
  deploy: (body: AgentDeployBody) => requestBare<AgentDeployed>('POST', '/api/agents/deploy', body),
  jobs: () => requestBare<DeployJob[]>('GET', '/api/agents/deploy/jobs'),
  enrolmentKeys: () => requestBare<EnrolmentKeyInfo[]>('GET', '/api/agents/enrolment-keys'),
  createEnrolmentKey: (body: EnrolmentKeyCreateBody) => requestBare<EnrolmentKeyCreated>('POST', '/api/agents/enrolment-keys', body),
};
