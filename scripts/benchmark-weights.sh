#!/usr/bin/env bash
# Regenerates pallets/connection-chain/src/weights.rs: builds the node with the benchmark
# subcommand (the `runtime-benchmarks` feature) and runs every benchmark of the pallet on the
# development chain's runtime. Afterwards rebuild the ordinary node (`scripts/build.sh`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$CC_ROOT"
build_benchmark_node
"$CC_NODE_BIN" benchmark pallet \
	--chain dev \
	--pallet pallet_connection_chain \
	--extrinsic '*' \
	--steps "${CC_BENCH_STEPS:-50}" \
	--repeat "${CC_BENCH_REPEAT:-20}" \
	--template scripts/frame-weight-template.hbs \
	--output pallets/connection-chain/src/weights.rs
