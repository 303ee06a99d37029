// The access log formats the agent reads, one parser factory per kind declared in contracts.
import type { HttpLogFormat } from '@breakwater/contracts';
import { caddyJsonParser } from './caddy-json.ts';
import { combinedParser } from './combined.ts';
import { customParser } from './custom.ts';
import { haproxyParser } from './haproxy.ts';
import type { LogParserFactory } from './log-parser.ts';

export const LOG_PARSERS: Record<HttpLogFormat, LogParserFactory> = {
  combined: combinedParser,
  // The same line, ending after the bytes: the combined parser leaves the user agent empty.
  common: combinedParser,
  caddy_json: caddyJsonParser,
  haproxy: haproxyParser,
  custom: customParser,
};
export type { CustomFormat, LogLineParser } from './log-parser.ts';
