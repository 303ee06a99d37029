export { createOvhMitigationProvider, OVH_CAPABILITIES } from './ovh-mitigation.ts';
export { ovhSignature } from './ovh-api.ts';
