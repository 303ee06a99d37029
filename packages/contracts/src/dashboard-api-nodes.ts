// The nodes page's calls (list with search, tag filter and sort; rename, tags and thresholds),
// part of DASHBOARD_API: kept in their own table so the pages that share that file each add theirs
// without touching the others'.
import { Ok, OkPage } from './common.ts';
import { Node, NodeDetail, NodeListQuery, NodeUpdateBody } from './nodes.ts';

export const DASHBOARD_NODES_API = {
  'GET /api/v1/nodes': { status: 200, query: NodeListQuery, reply: OkPage(Node) },
  'PATCH /api/v1/nodes/:id': { status: 200, body: NodeUpdateBody, reply: Ok(NodeDetail) },
};
