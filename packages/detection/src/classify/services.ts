// The reflector services table is one vocabulary shared with mitigation (packages/contracts);
// detection adds the operator's extra services on top of it.
import { AMPLIFICATION_SERVICES } from '@breakwater/contracts/plain';
import type { AmplificationService } from '@breakwater/contracts';

export { AMPLIFICATION_SERVICES, DNS_PORT } from '@breakwater/contracts/plain';
export type { AmplificationService } from '@breakwater/contracts';

export function amplificationServices(extra: { port: number; name: string }[]): AmplificationService[] {
  const byPort = new Map(AMPLIFICATION_SERVICES.map((s) => [s.port, s]));
  for (const e of extra) byPort.set(e.port, { port: e.port, name: e.name, label: e.name });
  return [...byPort.values()];
}
