import { firewallExecutorContract } from '../firewall/firewall-executor.contract.ts';
import { RecordingFirewall } from './recording-firewall.ts';

firewallExecutorContract('recording firewall', async (fn) => {
  const fw = new RecordingFirewall();
  await fn({ make: () => fw, listing: async () => fw.listing() });
});
