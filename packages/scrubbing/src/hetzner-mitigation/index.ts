export { createHetznerMitigationProvider, HETZNER_CAPABILITIES } from './hetzner-mitigation.ts';
