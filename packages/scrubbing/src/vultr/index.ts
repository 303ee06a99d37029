export { createVultrProvider, VULTR_CAPABILITIES } from './vultr.ts';
