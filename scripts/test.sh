#!/usr/bin/env bash
# Sets up what is missing, builds the node, and runs every test:
#   1. formatting check;
#   2. Rust tests of all crates (pallets, runtime presets), in the same profile as the node,
#      and the pallet's benchmarks against its mock runtime;
#   3. tests against the real node binary and with polkadot.js (Node's test runner);
#   4. end-to-end tests on the three real chains (tests/e2e-*.test.mjs).
# Prints how long each phase took and one closing count of all tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$CC_ROOT"

total_passed=0
total_failed=0
failed_groups=()
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT

# Adds a group's counts from its log: cargo's "test result: ... N passed; M failed;" lines and
# node's TAP "# pass N" / "# fail M" lines.
count_results() {
	local log="$1"
	total_passed=$((total_passed + $(awk '
		/^test result:/ { for (i = 2; i <= NF; i++) if ($i == "passed;") sum += $(i - 1) }
		/^# pass / { sum += $3 }
		END { print sum + 0 }' "$log")))
	total_failed=$((total_failed + $(awk '
		/^test result:/ { for (i = 2; i <= NF; i++) if ($i == "failed;") sum += $(i - 1) }
		/^# fail / { sum += $3 }
		END { print sum + 0 }' "$log")))
}

# Runs one test group, keeping its output for the count; a failing group fails the run
# at the end, after the other groups have run too.
run_group() {
	local name="$1"
	shift
	phase_begin "$name"
	local log="$logs/$(echo "$name" | tr -c 'a-zA-Z0-9' '_').log"
	if ! "$@" 2>&1 | tee "$log"; then
		failed_groups+=("$name")
	fi
	count_results "$log"
	phase_end
}

setup_and_build

run_group "format check" cargo fmt --all -- --check
run_group "rust tests (pallets, runtime)" cargo test --"$CC_PROFILE" --locked --workspace
# The benchmarks, run once each against the pallet's mock runtime, so they keep compiling and
# keep asserting what they measure.
run_group "pallet benchmarks (mock runtime)" \
	cargo test --"$CC_PROFILE" --locked -p pallet-connection-chain --features runtime-benchmarks benchmarking
# Node's test runner, one file at a time (each starts its own processes on its own ports).
shopt -s nullglob
node_tests=()
e2e_tests=()
for file in tests/*.test.mjs; do
	case "$file" in
	tests/e2e-*) e2e_tests+=("$file") ;;
	*) node_tests+=("$file") ;;
	esac
done
run_group "node and polkadot.js tests" node --test --test-concurrency=1 --test-reporter=tap "${node_tests[@]}"
run_group "end to end on the three chains" node --test --test-concurrency=1 --test-reporter=tap "${e2e_tests[@]}"

phase_summary
echo
if [ ${#failed_groups[@]} -gt 0 ]; then
	echo "Failed groups: ${failed_groups[*]}"
	echo "tests: $total_passed passed, $total_failed failed"
	exit 1
fi
echo "tests: $total_passed passed, $total_failed failed"
