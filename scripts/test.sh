#!/usr/bin/env bash
# scripts/test.sh — run every test, as CI does (.ci/run runs exactly this).
#
#   1. build Kratos v1.3.1 and Docker Compose v2.40.3 from the Go module proxy (cached: seconds when built)
#   2. validate docker/compose.yml offline (default and every profile)
#   3. cargo fmt --all -- --check
#   4. cargo clippy --all-targets --features preview -- -D warnings
#   5. scripts/android-check.sh: cargo check of the Android code path (aarch64-linux-android, no link)
#   6. cargo test --features preview (the feature also builds the browser preview the Chromium tests
#      drive, in the same build as everything else), inside a private D-Bus session with an unlocked gnome-keyring (the Secret Service the
#      app stores its session token in) and an Xvfb display (the desktop window)
#
# Arguments go to `cargo test`: scripts/test.sh --test integration registration
# Exported to the tests: KRATOS_BIN=.cache/bin/kratos, DOCKER_COMPOSE_BIN=.cache/bin/docker-compose,
# PG_SCRIPT=scripts/pg.sh. Exit code: the first failing step's, else cargo test's.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

command -v cargo >/dev/null 2>&1 || die "checking for cargo" "install Rust with rustup"
for tool in dbus-run-session gnome-keyring-daemon secret-tool xvfb-run; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "checking for $tool" "apt-get install -y dbus dbus-x11 gnome-keyring libsecret-tools xvfb xauth"
done

scripts/kratos.sh build
scripts/compose.sh build
scripts/compose.sh validate

export KRATOS_BIN="$BIN_DIR/kratos"
export DOCKER_COMPOSE_BIN="$BIN_DIR/docker-compose"
export PG_SCRIPT="$ROOT/scripts/pg.sh"

step "cargo fmt --all -- --check"
cargo fmt --all -- --check || die "cargo fmt --check (the diff is above)" "run: cargo fmt --all"

step "cargo clippy --all-targets --features preview -- -D warnings"
cargo clippy --all-targets --features preview -- -D warnings || die "cargo clippy" "fix the warnings above (they are errors here)"

# Compile-check only (clang and the arm64 glibc headers stand in for the NDK): no APK, nothing linked.
step "scripts/android-check.sh (cargo check --target aarch64-linux-android --features mobile)"
scripts/android-check.sh || die "scripts/android-check.sh" "fix the Android build errors above (or the missing tool it names)"


# The keyring's files and sockets live in a throwaway folder: never the developer's own keyring.
SESSION_DIR="$(mktemp -d)"
trap 'rm -rf "$SESSION_DIR"' EXIT
export TEST_SESSION_DIR="$SESSION_DIR"

step "cargo test --features preview (in a private D-Bus session with an unlocked gnome-keyring, on an Xvfb display)"
rc=0
dbus-run-session -- bash -c '
	set -euo pipefail
	. scripts/lib.sh
	unlock_throwaway_keyring "$TEST_SESSION_DIR"
	note "starting Xvfb and cargo test"
	exec xvfb-run -a -s "-screen 0 1280x800x24" cargo test --features preview "$@"
' bash "$@" || rc=$?

if [ "$rc" -eq 0 ]; then
	note "all tests passed"
else
	note "cargo test failed (exit $rc)"
fi
exit "$rc"
