#!/usr/bin/env bash
# Benchmarks of the exchange on this machine, printed as figures (none is a pass/fail test):
#   1. block capacity: how many transfer requests and worker reports fit in a connection-chain
#      block, and which limit binds (runtime weights from the pallet's benchmarks);
#   2. on the local three-chain network: latency of sequential transfers each way (median and
#      p95 against the floor of the chains' block times and confirmations, split by step),
#      throughput of transfers submitted at once (each opened by its deposit) against plain
#      transfers on both linked chains, whether the exchange keeps up with deposits offered
#      for 150 s at 0.5 and 0.6 of that plain rate, and the workers' JSON-RPC calls per
#      transfer.
# Extra arguments go to scripts/bench/main.mjs, e.g. `--sequential 10 --throughput 200,500
# --sustained 0.3` (defaults: 50 each way; 1,000, 10,000 and 20,000 at once; 0.5 and 0.6 for 150 s).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$CC_ROOT"

setup_and_build

phase_begin "block capacity"
cargo test --"$CC_PROFILE" --locked -p connection-chain-runtime --test block_capacity -- --nocapture 2>&1 |
	grep -E '^(normal-class|requestTransfer|report)'
phase_end

phase_begin "the exchange on the three chains"
node scripts/bench/main.mjs "$@"
phase_end

phase_summary
