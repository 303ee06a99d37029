#!/usr/bin/env bash
# Records the bench's datagrams once: bench/flows/traffic.ts exported by softflowd (NetFlow v9,
# IPFIX) and pmacctd's sfprobe (sFlow v5, 1:1), captured by tcpdump in a namespace made for the run.
#   bench/flows/record.sh OUT_DIR [packets = 100000]      (root; softflowd pmacct tcpdump)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$1
COUNT=${2:-100000}
NODE=${NODE:-node}
mkdir -p "$OUT"
# shellcheck source=../../packages/flows/scripts/export-lib.sh
. "$HERE/../../packages/flows/scripts/export-lib.sh"
"$NODE" "$HERE/traffic.ts" "$TMP/traffic.pcap" "$COUNT"
softflowd_export 9 "$OUT/netflow-v9.pcap" "$TMP/traffic.pcap" -m $((COUNT * 2))
softflowd_export 10 "$OUT/ipfix.pcap" "$TMP/traffic.pcap" -m $((COUNT * 2))
pmacctd_export "$OUT/sflow-v5.pcap" 6343 "$TMP/traffic.pcap" "plugins: sfprobe[sf]
sfprobe_receiver[sf]: 127.0.0.1:6343
sfprobe_agentip[sf]: 192.0.2.10"
