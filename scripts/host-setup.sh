#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine of this kind for kubelite's tests and benchmarks:
# system packages, a running dockerd, node modules and the local container images.
# Idempotent: what is already there is left alone. Needs root (or sudo) for apt-get and dockerd.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

packages=(etcd-server docker.io busybox-static haproxy wrk nginx-light iproute2 nftables prometheus)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "host-setup: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Debian's packages try to start their services through systemd; machines of this kind have none.
# Start dockerd ourselves when no daemon answers.
if ! docker info >/dev/null 2>&1; then
  echo "host-setup: starting dockerd"
  $SUDO mkdir -p /var/log/kubelite
  $SUDO sh -c 'nohup dockerd >/var/log/kubelite/dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "host-setup: dockerd did not start; see /var/log/kubelite/dockerd.log" >&2; exit 1; }
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "host-setup: npm ci"
  npm ci --no-audit --no-fund
fi

if [ -x scripts/build-images.sh ]; then
  scripts/build-images.sh
fi
