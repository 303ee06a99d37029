// HTTP flood subtypes and the access log formats the agent reads. Plain values (no TypeBox): the
// agent reads them; see plain.ts. The wire shapes are in http-flood.ts.

/** `attack_subtype` of an `http_flood` opened from access logs or the socket table. */
export const HTTP_FLOOD_SUBTYPES = ['get_flood', 'post_flood', 'cache_busting', 'uri_hammering', 'slowloris', 'login_brute_force'] as const;
export type HttpFloodSubtype = (typeof HTTP_FLOOD_SUBTYPES)[number];

/** Access log formats the agent parses. `custom` declares its fields (no user regex). */
export const HTTP_LOG_FORMATS = ['combined', 'common', 'caddy_json', 'haproxy', 'custom'] as const;
export type HttpLogFormat = (typeof HTTP_LOG_FORMATS)[number];

/** Fields a `custom` format may declare, in the order they appear on a line. `-` skips one field. */
export const HTTP_CUSTOM_FIELDS = ['source', 'method', 'uri', 'request', 'host', 'status', 'user_agent', 'bytes', 'time', '-'] as const;
export type HttpCustomField = (typeof HTTP_CUSTOM_FIELDS)[number];
