# Shared settings of the project's scripts. Source it; do not run it.
#
# One cargo target directory outside the clone is shared by developers, the scripts and CI, so
# a fresh clone rebuilds only what changed. The wasm builder then needs to be told where the
# workspace (and its Cargo.lock) is.

CC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CC_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/connection-chain/target}"
export WASM_BUILD_WORKSPACE_HINT="$CC_ROOT"
# Release builds are not incremental anyway; say so, so an inherited setting cannot slow CI.
export CARGO_INCREMENTAL=0
# The one profile for building the node and running every test.
CC_PROFILE=release
export CC_NODE_BIN="${CC_NODE_BIN:-$CARGO_TARGET_DIR/$CC_PROFILE/connection-chain-node}"

# Phase timing: `phase_begin NAME` ... `phase_end`; `phase_summary` prints them all.
CC_PHASES=()
phase_begin() {
	CC_PHASE_NAME="$1"
	CC_PHASE_START=$(date +%s)
	printf '\n==> %s\n' "$1"
}
phase_end() {
	local secs=$(($(date +%s) - CC_PHASE_START))
	CC_PHASES+=("$(printf '%-34s %4dm %02ds' "$CC_PHASE_NAME" $((secs / 60)) $((secs % 60)))")
	printf '<== %s took %dm %02ds\n' "$CC_PHASE_NAME" $((secs / 60)) $((secs % 60))
}
phase_summary() {
	printf '\nPhase times:\n'
	local line
	for line in "${CC_PHASES[@]}"; do printf '  %s\n' "$line"; done
}

# The first two phases of every entry script: install what is missing, build the node.
setup_and_build() {
	phase_begin "set-up"
	bash "$CC_ROOT/scripts/setup.sh"
	phase_end
	phase_begin "build node (release)"
	bash "$CC_ROOT/scripts/build.sh"
	phase_end
}

# Builds the node with the `benchmark` subcommand (the `runtime-benchmarks` feature) at
# $CC_NODE_BIN, for scripts/benchmark-weights.sh and scripts/benchmark-storage.sh; rebuild the
# ordinary node afterwards (`scripts/build.sh`). frame-benchmarking-cli's storage-access test
# runtime cannot find itself in this workspace's metadata (it is behind an optional feature),
# so its wasm is not built: only `benchmark storage --mode validate-block` would run it.
build_benchmark_node() {
	bash "$CC_ROOT/scripts/setup.sh"
	SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1 \
		bash "$CC_ROOT/scripts/build.sh" --features runtime-benchmarks
}
