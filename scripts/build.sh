#!/usr/bin/env bash
# Builds the node (with its runtime wasm) in the one profile the tests use too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$CC_ROOT"

# Cargo names a workspace crate's artifacts by the crate's path inside the workspace, not by the
# clone it is in, and judges them fresh by modification time. After another clone built into the
# shared target directory, this clone's sources, if older than that build, would look built and
# the other clone's code would run (seen: a runtime without this clone's pallet changes). A build
# from another clone than the last one therefore makes this clone's crate sources newer first;
# only the workspace's own crates rebuild.
built_from="$CARGO_TARGET_DIR/.cc-built-from"
if [ -f "$built_from" ] && [ "$(cat "$built_from")" != "$CC_ROOT" ]; then
	echo "The last build here was from $(cat "$built_from"): rebuilding this clone's crates"
	find Cargo.toml node runtime pallets \( -name '*.rs' -o -name Cargo.toml \) -exec touch {} +
fi
mkdir -p "$CARGO_TARGET_DIR"
echo "$CC_ROOT" >"$built_from"

cargo build --"$CC_PROFILE" --locked -p connection-chain-node "$@"
echo "Node binary: $CC_NODE_BIN"
