#!/usr/bin/env bash
# The main job: set up and build what is missing, then start on 127.0.0.1 the connection chain
# (--dev; or --validators 3 for Alice, Bob and Charlie on the local preset), the linked ledger
# and anvil; set up an exchange and run one transfer each way, printing the trail and the
# balances; then leave the network running until Ctrl-C. Ports: README, "Using the chain".
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

setup_and_build
phase_summary

cd "$CC_ROOT"
exec node scripts/start.mjs "$@"
