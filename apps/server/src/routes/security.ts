// OpenAPI security requirements per family of routes.
type Requirement = Record<string, string[]>[];
export const API_SECURITY: Requirement = [{ bearer: [] }, { session: [] }];
export const NODE_SECURITY: Requirement = [{ nodeKey: [] }];
export const DEPLOY_SECURITY: Requirement = [{ bearer: [] }];
export const SESSION_SECURITY: Requirement = [{ session: [] }];
