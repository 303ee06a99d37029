// Wire shapes, from the contracts package (types only: nothing of it reaches the bundle).
import type { Static } from 'typebox';
import type { AdapterInfo as AdapterSchema, AdapterTestResult as TestSchema, MetricsSeries as SeriesSchema } from '@breakwater/contracts';

export type { Channel, ChannelCreateBody, DeployTokenScope, Incident, IncidentDetail, Me, Node, NodeDetail, Packet, Pcap, Role, RuleBody, RuleInfo, TokenCreateBody, TokenInfo, UserInfo } from '@breakwater/contracts';
export type AdapterInfo = Static<typeof AdapterSchema>;
export type AdapterTestResult = Static<typeof TestSchema>;
export type MetricsSeries = Static<typeof SeriesSchema>;

/** Stream messages (apps/server/src/services/live). */
export type { LiveEvent, LiveFrame, LiveNode, LiveSample, NodeStatus } from '@breakwater/contracts';
