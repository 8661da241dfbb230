#!/usr/bin/env bash
# The main job: set up and build what is missing, then start on 127.0.0.1 the connection chain
# (--dev; or --validators 3 for Alice, Bob and Charlie on the local preset), the linked ledger
# and anvil; set up an exchange and run one transfer each way, printing the trail and the
# balances; then leave the network running until Ctrl-C. Ports: see README ("Running it").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

phase_begin "set-up"
bash "$CC_ROOT/scripts/setup.sh"
phase_end

phase_begin "build"
bash "$CC_ROOT/scripts/build.sh"
phase_end
phase_summary

cd "$CC_ROOT"
exec node scripts/start.mjs "$@"
