export { createCloudflareMagicTransitProvider, MAGIC_TRANSIT_CAPABILITIES } from './cloudflare-magic-transit.ts';
