#!/usr/bin/env bash
# scripts/bench.sh [runs] — the auth benchmark: starts a Kratos of its own on free ports (native
# build, a throwaway SQLite), runs examples/auth_bench.rs against it, prints the table, stops Kratos.
# Figures only; nothing is asserted.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

scripts/kratos.sh build
DATA="$(mktemp -d)"
export KRATOS_DATA_DIR="$DATA" KRATOS_PUBLIC_PORT="${KRATOS_PUBLIC_PORT:-44433}" KRATOS_ADMIN_PORT="${KRATOS_ADMIN_PORT:-44434}"
export KRATOS_PUBLIC_HOST=127.0.0.1 KRATOS_HOST_IP=127.0.0.1
trap 'scripts/kratos.sh stop >/dev/null 2>&1 || true; rm -rf "$DATA"' EXIT
scripts/kratos.sh serve
step "cargo run --example auth_bench (dev profile; deps at opt-level 1)"
KRATOS_URL="http://127.0.0.1:$KRATOS_PUBLIC_PORT" cargo run -q --example auth_bench -- "${1:-30}"
