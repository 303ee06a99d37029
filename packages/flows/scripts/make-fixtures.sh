#!/usr/bin/env bash
# Regenerates the flow fixtures: the packets of scripts/traffic.ts (IPv4/IPv6, fragments,
# VLAN, MPLS) exported by real exporters — softflowd (NetFlow v5, v9, IPFIX) reading the pcap
# offline, pmacctd (nfprobe: NetFlow v9/IPFIX; sfprobe: sFlow v5) reading it as a savefile —
# to 127.0.0.1 inside a network namespace made for the run, where tcpdump captures the UDP
# datagrams. Each protocol folder gets its captures. Run as root from anywhere:
#   packages/flows/scripts/make-fixtures.sh
# Needs softflowd pmacct tcpdump tcpreplay hping3 iproute2 (apt-get install -y …) and Node 24 on PATH.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$HERE/../src
NODE=${NODE:-node}
# shellcheck source=export-lib.sh
. "$HERE/export-lib.sh"
"$NODE" "$HERE/traffic.ts" "$TMP/traffic.pcap"

softflowd_export 5 "$SRC/netflow-v5/fixtures/softflowd-v5.pcap" "$TMP/traffic.pcap"
softflowd_export 9 "$SRC/netflow-v9/fixtures/softflowd-v9.pcap" "$TMP/traffic.pcap" -6
softflowd_export 9 "$SRC/netflow-v9/fixtures/softflowd-v9-sampled.pcap" "$TMP/traffic.pcap" -6 -s 4
softflowd_export 10 "$SRC/ipfix/fixtures/softflowd-ipfix.pcap" "$TMP/traffic.pcap" -6
softflowd_export 10 "$SRC/ipfix/fixtures/softflowd-ipfix-sampled.pcap" "$TMP/traffic.pcap" -6 -s 4 -A milli
pmacctd_export "$SRC/netflow-v9/fixtures/pmacctd-nfprobe-v9.pcap" 2055 "$TMP/traffic.pcap" "plugins: nfprobe[nf]
nfprobe_receiver[nf]: 127.0.0.1:2055
nfprobe_version[nf]: 9"
pmacctd_export "$SRC/ipfix/fixtures/pmacctd-nfprobe-ipfix.pcap" 2055 "$TMP/traffic.pcap" "plugins: nfprobe[nf]
nfprobe_receiver[nf]: 127.0.0.1:2055
nfprobe_version[nf]: 10"
pmacctd_export "$SRC/sflow-v5/fixtures/pmacctd-sfprobe.pcap" 6343 "$TMP/traffic.pcap" "plugins: sfprobe[sf]
sfprobe_receiver[sf]: 127.0.0.1:6343
sfprobe_agentip[sf]: 192.0.2.10"
pmacctd_export "$SRC/sflow-v5/fixtures/pmacctd-sfprobe-sampled.pcap" 6343 "$TMP/traffic.pcap" "sampling_rate: 4
plugins: sfprobe[sf]
sfprobe_receiver[sf]: 127.0.0.1:6343
sfprobe_agentip[sf]: 192.0.2.10"
# pmacctd 1.7.7 writes an IPv6 agent address misaligned (tshark misreads these datagrams too):
# kept as a real exporter's malformed output. IPv6 agents are tested with our own builder.
pmacctd_export "$SRC/sflow-v5/fixtures/pmacctd-sfprobe-v6agent-malformed.pcap" 6343 "$TMP/traffic.pcap" "sampling_rate: 4
plugins: sfprobe[sf]
sfprobe_receiver[sf]: 127.0.0.1:6343
sfprobe_agentip[sf]: 2001:db8::10"
# Live: pmacctd on a veth while tcpreplay (the same traffic) and hping3 (a UDP burst) send into it.
live_sfprobe_export "$SRC/sflow-v5/fixtures/pmacctd-sfprobe-live.pcap" "$TMP/traffic.pcap"
