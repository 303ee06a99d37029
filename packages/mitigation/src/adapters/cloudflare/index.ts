export { createCloudflareAdapter } from './cloudflare.ts';
