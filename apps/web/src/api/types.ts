// Wire shapes, from the contracts package (types only: nothing of it reaches the bundle).
import type { Static } from 'typebox';
import type { AdapterInfo as AdapterSchema, AdapterTestResult as TestSchema, MetricsSeries as SeriesSchema } from '@breakwater/contracts';

export type { Channel, ChannelCreateBody, DeployTokenScope, Incident, IncidentDetail, Me, Node, NodeDetail, Packet, Pcap, Role, RuleBody, RuleInfo, TokenCreateBody, TokenInfo, UserInfo } from '@breakwater/contracts';
export type AdapterInfo = Static<typeof AdapterSchema>;
export type AdapterTestResult = Static<typeof TestSchema>;
export type MetricsSeries = Static<typeof SeriesSchema>;
import type { DiversionInfo as DiversionSchema, IntegrationInfo as IntegrationSchema, IntegrationTestResult as IntegrationTestSchema } from '@breakwater/contracts';
export type DiversionInfo = Static<typeof DiversionSchema>;
export type IntegrationInfo = Static<typeof IntegrationSchema>;
export type IntegrationTestResult = Static<typeof IntegrationTestSchema>;
export type { ExecutionInfo, RunbookInfo, RunbookStep, StepResultInfo, TriggerConditions } from '@breakwater/contracts';

/** Stream messages (apps/server/src/services/live). */
export type { LiveEvent, LiveFrame, LiveNode, LiveSample, NodeStatus } from '@breakwater/contracts';
import type { Collector as CollectorSchema, FlowExporter as FlowExporterSchema } from '@breakwater/contracts';
export type Collector = Static<typeof CollectorSchema>;
export type FlowExporter = Static<typeof FlowExporterSchema>;
