// LINKTYPE_* values as stored in pcap/pcapng files (tcpdump.org/linktypes.html).
export const Linktype = {
  null: 0,
  ethernet: 1,
  /** DLT_RAW as some platforms wrote it into files before LINKTYPE_RAW existed. */
  rawAlt12: 12,
  rawAlt14: 14,
  raw: 101,
  loop: 108,
  linuxSll: 113,
  ipv4: 228,
  ipv6: 229,
  linuxSll2: 276,
} as const;

export const SUPPORTED_LINKTYPES: readonly number[] = Object.values(Linktype);

export function isSupportedLinktype(linktype: number): boolean {
  return SUPPORTED_LINKTYPES.includes(linktype);
}
