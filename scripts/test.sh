#!/usr/bin/env bash
# Runs every test: unit tests beside the code and the black-box suites in test/ against real etcd,
# dockerd, kubectl and HAProxy. Prepares the machine first (scripts/host-setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/host-setup.sh
npx tsc -p tsconfig.json --noEmit
npx biome check src test bench
npx vitest run "$@"
