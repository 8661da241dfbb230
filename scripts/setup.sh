#!/usr/bin/env bash
# Installs what a brand-new machine lacks to build and test the project, and nothing twice:
#   - protoc (protobuf-compiler), run by the networking crates' build scripts, and the C/C++
#     toolchain pieces that vendored OpenSSL and Binaryen need;
#   - the wasm32v1-none Rust target, for the runtime's wasm build;
#   - the npm packages of the end-to-end tests, from the committed package-lock.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

declare -A package_providing=([protoc]=protobuf-compiler [make]=make [perl]=perl [g++]=g++ [cc]=gcc)
missing_packages=()
for tool in "${!package_providing[@]}"; do
	command -v "$tool" >/dev/null || missing_packages+=("${package_providing[$tool]}")
done
if [ ${#missing_packages[@]} -gt 0 ]; then
	echo "Installing system packages: ${missing_packages[*]}"
	as_root apt-get update -qq
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing_packages[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32v1-none; then
	echo "Adding the wasm32v1-none Rust target"
	rustup target add wasm32v1-none
fi

cd "$CC_ROOT"
# Reinstall the npm packages only when package-lock.json changed since the last install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.cc-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
	echo "Installing npm packages from package-lock.json"
	npm ci --no-audit --no-fund --loglevel=error
	echo "$lock_hash" >node_modules/.cc-lock-hash
fi

echo "Set-up complete: protoc $(protoc --version | cut -d' ' -f2), $(rustc --version | cut -d' ' -f1-2), node $(node --version)"
