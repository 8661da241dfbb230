#!/usr/bin/env bash
# Measures the cost of a storage read and write in the node's ParityDb on a chain's state and
# writes runtime/src/paritydb_weights.rs (the runtime's `DbWeight`). The state must be one the
# chain really has: a `--dev` genesis holds a few dozen keys and says nothing. Measure on the
# state a burst leaves behind:
#   CC_KEEP_NETWORK=1 node scripts/bench/main.mjs --sequential 1 --throughput 20000
#   scripts/benchmark-storage.sh /tmp/cc-net-bench-XXXXXX/alice
# Writes are measured in batches of 1,000 keys (a block of about 150 observations), since the
# state root is computed once per batch: block-sized batches of 20,000 cost less per write.
# Builds the node with the benchmark subcommand first; rebuild the ordinary node afterwards
# (`scripts/build.sh`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$CC_ROOT"
state="${1:?usage: scripts/benchmark-storage.sh <base path of a connection-chain --dev node>}"
build_benchmark_node
# The write benchmark writes into the database and restores it; work on a copy.
copy="$(mktemp -d)"
trap 'rm -rf "$copy"' EXIT
cp -r "$state"/. "$copy"
"$CC_NODE_BIN" benchmark storage \
	--dev \
	--base-path "$copy" \
	--db paritydb \
	--state-version 1 \
	--batch-size 1000 \
	--mul 1.1 \
	--template-path scripts/db-weight-template.hbs \
	--weight-path runtime/src/paritydb_weights.rs
