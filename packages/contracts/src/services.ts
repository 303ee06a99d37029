// UDP services abused as reflectors/amplifiers: traffic *from* these source ports that a host did
// not ask for is reflected attack traffic. The detection engine names its subtypes after them
// (`ntp_amplification`) and mitigation narrows its FlowSpec rule to their source port, so both
// read this one table. Sources: US-CERT TA14-017A, Cloudflare/Akamai/Netscout reflection advisories.
export interface AmplificationService {
  port: number;
  /** Subtype prefix: `<name>_amplification`. */
  name: string;
  label: string;
}

export const AMPLIFICATION_SERVICES: readonly AmplificationService[] = [
  { port: 17, name: 'qotd', label: 'QOTD' },
  { port: 19, name: 'chargen', label: 'CharGEN' },
  { port: 53, name: 'dns', label: 'DNS' },
  { port: 69, name: 'tftp', label: 'TFTP' },
  { port: 111, name: 'portmap', label: 'Portmapper' },
  { port: 123, name: 'ntp', label: 'NTP' },
  { port: 137, name: 'netbios', label: 'NetBIOS' },
  { port: 161, name: 'snmp', label: 'SNMP' },
  { port: 389, name: 'cldap', label: 'CLDAP' },
  { port: 427, name: 'slp', label: 'SLP' },
  { port: 520, name: 'rip', label: 'RIPv1' },
  { port: 1434, name: 'mssql', label: 'MS-SQL browser' },
  { port: 1900, name: 'ssdp', label: 'SSDP' },
  { port: 3283, name: 'arms', label: 'Apple ARMS' },
  { port: 3478, name: 'stun', label: 'STUN' },
  { port: 3702, name: 'ws_discovery', label: 'WS-Discovery' },
  { port: 5351, name: 'nat_pmp', label: 'NAT-PMP' },
  { port: 5353, name: 'mdns', label: 'mDNS' },
  { port: 5683, name: 'coap', label: 'CoAP' },
  { port: 10001, name: 'ubiquiti', label: 'Ubiquiti discovery' },
  { port: 10074, name: 'tp240', label: 'Mitel TP-240' },
  { port: 11211, name: 'memcached', label: 'memcached' },
  { port: 33848, name: 'jenkins', label: 'Jenkins discovery' },
  { port: 37810, name: 'dhdiscover', label: 'DHDiscover (DVR)' },
];

export const DNS_PORT = 53;

const AMPLIFICATION_SUFFIX = /^([a-z0-9_]+)_(?:amplification|reflection)$/;

/**
 * The reflector service an attack subtype names (`ws_discovery_amplification`, or the first
 * amplification vector of a multi-vector subtype `ntp_amplification+syn_flood`), from the
 * built-in table and any extra services configured for detection; null when it names none.
 */
export function amplificationServiceOf(subtype: string | null | undefined, extra: readonly AmplificationService[] = []): AmplificationService | null {
  if (!subtype) return null;
  for (const part of subtype.split('+')) {
    const name = AMPLIFICATION_SUFFIX.exec(part)?.[1];
    if (!name) continue;
    const found = extra.find((s) => s.name === name) ?? AMPLIFICATION_SERVICES.find((s) => s.name === name);
    if (found) return found;
  }
  return null;
}
