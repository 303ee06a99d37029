// Test bed for BGP speakers: namespaces joined by a veth, daemons with their configs in a temp dir.
export * from './exec.ts';
export * from './netns.ts';
export * from './daemon.ts';
export * from './bird.ts';
export * from './gobgpd.ts';
export * from './exabgp.ts';
export * from './frr.ts';
