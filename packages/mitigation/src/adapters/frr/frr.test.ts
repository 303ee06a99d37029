// The frr adapter against a real FRR bgpd, seen by a real BIRD upstream.
import { describeAdapterContract } from '../../testing/contract.ts';
import { frrHarness } from '../../testing/frr-harness.ts';

describeAdapterContract(frrHarness());
