// The local Cloudflare API v4 is outbound's (one fake for the mitigation adapter and the Cloudflare
// scrubbing types): see @breakwater/outbound/testing cloudflare-fake.ts.
export { startCloudflareFake, type CloudflareFake, type FakeCfPrefix, type FakeCfRule } from '@breakwater/outbound/testing';
