export { createDigitaloceanProvider, DIGITALOCEAN_CAPABILITIES } from './digitalocean.ts';
