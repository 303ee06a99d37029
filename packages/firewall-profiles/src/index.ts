export { PROFILES, getProfile, profileRules } from './profiles.ts';
export { RULE_PARSERS, RuleSetError, RuleParseError, checkRules, type CheckedRule } from './parsers.ts';
export type { ParsedRule, RuleParser } from './parse/rule-parser.ts';
export { FIREWALLD_ZONE } from './parse/firewalld.ts';
export { renderProfile, renderText, iptablesChainLines, type RenderInput, type RenderedProfile, type ManagementPeer } from './render.ts';
