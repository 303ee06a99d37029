// The gobgp adapter against a real gobgpd, seen by a real BIRD upstream and a second gobgpd
// (the contract suite checks every rule at both peers).
import { describeAdapterContract } from '../../testing/contract.ts';
import { gobgpHarness } from '../../testing/gobgp-harness.ts';

describeAdapterContract(gobgpHarness());
