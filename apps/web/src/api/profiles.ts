// Typed calls for the firewall profiles page (REST v1, enveloped). Shapes from contracts, types only.
import type { ProfileInfo, ProfilePreview, ProfileStatus } from '@breakwater/contracts';
import { request } from './client.ts';

export type { ProfileInfo, ProfilePreview, ProfileStatus } from '@breakwater/contracts';

export interface ProfileNode {
  uuid: string;
  name: string;
}
export interface Applied {
  node_id: string;
  command_id: string;
  state: string;
}

const q = encodeURIComponent;

export const profilesApi = {
  list: async () => (await request<ProfileInfo[]>('GET', '/api/v1/profiles')).data,
  preview: async (id: string, suite: string) => (await request<ProfilePreview>('GET', `/api/v1/profiles/${q(id)}/preview?suite=${q(suite)}`)).data,
  status: async () => (await request<ProfileStatus[]>('GET', '/api/v1/profiles/status')).data,
  nodes: async () => (await request<ProfileNode[]>('GET', '/api/v1/nodes?limit=100')).data,
  apply: async (body: { profile_id: string; suite: string; node_ids: string[]; rules?: { cmd: string; title: string }[] }) => (await request<Applied[]>('POST', '/api/v1/profiles/apply', body)).data,
  rollback: async (nodeIds: string[]) => (await request<Applied[]>('POST', '/api/v1/profiles/rollback', { node_ids: nodeIds })).data,
};
