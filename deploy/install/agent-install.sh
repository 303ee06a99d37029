#!/bin/sh
# Breakwater agent installer (POSIX sh), rendered by the server for one host:
#   GET /api/agents/install-script?key=<single-use enrolment key>   (the install one-liner), or
#   POST /api/agents/deploy                                         (run over SSH by the server).
# It downloads the agent (and Node 24 when this host has no Node >= 24) from the server, checks
# each file's sha256 before unpacking, writes the agent config (0600) and the systemd unit,
# enrols this host and starts the agent: with systemctl when systemd runs, otherwise directly
# (detached, logging to /var/log/breakwater/agent.log, pid in /run/breakwater-agent.pid).
# Environment: BREAKWATER_INTERFACE picks the interface to watch (default: the default route's);
# BREAKWATER_FORCE=1 enrols again over an existing /etc/breakwater/agent.json.
set -eu

BW_SERVER=__SERVER__
BW_TICKET=__TICKET__
BW_LOCAL_DIR=__LOCAL_DIR__
AGENT_SHA256=__AGENT_SHA256__
RUNTIME_SHA256=__RUNTIME_SHA256__
NODE_MAJOR=__NODE_MAJOR__
BW_INTERFACE=${BREAKWATER_INTERFACE:-__INTERFACE__}

PREFIX=/opt/breakwater
CONF_DIR=/etc/breakwater
CONF=$CONF_DIR/agent.json
UNIT=/etc/systemd/system/breakwater-agent.service
LOG_DIR=/var/log/breakwater
PID_FILE=/run/breakwater-agent.pid

step() { printf '@@bw step %s\n' "$1"; }
die() { printf 'breakwater install: %s\n' "$1" >&2; printf '@@bw fail %s\n' "$1"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (the agent captures packets and manages nftables)"
for tool in tar gzip sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing on this host"
done
if [ -f "$CONF" ] && [ "${BREAKWATER_FORCE:-}" != 1 ]; then
  die "$CONF exists: this host is already enrolled (BREAKWATER_FORCE=1 enrols it again as a new agent)"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
umask 077

fetch() { # URL OUT
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --proto '=http,https' --max-time 600 -H "X-Install-Ticket: $BW_TICKET" -o "$2" "$1" || die "download of $1 failed"
  elif command -v wget >/dev/null 2>&1; then
    wget -q -T 600 --header="X-Install-Ticket: $BW_TICKET" -O "$2" "$1" || die "download of $1 failed"
  else
    die "curl or wget is needed to download the agent"
  fi
}

verify() { # SHA256 FILE
  printf '%s  %s\n' "$1" "$2" | sha256sum -c - >/dev/null 2>&1 || die "$(basename "$2"): sha256 does not match what the server announced; not unpacking it"
}

get_part() { # NAME SHA256 OUT
  if [ -n "$BW_LOCAL_DIR" ]; then
    [ -f "$BW_LOCAL_DIR/$1.tar.gz" ] || die "$1.tar.gz was not uploaded"
    cp "$BW_LOCAL_DIR/$1.tar.gz" "$3"
  else
    fetch "$BW_SERVER/api/agents/install-bundle/$1" "$3"
  fi
  verify "$2" "$3"
}

# --- download and unpack
step upload
get_part agent "$AGENT_SHA256" "$TMP/agent.tar.gz"
NODE=
if command -v node >/dev/null 2>&1; then
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -ge "$NODE_MAJOR" ] 2>/dev/null; then NODE=$(command -v node); fi
fi
if [ -z "$NODE" ]; then
  get_part runtime "$RUNTIME_SHA256" "$TMP/runtime.tar.gz"
fi

step install
mkdir -p "$PREFIX"
tar -xzf "$TMP/agent.tar.gz" -C "$PREFIX" || die "unpacking the agent failed"
if [ -z "$NODE" ]; then
  tar -xzf "$TMP/runtime.tar.gz" -C "$PREFIX" || die "unpacking Node failed"
  NODE=$PREFIX/.runtime/node_modules/node/bin/node
fi
"$NODE" -e 'process.exit(0)' || die "$NODE does not run on this host"
for tool in tcpdump nft; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends tcpdump nftables >/dev/null || die "installing tcpdump and nftables failed"
    else
      printf 'breakwater install: warning: %s is missing; install it for packet capture and firewall rules\n' "$tool" >&2
    fi
  fi
done

# --- enrol: the config comes from the server (uploaded by an SSH deploy, or fetched with the ticket)
step enrol
mkdir -p -m 700 "$CONF_DIR"
if [ -n "$BW_LOCAL_DIR" ]; then
  [ -f "$BW_LOCAL_DIR/agent.json" ] || die "agent.json was not uploaded"
  cp "$BW_LOCAL_DIR/agent.json" "$TMP/agent.json"
else
  if [ -z "$BW_INTERFACE" ]; then
    BW_INTERFACE=$(ip route show default 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "dev") { print $(i + 1); exit }}')
  fi
  if [ -z "$BW_INTERFACE" ]; then
    BW_INTERFACE=$(ip -o link show 2>/dev/null | awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2; exit }')
  fi
  [ -n "$BW_INTERFACE" ] || die "no network interface found; set BREAKWATER_INTERFACE"
  ADDR=$(ip -o -4 addr show dev "$BW_INTERFACE" 2>/dev/null | awk '{ split($4, a, "/"); print a[1]; exit }')
  OS=$( (. /etc/os-release 2>/dev/null && printf '%s' "${PRETTY_NAME:-}") || true)
  # JSON strings: backslashes and quotes escaped, control characters dropped.
  js() { printf '%s' "$1" | tr -d '\000-\037' | sed 's/\\/\\\\/g; s/"/\\"/g'; }
  {
    printf '{"hostname":"%s","interface":"%s"' "$(js "$(hostname)")" "$(js "$BW_INTERFACE")"
    [ -z "$ADDR" ] || printf ',"ip":"%s"' "$(js "$ADDR")"
    [ -z "$OS" ] || printf ',"os":"%s"' "$(js "$OS")"
    printf '}\n'
  } > "$TMP/enrol.json"
  if command -v curl >/dev/null 2>&1; then
    curl -sS --proto '=http,https' --max-time 60 -H "X-Install-Ticket: $BW_TICKET" -H 'content-type: application/json' \
      --data-binary @"$TMP/enrol.json" -o "$TMP/agent.json" -w '%{http_code}' "$BW_SERVER/api/agents/enrol" > "$TMP/status" || die "enrolment request failed"
  else
    wget -q -T 60 --header="X-Install-Ticket: $BW_TICKET" --header='content-type: application/json' \
      --post-file="$TMP/enrol.json" -O "$TMP/agent.json" "$BW_SERVER/api/agents/enrol" || die "enrolment refused"
    echo 200 > "$TMP/status"
  fi
  [ "$(cat "$TMP/status")" = 200 ] || die "enrolment refused: $(cat "$TMP/agent.json")"
fi
install -m 600 "$TMP/agent.json" "$CONF"

# --- the systemd unit (written in any case), then start
step start
mkdir -p "$(dirname "$UNIT")" "$LOG_DIR"
sed "s#^ExecStart=.*#ExecStart=$NODE $PREFIX/bin/breakwater.mjs agent run --config $CONF#" \
  "$PREFIX/deploy/systemd/breakwater-agent.service" > "$TMP/unit"
install -m 644 "$TMP/unit" "$UNIT"
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  # The unit runs the agent as the dedicated user "breakwater" with only CAP_NET_ADMIN and CAP_NET_RAW.
  id -u breakwater >/dev/null 2>&1 || useradd --system --home-dir /var/lib/breakwater --no-create-home --shell /usr/sbin/nologin breakwater \
    || die "could not create the user breakwater"
  chown breakwater:breakwater "$CONF"
  systemctl daemon-reload
  systemctl enable breakwater-agent >/dev/null 2>&1
  systemctl restart breakwater-agent || die "systemctl could not start breakwater-agent"
else
  # No systemd here (a container or chroot): the agent runs detached, its output in $LOG_DIR.
  if [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then kill "$(cat "$PID_FILE")" || true; fi
  mkdir -p /var/lib/breakwater
  if command -v setsid >/dev/null 2>&1; then DETACH=setsid; else DETACH=nohup; fi
  NODE_COMPILE_CACHE=/var/lib/breakwater/compile-cache $DETACH "$NODE" "$PREFIX/bin/breakwater.mjs" agent run --config "$CONF" \
    </dev/null >>"$LOG_DIR/agent.log" 2>&1 &
  echo $! > "$PID_FILE"
  sleep 1
  kill -0 "$(cat "$PID_FILE")" 2>/dev/null || die "the agent exited at once: $(tail -n 5 "$LOG_DIR/agent.log")"
fi
step done
printf 'breakwater agent installed and started (%s)\n' "$(sed -n 's/.*"node_uuid": *"\([0-9a-f-]*\)".*/\1/p' "$CONF")"
