// What a deploy token may do (plain values: the CLI reads them; see plain.ts).

/**
 * `register`: POST /api/deploy only — the token copied onto every machine being enrolled.
 * `operator`: also REST v1 with the operator role (the reference's wider use).
 */
export const DEPLOY_TOKEN_SCOPES = ['register', 'operator'] as const;
