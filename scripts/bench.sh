#!/usr/bin/env bash
# scripts/bench.sh [auth-runs] [footprint-runs] — the benchmark, one command, one table of ratios
# against floors measured in the same run (figures only; nothing is asserted, no time limits):
#
#   1. builds Kratos (cached), the release binaries of the app and of the framework floor
#      (examples/hello_world.rs: the same Dioxus desktop window, one heading and a paragraph), and
#      the two bench programs
#   2. starts a Kratos of its own on free loopback ports (native build, a throwaway SQLite) and an
#      Xvfb display of its own
#   3. inside a private D-Bus session with a throwaway, unlocked gnome-keyring (the Secret Service
#      the app keeps its token in; never your own keychain) runs
#        examples/auth_bench.rs       `auth` vs plain reqwest (release build; medians of auth-runs
#                                     interleaved runs, default 30) and the requests per operation,
#                                     counted by the proxy of the tests in front of the real Kratos
#        examples/footprint_bench.rs  the app vs hello-world: cold start to the first frame, PSS of
#                                     the process tree when idle, stripped binary size (footprint-runs
#                                     interleaved runs, default 10)
#   4. prints the combined table; stops Kratos and Xvfb and removes its folders on exit
#
# Needs what .ci/run installs (xvfb, dbus, gnome-keyring, libsecret-tools, WebKitGTK) and Go for Kratos.
set -euo pipefail
# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

AUTH_RUNS="${1:-30}"
FOOT_RUNS="${2:-10}"
for n in "$AUTH_RUNS" "$FOOT_RUNS"; do
	[[ "$n" =~ ^[1-9][0-9]*$ ]] || die "reading the arguments ('$n' is not a number of runs)" "scripts/bench.sh [auth-runs, default 30] [footprint-runs, default 10]"
done
[ "$AUTH_RUNS" -ge 30 ] || note "note: $AUTH_RUNS auth runs; the goal is stated for a median of at least 30"

command -v cargo >/dev/null 2>&1 || die "checking for cargo" "install Rust with rustup"
for tool in Xvfb dbus-run-session gnome-keyring-daemon secret-tool curl; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "checking for $tool" "apt-get install -y xvfb dbus dbus-x11 gnome-keyring libsecret-tools curl (as .ci/run does)"
done

TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$(mktemp -d)"
XVFB_PID=""
cleanup() {
	set +e
	if [ -n "$XVFB_PID" ]; then
		kill "$XVFB_PID" 2>/dev/null
		wait "$XVFB_PID" 2>/dev/null
	fi
	[ -f "$WORK/kratos/kratos.pid" ] && KRATOS_DATA_DIR="$WORK/kratos" scripts/kratos.sh stop >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

scripts/kratos.sh build

t0=$SECONDS
run_step "cargo build --release --bin kratos-mobile --example hello_world (lto, codegen-units = 1: 15–25 min cold on 2 cores)" \
	"read the log; the desktop build needs libwebkit2gtk-4.1-dev libxdo-dev pkg-config (.ci/run installs them)" \
	cargo build --release --bin kratos-mobile --example hello_world
note "release binaries built in $((SECONDS - t0))s"
# auth_bench in release, as the app ships: in the dev profile this package is built at opt-level 0
# and its dependencies at 1, which alone adds about 5 % to `auth` against plain reqwest.
# footprint_bench only waits and reads /proc: the dev profile will do.
t0=$SECONDS
run_step "bench programs: cargo build --release --example auth_bench; cargo build --example footprint_bench" \
	"read the log" \
	bash -c 'cargo build --release --example auth_bench && cargo build --example footprint_bench'
note "bench programs built in $((SECONDS - t0))s"

# Kratos on the first pair of free ports from 44433 (public, admin = public + 1).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PUBLIC=""
for p in $(seq 44433 2 44633); do
	if port_free "$p" && port_free "$((p + 1))"; then
		PUBLIC="$p"
		break
	fi
done
[ -n "$PUBLIC" ] || die "finding two free ports in 44433–44634" "stop what listens there"
mkdir -p "$WORK/kratos"
export KRATOS_DATA_DIR="$WORK/kratos" KRATOS_PUBLIC_PORT="$PUBLIC" KRATOS_ADMIN_PORT="$((PUBLIC + 1))"
export KRATOS_PUBLIC_HOST=127.0.0.1 KRATOS_HOST_IP=127.0.0.1
scripts/kratos.sh serve
export KRATOS_URL="http://127.0.0.1:$KRATOS_PUBLIC_PORT"

# A display of our own: the first free number from 90.
n=90
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
step "starting Xvfb :$n (480x900x24)"
Xvfb ":$n" -screen 0 480x900x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
deadline=$((SECONDS + 20))
until [ -S "/tmp/.X11-unix/X$n" ]; do
	kill -0 "$XVFB_PID" 2>/dev/null || die "starting Xvfb :$n (it exited)" "read the log below" "$(tail -n 10 "$WORK/xvfb.log" | sed 's/^/  | /')"
	[ "$SECONDS" -lt "$deadline" ] || die "waiting for Xvfb :$n to open its socket (20 s)" "check that Xvfb runs: Xvfb :$n"
	sleep 0.1
done
export DISPLAY=":$n"

export BENCH_SESSION_DIR="$WORK/session" BENCH_OUT="$WORK" AUTH_RUNS FOOT_RUNS TARGET_DIR
step "benchmarks in a private D-Bus session with a throwaway gnome-keyring (DISPLAY=$DISPLAY, KRATOS_URL=$KRATOS_URL)"
# The D-Bus daemon and the services it activates (accessibility bus, portals) write to dbus.log;
# the inner script gets this script's stdout and stderr back (fds 4 and 3).
rc=0
# shellcheck disable=SC2016 # expanded by the inner bash
dbus-run-session -- bash -c '
	exec 1>&4 2>&3 3>&- 4>&-
	set -euo pipefail
	. scripts/lib.sh
	unlock_throwaway_keyring "$BENCH_SESSION_DIR"

	step "examples/auth_bench ($AUTH_RUNS interleaved runs)"
	AUTH_BENCH_KEYCHAIN=1 "$TARGET_DIR/release/examples/auth_bench" "$AUTH_RUNS" | tee "$BENCH_OUT/auth.md" ||
		die "examples/auth_bench" "read the error above"

	step "examples/footprint_bench ($FOOT_RUNS interleaved runs of each, release binaries)"
	"$TARGET_DIR/debug/examples/footprint_bench" --runs "$FOOT_RUNS" \
		--app "$TARGET_DIR/release/kratos-mobile" --hello "$TARGET_DIR/release/examples/hello_world" |
		tee "$BENCH_OUT/footprint.md" ||
		die "examples/footprint_bench" "read the error above"
' 4>&1 3>&2 >"$WORK/dbus.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || die "the benchmarks in the D-Bus session (exit $rc)" "read the messages above" \
	"$(tail -n 15 "$WORK/dbus.log" | sed 's/^/  dbus.log | /')"

# The rows of each program's figure table (footprint.md also has the PSS breakdown table, whose
# header is not "| figure ").
figure_rows() { sed -n '/^| figure /,$p' "$1" | grep '^| ' | grep -v '^| figure \|^|---' || true; }
echo
note "the table (ratios of medians against floors measured in this run; $AUTH_RUNS auth runs, $FOOT_RUNS footprint runs)"
echo
echo "| figure | ours | floor | ratio | goal | result |"
echo "|---|---|---|---|---|---|"
figure_rows "$WORK/auth.md"
figure_rows "$WORK/footprint.md"
