#!/usr/bin/env bash
# scripts/dx-check.sh [serve|bundle|all] — checks that the Dioxus CLI (dx 0.7.10) works with this
# project's Dioxus.toml and assets. Not part of CI (dx takes ~30 min to install here); run by hand:
#
#   cargo install dioxus-cli --version 0.7.10 --locked
#   scripts/dx-check.sh
#
#   serve   `dx serve --platform desktop` against a Kratos of its own, on a private Xvfb display in
#           a private D-Bus session; passes when the app prints its first-frame line (60 s after the
#           build at most), then stops everything.
#   bundle  `dx bundle --platform linux --release --package-types deb`; passes when a .deb comes out
#           holding the binary, a .desktop entry and the icons, and prints its contents.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

what="${1:-all}"
command -v dx >/dev/null 2>&1 ||
	die "checking for dx" "cargo install dioxus-cli --version 0.7.10 --locked (about 30 minutes on 2 cores)"
version="$(dx --version)"
case "$version" in
*" 0.7.10"*) note "$version" ;;
*) die "checking dx's version" "this project pins Dioxus 0.7.10: cargo install dioxus-cli --version 0.7.10 --locked --force" "found: $version" ;;
esac

check_serve() {
	for tool in Xvfb dbus-run-session; do
		command -v "$tool" >/dev/null 2>&1 || die "checking for $tool" "apt-get install -y xvfb dbus"
	done
	scripts/kratos.sh build
	local data
	data="$(mktemp -d)"
	export KRATOS_DATA_DIR="$data" KRATOS_PUBLIC_PORT="${KRATOS_PUBLIC_PORT:-45533}" KRATOS_ADMIN_PORT="${KRATOS_ADMIN_PORT:-45534}"
	export KRATOS_PUBLIC_HOST=127.0.0.1 KRATOS_HOST_IP=127.0.0.1
	scripts/kratos.sh serve

	local display=":$((200 + $$ % 300))"
	Xvfb "$display" -screen 0 480x900x24 -nolisten tcp >/dev/null 2>&1 &
	local xvfb=$!
	local log="$data/dx-serve.log"
	# set +e first: a trap runs under errexit, and pkill finding nothing would end it early.
	# shellcheck disable=SC2064 # expand now: these are this run's
	trap "set +e; kill $xvfb 2>/dev/null; pkill -f 'target/dx/kratos-mobile/' 2>/dev/null; scripts/kratos.sh stop >/dev/null 2>&1; rm -rf '$data'" EXIT

	step "dx serve --platform desktop (log ${log}); waiting for the app's first frame"
	# A session of its own: the app's keychain and GTK's bus never touch the caller's.
	DISPLAY="$display" KRATOS_URL="http://127.0.0.1:$KRATOS_PUBLIC_PORT" XDG_DATA_HOME="$data/xdg" \
		setsid dbus-run-session -- dx serve --platform desktop --interactive false --hot-reload false --watch false \
		>"$log" 2>&1 &
	local dx_pid=$!
	local deadline=$((SECONDS + ${DX_SERVE_TIMEOUT:-1800})) ok=""
	while [ "$SECONDS" -lt "$deadline" ]; do
		if grep -q "kratos-mobile: first frame rendered" "$log"; then
			ok=1
			break
		fi
		kill -0 "$dx_pid" 2>/dev/null || break
		sleep 1
	done
	kill -- "-$dx_pid" 2>/dev/null || kill "$dx_pid" 2>/dev/null || true
	wait "$dx_pid" 2>/dev/null || true
	if [ -z "$ok" ]; then
		die "dx serve --platform desktop" "read the log above; dx needs the same Debian packages as cargo (libwebkit2gtk-4.1-dev, libxdo-dev)" "$(tail -40 "$log")"
	fi
	note "dx serve: the app rendered its first frame; dx's log:"
	grep -v '^\s*$' "$log" | tail -25
}

check_bundle() {
	step "dx bundle --platform linux --release --package-types deb (an LTO release build: many minutes)"
	local log="$LOG_DIR/dx-bundle.log"
	mkdir -p "$LOG_DIR"
	local started=$SECONDS
	local stamp
	stamp="$(mktemp)"
	if ! dx bundle --platform linux --release --package-types deb >"$log" 2>&1; then
		die "dx bundle" "read the log: $log" "$(tail -40 "$log")"
	fi
	note "dx bundle finished in $((SECONDS - started)) s"
	local deb
	deb="$(find target/dx -name '*.deb' -newer "$stamp" -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -1 | cut -d' ' -f2- || true)"
	rm -f "$stamp"
	[ -n "$deb" ] || die "finding the .deb" "read the log: $log" "$(tail -20 "$log")"
	note "package: $deb ($(du -h "$deb" | cut -f1))"
	dpkg-deb --info "$deb" | sed -n '/Package:/,$p'
	local contents
	contents="$(dpkg-deb --contents "$deb")"
	printf '%s\n' "$contents" | awk '{print $3, $6}'
	printf '%s\n' "$contents" | grep -q 'usr/bin/kratos-mobile$' || die "checking the .deb" "the binary usr/bin/kratos-mobile is missing"
	printf '%s\n' "$contents" | grep -q '\.desktop$' || die "checking the .deb" "no .desktop entry"
	printf '%s\n' "$contents" | grep -q 'icons/hicolor/.*\.png$' || die "checking the .deb" "no icons"
	note "the .deb holds the binary, a .desktop entry and the icons"
}

case "$what" in
serve) check_serve ;;
bundle) check_bundle ;;
all) check_serve && check_bundle ;;
*) die "reading the argument" "scripts/dx-check.sh [serve|bundle|all]" ;;
esac
