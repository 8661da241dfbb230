#!/usr/bin/env bash
# Builds the node (with its runtime wasm) in the one profile the tests use too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$CC_ROOT"
cargo build --"$CC_PROFILE" --locked -p connection-chain-node "$@"
echo "Node binary: $CC_NODE_BIN"
