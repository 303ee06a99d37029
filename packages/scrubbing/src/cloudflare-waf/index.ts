export { createCloudflareWafProvider, CLOUDFLARE_WAF_CAPABILITIES } from './cloudflare-waf.ts';
