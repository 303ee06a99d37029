# Shared by make-fixtures.sh and bench/flows/record.sh: real exporters in a namespace made for
# the run, exporting to 127.0.0.1 there, where tcpdump captures the UDP datagrams.
# Source it, then: softflowd_export VERSION OUT TRAFFIC [flags…]; pmacctd_export OUT PORT TRAFFIC CONFIG.
# Needs root, softflowd, pmacct, tcpdump, iproute2.
NS=bwfd-$$
TMP=$(mktemp -d)
TD=
SINK=
ATK_NS=

cleanup() {
  [ -n "$ATK_NS" ] && ip netns del "$ATK_NS" 2>/dev/null || true
  [ -n "$TD" ] && kill "$TD" 2>/dev/null || true
  [ -n "$SINK" ] && kill "$SINK" 2>/dev/null || true
  wait 2>/dev/null || true
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$NS"
ip -n "$NS" link set lo up
N() { ip netns exec "$NS" "$@"; }

# capture OUT PORT: starts tcpdump on the namespace's loopback; stop_capture ends it.
capture() {
  rm -f "$TMP/cap.pcap"
  ip netns exec "$NS" tcpdump -i lo --immediate-mode -B 131072 -U -w "$TMP/cap.pcap" "udp dst port $2" 2>/dev/null &
  TD=$!
  CAP_OUT=$1
  # A listener, so exporters' sends are not refused (ICMP port unreachable) on a long export.
  ip netns exec "$NS" python3 -c "import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.1',int(sys.argv[1])))
while True: s.recv(65535)" "$2" &
  SINK=$!
  for _ in $(seq 200); do [ -s "$TMP/cap.pcap" ] && break; sleep 0.05; done
}
stop_capture() {
  # Wait until the capture file stops growing: tcpdump writes each packet as it comes.
  local last=-1 size
  for _ in $(seq 40); do
    size=$(stat -c %s "$TMP/cap.pcap")
    [ "$size" = "$last" ] && break
    last=$size
    sleep 0.1
  done
  kill -INT "$TD"
  wait "$TD" 2>/dev/null || true
  kill "$SINK" 2>/dev/null || true
  wait "$SINK" 2>/dev/null || true
  TD=
  cp "$TMP/cap.pcap" "$CAP_OUT"
  echo "$(basename "$CAP_OUT"): $(stat -c %s "$CAP_OUT") bytes"
}

# softflowd VERSION OUT [flags…]: offline run over the traffic, exported at shutdown.
softflowd_export() {
  local version=$1 out=$2 traffic=$3
  shift 3
  capture "$out" 2055
  N softflowd -d -a -r "$traffic" -v "$version" -n 127.0.0.1:2055 -c "$TMP/sf.ctl" -p "$TMP/sf.pid" "$@" >"$TMP/sf.log" 2>&1 &
  local pid=$!
  for _ in $(seq 200); do [ -S "$TMP/sf.ctl" ] && break; sleep 0.05; done
  softflowctl -c "$TMP/sf.ctl" statistics >/dev/null
  softflowctl -c "$TMP/sf.ctl" shutdown >/dev/null
  wait "$pid"
  stop_capture
}

# pmacctd OUT PORT CONFIG-LINES: one pass over the traffic as a savefile.
pmacctd_export() {
  local out=$1 port=$2 traffic=$3 conf=$4
  capture "$out" "$port"
  # pcap_savefile_wait keeps pmacctd up at the end of the file, so its plugin sends everything
  # before the SIGINT that stop_capture's wait for a quiet capture leads to.
  printf 'daemonize: false\npcap_savefile: %s\npcap_savefile_wait: true\n%s\n' "$traffic" "$conf" >"$TMP/pm.conf"
  ip netns exec "$NS" timeout 30 pmacctd -f "$TMP/pm.conf" >"$TMP/pm.log" 2>&1 &
  local pid=$!
  # pmacctd sleeps 2 s before reading a savefile; then wait for the datagrams to stop coming.
  for _ in $(seq 100); do [ "$(stat -c %s "$TMP/cap.pcap")" -gt 24 ] && break; sleep 0.1; done
  local last=-1 size
  for _ in $(seq 50); do
    size=$(stat -c %s "$TMP/cap.pcap")
    [ "$size" = "$last" ] && break
    last=$size
    sleep 0.5
  done
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  stop_capture
}


# live_sfprobe_export OUT TRAFFIC: pmacctd's sfprobe (1:10) on a veth inside the namespace while
# tcpreplay sends TRAFFIC and hping3 a bounded UDP burst into it from a second namespace.
live_sfprobe_export() {
  local out=$1 traffic=$2 atk="${NS}-a" va="bwfa$$" vv="bwfv$$"
  ip netns add "$atk"
  ATK_NS=$atk
  ip link add "$va" type veth peer name "$vv"
  ip link set "$va" netns "$atk"
  ip link set "$vv" netns "$NS"
  ip -n "$atk" addr add 10.200.0.1/24 dev "$va"
  ip -n "$NS" addr add 10.200.0.5/24 dev "$vv"
  ip -n "$atk" link set "$va" up
  ip -n "$NS" link set "$vv" up
  capture "$out" 6343
  printf 'daemonize: false\npcap_interface: %s\nsampling_rate: 10\nplugins: sfprobe[sf]\nsfprobe_receiver[sf]: 127.0.0.1:6343\nsfprobe_agentip[sf]: 10.200.0.5\n' "$vv" >"$TMP/pm-live.conf"
  ip netns exec "$NS" timeout 60 pmacctd -f "$TMP/pm-live.conf" >"$TMP/pm-live.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do grep -q 'Exporting flows' "$TMP/pm-live.log" 2>/dev/null && break; sleep 0.1; done
  ip netns exec "$atk" tcpreplay -q -i "$va" --pps=2000 "$traffic" >/dev/null 2>&1
  ip netns exec "$atk" timeout -s INT 10 hping3 --udp -p 53 -d 64 -c 3000 -i u300 10.200.0.5 >/dev/null 2>&1 || true
  local last=-1 size
  for _ in $(seq 50); do
    size=$(stat -c %s "$TMP/cap.pcap")
    [ "$size" = "$last" ] && break
    last=$size
    sleep 0.5
  done
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  stop_capture
  ip netns del "$atk"
  ATK_NS=
}
