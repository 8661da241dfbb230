#!/usr/bin/env bash
# The main job: set up and build what is missing, then run the connection chain's development
# node (Alice, 2 s blocks) on 127.0.0.1, with JSON-RPC (HTTP and WebSocket) on 9944 and
# Prometheus on 9615. Ctrl-C stops it. Extra arguments go to the node, e.g.
#   scripts/start.sh --base-path /tmp/cc-dev      (keep the chain across restarts)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

CC_RPC_PORT="${CC_RPC_PORT:-9944}"
CC_PROMETHEUS_PORT="${CC_PROMETHEUS_PORT:-9615}"
CC_P2P_PORT="${CC_P2P_PORT:-30333}"

phase_begin "set-up"
bash "$CC_ROOT/scripts/setup.sh"
phase_end

phase_begin "build"
bash "$CC_ROOT/scripts/build.sh"
phase_end
phase_summary

cat <<EOT

Starting the connection chain (--dev). Connect polkadot.js apps or any @polkadot/api client to
  ws://127.0.0.1:${CC_RPC_PORT}
Prometheus metrics: http://127.0.0.1:${CC_PROMETHEUS_PORT}/metrics
Press Ctrl-C to stop.

EOT
exec "$CC_NODE_BIN" --dev \
	--rpc-port "$CC_RPC_PORT" \
	--prometheus-port "$CC_PROMETHEUS_PORT" \
	--listen-addr /ip4/127.0.0.1/tcp/"$CC_P2P_PORT" \
	--no-mdns \
	--no-telemetry \
	"$@"
