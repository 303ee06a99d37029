// Every call the dashboard makes, by method and path: the query and body it sends and the success
// reply the route declares. The dashboard's client is typed by this table (types only, nothing of
// it reaches the bundle), and apps/web/test/dashboard-api.test.ts holds the server's registered
// routes to it, so a route and the dashboard cannot drift apart unnoticed.
import { Type, type TSchema } from 'typebox';
import { DeliveriesQuery, DeliveryWithAttempts, WorkspaceSettings, WorkspaceSettingsPatch } from './alerting-settings.ts';
import { Channel, ChannelCreateBody, ChannelUpdateBody, MaintenanceWindow, MaintenanceWindowBody } from './channels.ts';
import { Collector, TalkersQuery, TopTalkers } from './collector.ts';
import { DASHBOARD_MITIGATION_API } from './dashboard-api-mitigation.ts';
import { DASHBOARD_NODES_API } from './dashboard-api-nodes.ts';
import { Ok, OkPage } from './common.ts';
import { LoginBody, Me, SignedOut, TokenCreateBody, TokenCreated, TokenInfo, TokenRevoked, UserCreateBody, UserInfo } from './dash.ts';
import { Incident, IncidentDetail, IncidentListQuery } from './incidents.ts';
import { AdapterInfo, AdapterTestResult, RuleBody, RuleHistoryQuery, RuleInfo } from './mitigation-api.ts';
import { MetricsQuery, MetricsSeries, NodeDetail } from './nodes.ts';
import { Packet, PacketPageQuery, PcapAnalysis } from './pcaps.ts';
import { Deleted, Queued } from './replies.ts';
import { ExecutionInfo, ExecutionsQuery, RunbookBody, RunbookInfo, RunbookPatch, RunbookTestBody } from './runbooks.ts';
import { AnnounceBody, DiversionInfo, IntegrationBody, IntegrationInfo, IntegrationPatch, IntegrationStatus, IntegrationTestResult, ScrubbingHistory, ScrubbingHistoryQuery, WithdrawBody, WithdrawResult } from './scrubbing-api.ts';

export interface DashboardRoute {
  /** The success status the route answers with. */
  status: number;
  /** The whole success reply, envelope included (`Ok(…)` or `OkPage(…)`). */
  reply: TSchema;
  body?: TSchema;
  query?: TSchema;
}

export const DASHBOARD_API = {
  'POST /api/dash/login': { status: 200, body: LoginBody, reply: Ok(Me) },
  'POST /api/dash/logout': { status: 200, reply: Ok(SignedOut) },
  'GET /api/dash/me': { status: 200, reply: Ok(Me) },
  'GET /api/dash/tokens': { status: 200, reply: Ok(Type.Array(TokenInfo)) },
  'POST /api/dash/tokens': { status: 201, body: TokenCreateBody, reply: Ok(TokenCreated) },
  'DELETE /api/dash/tokens/:id': { status: 200, reply: Ok(TokenRevoked) },
  'GET /api/dash/users': { status: 200, reply: Ok(Type.Array(UserInfo)) },
  'POST /api/dash/users': { status: 201, body: UserCreateBody, reply: Ok(UserInfo) },

  ...DASHBOARD_NODES_API,
  'GET /api/v1/nodes/:id': { status: 200, reply: Ok(NodeDetail) },
  'GET /api/v1/nodes/:id/metrics': { status: 200, query: MetricsQuery, reply: Ok(MetricsSeries) },
  'GET /api/v1/incidents': { status: 200, query: IncidentListQuery, reply: OkPage(Incident) },
  'GET /api/v1/incidents/:id': { status: 200, reply: Ok(IncidentDetail) },
  'GET /api/v1/pcaps/:id/packets': { status: 200, query: PacketPageQuery, reply: OkPage(Packet) },
  'GET /api/v1/pcaps/:id/analysis': { status: 200, reply: Ok(PcapAnalysis) },

  'GET /api/v1/channels': { status: 200, reply: Ok(Type.Array(Channel)) },
  'POST /api/v1/channels': { status: 201, body: ChannelCreateBody, reply: Ok(Channel) },
  'PATCH /api/v1/channels/:id': { status: 200, body: ChannelUpdateBody, reply: Ok(Channel) },
  'DELETE /api/v1/channels/:id': { status: 200, reply: Ok(Deleted) },
  'POST /api/v1/channels/:id/test': { status: 202, reply: Ok(Queued) },
  'GET /api/v1/channels/:id/deliveries': { status: 200, query: DeliveriesQuery, reply: OkPage(DeliveryWithAttempts) },
  'GET /api/v1/maintenance-windows': { status: 200, reply: Ok(Type.Array(MaintenanceWindow)) },
  'POST /api/v1/maintenance-windows': { status: 201, body: MaintenanceWindowBody, reply: Ok(MaintenanceWindow) },
  'DELETE /api/v1/maintenance-windows/:id': { status: 200, reply: Ok(Deleted) },
  'GET /api/dash/workspace': { status: 200, reply: Ok(WorkspaceSettings) },
  'PATCH /api/dash/workspace': { status: 200, body: WorkspaceSettingsPatch, reply: Ok(WorkspaceSettings) },

  'GET /api/v1/mitigation/rules': { status: 200, reply: Ok(Type.Array(RuleInfo)) },
  'GET /api/v1/mitigation/rules/history': { status: 200, query: RuleHistoryQuery, reply: Ok(Type.Array(RuleInfo)) },
  'POST /api/v1/mitigation/rules': { status: 200, body: RuleBody, reply: Ok(RuleInfo) },
  'DELETE /api/v1/mitigation/rules/:id': { status: 200, reply: Ok(RuleInfo) },
  'GET /api/v1/mitigation/adapters': { status: 200, reply: Ok(Type.Array(AdapterInfo)) },
  'POST /api/v1/mitigation/adapters/:id/test': { status: 200, reply: Ok(AdapterTestResult) },
  ...DASHBOARD_MITIGATION_API,

  'GET /api/v1/scrubbing': { status: 200, reply: Ok(Type.Array(IntegrationInfo)) },
  'POST /api/v1/scrubbing': { status: 201, body: IntegrationBody, reply: Ok(IntegrationInfo) },
  'PATCH /api/v1/scrubbing/:id': { status: 200, body: IntegrationPatch, reply: Ok(IntegrationInfo) },
  'GET /api/v1/scrubbing/:id/status': { status: 200, reply: Ok(IntegrationStatus) },
  'GET /api/v1/scrubbing/:id/history': { status: 200, query: ScrubbingHistoryQuery, reply: Ok(ScrubbingHistory) },
  'POST /api/v1/scrubbing/:id/test': { status: 200, reply: Ok(IntegrationTestResult) },
  'POST /api/v1/scrubbing/:id/announce': { status: 200, body: AnnounceBody, reply: Ok(DiversionInfo) },
  'POST /api/v1/scrubbing/:id/withdraw': { status: 200, body: WithdrawBody, reply: Ok(WithdrawResult) },
  'GET /api/v1/runbooks': { status: 200, reply: Ok(Type.Array(RunbookInfo)) },
  'POST /api/v1/runbooks': { status: 201, body: RunbookBody, reply: Ok(RunbookInfo) },
  'PATCH /api/v1/runbooks/:id': { status: 200, body: RunbookPatch, reply: Ok(RunbookInfo) },
  'POST /api/v1/runbooks/:id/toggle': { status: 200, reply: Ok(RunbookInfo) },
  'POST /api/v1/runbooks/:id/test': { status: 202, body: RunbookTestBody, reply: Ok(ExecutionInfo) },
  'GET /api/v1/runbooks/:id/executions': { status: 200, query: ExecutionsQuery, reply: Ok(Type.Array(ExecutionInfo)) },

  'GET /api/v1/collectors': { status: 200, reply: Ok(Type.Array(Collector)) },
  'GET /api/v1/collectors/:id/talkers': { status: 200, query: TalkersQuery, reply: Ok(TopTalkers) },
} satisfies Record<string, DashboardRoute>;
export type DashboardApi = typeof DASHBOARD_API;
