export { createLinodeProvider, LINODE_CAPABILITIES } from './linode.ts';
