// What the dashboard needs to set mitigation up without the API reference at hand: each adapter
// type described by its implementation (what its endpoint is, whether it takes a token, what it can
// carry, and its config as the JSON Schema the adapter validates with), and the replies of the
// adapter and allowlist writes, declared once for the server's routes and the dashboard's client.
import { Type, type Static } from 'typebox';
import { ADAPTER_TYPES, CAPABILITIES } from './mitigation.ts';
import { AllowInfo } from './mitigation-api.ts';

export const AUTH_TOKEN_USES = ['required', 'optional', 'unused'] as const;
export type AuthTokenUse = (typeof AUTH_TOKEN_USES)[number];

export const AdapterTypeInfo = Type.Object({
  adapter_type: Type.Enum([...ADAPTER_TYPES]),
  /** What the implementation can carry; an adapter's capabilities are a subset. */
  capabilities: Type.Array(Type.Enum([...CAPABILITIES])),
  endpoint: Type.String({ description: 'What the endpoint is for this type, with an example' }),
  endpoint_example: Type.String(),
  auth_token: Type.Enum([...AUTH_TOKEN_USES], { description: 'Whether the type needs auth_token, and what it is' }),
  auth_token_description: Type.String(),
  config: Type.Unknown({ description: 'JSON Schema of the config object: keys, types, defaults, bounds, allowed values' }),
});
export type AdapterTypeInfo = Static<typeof AdapterTypeInfo>;

export const AdapterDeleted = Type.Object({ id: Type.String(), deleted: Type.Boolean(), withdrawn_rules: Type.Integer() });

export const AllowListQuery = Type.Object({
  node: Type.Optional(Type.String({ maxLength: 64, description: 'Node UUID: workspace-wide entries plus this node\'s' })),
}, { additionalProperties: false });

export const AllowCreated = Type.Intersect([AllowInfo, Type.Object({ withdrawn_rules: Type.Integer({ description: 'Live rules this entry covered, withdrawn at once' }) })]);
