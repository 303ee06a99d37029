#!/usr/bin/env bash
# Builds the release tarball an operator installs without a system Node:
#   dist/breakwater-VERSION-linux-ARCH.tar.gz (+ .sha256), unpacking to breakwater/ with
#   runtime/bin/node     the Node.js this release was built and tested with (pinned: see RELEASE)
#   bin/breakwater       the command (uses runtime/bin/node)
#   apps/, packages/     the sources Node runs (tests, benches and fixtures left out)
#   apps/web/dist/       the dashboard, built
#   node_modules/        production dependencies only (npm ci --omit=dev, from package-lock.json)
#   deploy/              systemd units, the agent install script, Docker files
# Usage: deploy/release/make-release.sh [OUT_DIR]   (default ./dist; run after ./bw setup)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/dist}" && cd "${1:-$ROOT/dist}" && pwd)
NODE=${BREAKWATER_RELEASE_NODE:-}
if [ -z "$NODE" ]; then
  for n in "$ROOT/.runtime/node_modules/node/bin/node" "$(command -v node || true)"; do
    if [ -n "$n" ] && [ -x "$n" ] && [ "$("$n" -p 'process.versions.node.split(".")[0]')" -ge 24 ]; then NODE=$n; break; fi
  done
fi
[ -n "$NODE" ] || { echo "make-release: no Node.js >= 24 (run ./bw setup, or set BREAKWATER_RELEASE_NODE)" >&2; exit 1; }
NODE=$(readlink -f "$NODE")
[ -f "$ROOT/apps/web/dist/index.html" ] || { echo "make-release: the dashboard is not built (run ./bw setup)" >&2; exit 1; }
version=$("$NODE" -p "require('$ROOT/package.json').version")
case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
name="breakwater-$version-linux-$arch"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/breakwater"
mkdir -p "$stage"

# The committed tree at HEAD (never a developer's stray or half-done files), minus what only tests
# and benches use.
git -C "$ROOT" archive --format=tar HEAD | tar -x -C "$stage"
rm -rf "$stage/bench" "$stage/.ci" "$stage/.github" "$stage/apps/web/src" "$stage/apps/web/public" "$stage/apps/web/test"
find "$stage" \( -name '*.test.ts' -o -name '.eslint*' \) -type f -delete
find "$stage" -depth -type d \( -name test -o -name fixtures -o -name testdata \) -exec rm -rf {} +
mkdir -p "$stage/apps/web"
cp -r "$ROOT/apps/web/dist" "$stage/apps/web/dist"

# Production dependencies, exactly as the lock file has them; no install scripts (see bw).
(cd "$stage" && npm ci --omit=dev --ignore-scripts --prefer-offline --loglevel=error --no-fund --no-audit >&2)

mkdir -p "$stage/runtime/bin"
cp "$NODE" "$stage/runtime/bin/node"
node_version=$("$stage/runtime/bin/node" --version)
cat > "$stage/RELEASE" <<INFO
breakwater $version
node $node_version (runtime/bin/node)
built $(date -u +%Y-%m-%dT%H:%M:%SZ) from $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
INFO

# BREAKWATER_RELEASE_GZIP=1..9 trades size for time (the tests use 1).
tar -C "$work" -cf - breakwater | gzip "-${BREAKWATER_RELEASE_GZIP:-6}" > "$OUT/$name.tar.gz"
(cd "$OUT" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "$OUT/$name.tar.gz"
