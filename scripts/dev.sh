#!/usr/bin/env bash
# scripts/dev.sh — start the app: a real Ory Kratos v1.3.1, then the desktop app against it.
#
# Kratos comes from Docker (docker/compose.yml) when a Docker engine answers (`docker info`), else from
# the native build (scripts/kratos.sh build + serve; the first build takes a few minutes). It prints the
# URL a phone on the same network should use, runs `cargo run` (a debug build: much quicker to build than the LTO release profile) with KRATOS_URL pointing at
# Kratos on this machine, and stops Kratos again when the app exits (unless it was already running).
#
# Environment (optional): KRATOS_HOST_IP (the LAN address; detected), KRATOS_PUBLIC_PORT and
# KRATOS_ADMIN_PORT (native only; docker uses 4433/4434), DEV_KRATOS=docker|native (force one),
# and any argument is passed on to the app: scripts/dev.sh -- --some-app-flag.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

[ "${1:-}" = "--" ] && shift

HOST_IP="${KRATOS_HOST_IP:-$(lan_ip)}"
export KRATOS_HOST_IP="$HOST_IP"
PUBLIC_PORT="${KRATOS_PUBLIC_PORT:-4433}"

step "checking the Rust toolchain and the desktop libraries"
command -v cargo >/dev/null 2>&1 ||
	die "checking for cargo" "install Rust with rustup, then open a new shell"
if [ "$(uname -s)" = Linux ] && ! pkg-config --exists webkit2gtk-4.1 2>/dev/null; then
	die "checking for WebKitGTK 4.1 (the desktop window)" \
		"apt-get install -y libwebkit2gtk-4.1-dev libxdo-dev libssl-dev pkg-config"
fi

mode="${DEV_KRATOS:-}"
if [ -z "$mode" ]; then
	step "looking for a Docker engine (docker info)"
	if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
		mode=docker
	else
		mode=native
		note "no Docker engine answers: using the native Kratos build (scripts/kratos.sh)"
	fi
fi

stop_kratos=""
cleanup() {
	local rc=$?
	if [ -n "$stop_kratos" ]; then
		step "the app exited: stopping Kratos"
		eval "$stop_kratos" || true
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_ready() {
	local url="http://127.0.0.1:$1/health/ready" deadline=$((SECONDS + 90))
	step "waiting for $url"
	until curl -fsS --max-time 2 -o /dev/null "$url" 2>/dev/null; do
		[ "$SECONDS" -lt "$deadline" ] ||
			die "waiting for Kratos to be ready" "look at: docker compose -f docker/compose.yml logs kratos kratos-migrate"
		sleep 1
	done
}

case "$mode" in
docker)
	PUBLIC_PORT=4433
	run_step "starting Kratos with Docker (docker compose -f docker/compose.yml up -d: pulls images the first time)" \
		"look at 'docker compose -f docker/compose.yml logs'; a port in use means another Kratos runs (scripts/kratos.sh stop)" \
		docker compose -f docker/compose.yml up -d
	stop_kratos="docker compose -f docker/compose.yml stop"
	wait_ready "$PUBLIC_PORT"
	note "mail catcher (verification and recovery codes): http://127.0.0.1:8025"
	;;
native)
	scripts/kratos.sh build
	if scripts/kratos.sh status >/dev/null 2>&1; then
		note "Kratos is already running (scripts/kratos.sh status): using it, and leaving it running"
	else
		scripts/kratos.sh serve
		stop_kratos="scripts/kratos.sh stop"
	fi
	note "verification and recovery codes: GET http://127.0.0.1:${KRATOS_ADMIN_PORT:-4434}/admin/courier/messages?recipient=<email>"
	;;
*) die "reading DEV_KRATOS='$mode'" "use DEV_KRATOS=docker or DEV_KRATOS=native" ;;
esac

cat <<EOF

  Kratos is up.
    this machine:                http://127.0.0.1:$PUBLIC_PORT
    a phone on the same network: http://$HOST_IP:$PUBLIC_PORT
  On the phone, use that second URL as the app's Kratos URL (see README, "On a phone"). The phone must be
  on the same Wi-Fi/LAN (no guest isolation), and this machine's firewall must let TCP $PUBLIC_PORT in.
EOF
if [ "$HOST_IP" = 127.0.0.1 ]; then
	echo "  Warning: no LAN address was found, so a phone cannot reach Kratos; set KRATOS_HOST_IP."
fi
echo

step "building and starting the desktop app (cargo run; the first build takes several minutes)"
rc=0
KRATOS_URL="http://127.0.0.1:$PUBLIC_PORT" cargo run -- "$@" || rc=$?
exit "$rc"
