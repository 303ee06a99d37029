// Test kit for scrubbing providers: the shared contract suite and the base of provider fakes.
export * from './contract.ts';
export * from './fake-server.ts';
// Each provider's fake, for the server's tests (they may not reach into this package's src/).
export { startCloudflareFake, type CloudflareFake } from '@breakwater/outbound/testing';
export { startOvhFake, type OvhFake } from '../ovh-mitigation/testing/ovh-fake.ts';
export { startRobotFake, type RobotFake } from '../hetzner-mitigation/testing/robot-fake.ts';
