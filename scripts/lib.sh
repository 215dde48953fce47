# shellcheck shell=bash
# scripts/lib.sh — helpers shared by the scripts in this folder (sourced, not run).
#
#   step "label"                     print "[ 12s] label…" (seconds since the outermost script started)
#   run_step "label" "fix" cmd...    print the step, run cmd with its output in a log, print a heartbeat
#                                    every 15 s while it runs, and on failure print the log's tail, the
#                                    step that failed and how to fix it, then exit 1
#   die "step" "fix" ["details"]     the same failure report without a command
#   inputs_hash file...              sha256 over the names and contents of the given files (cache key)
#   lan_ip                           this machine's LAN address, found locally without sending anything
#   unlock_throwaway_keyring DIR     inside a private D-Bus session: point XDG_DATA_HOME/XDG_RUNTIME_DIR
#                                    into DIR, start gnome-keyring unlocked, prove a secret round-trips

# shellcheck disable=SC2034 # used by the scripts that source this file
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
BIN_DIR="$CACHE/bin"
LOG_DIR="$CACHE/logs"
# One clock for a script and the scripts it runs (test.sh -> kratos.sh build): seconds since the first.
_LIB_T0="${_LIB_T0:-$EPOCHSECONDS}"
export _LIB_T0

_elapsed() { printf '[%3ds]' "$((EPOCHSECONDS - _LIB_T0))"; }

step() { printf '%s %s…\n' "$(_elapsed)" "$1"; }
note() { printf '%s %s\n' "$(_elapsed)" "$1"; }

die() {
	local what="$1" fix="$2" details="${3:-}"
	{
		printf '%s FAILED: %s\n' "$(_elapsed)" "$what"
		[ -n "$details" ] && printf '%s\n' "$details"
		printf '  fix: %s\n' "$fix"
	} >&2
	exit 1
}

run_step() {
	local label="$1" fix="$2"
	shift 2
	mkdir -p "$LOG_DIR"
	local log
	log="$LOG_DIR/$(printf '%s' "$label" | cut -d' ' -f1-3 | tr -c 'A-Za-z0-9' '-' | tr -s '-' | sed 's/-$//').log"
	step "$label"
	"$@" >"$log" 2>&1 &
	local pid=$! started=$SECONDS rc=0
	local next=$((started + 15))
	# A background job ignores Ctrl-C in a script: pass it on (and restore the caller's traps after).
	local prev_traps
	prev_traps="$(trap -p INT TERM)"
	trap 'kill "$pid" 2>/dev/null; exit 130' INT TERM
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		if [ "$SECONDS" -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
			note "  … still at it: $((SECONDS - started))s so far (log: ${log#"$ROOT"/})"
			next=$((next + 15))
		fi
	done
	wait "$pid" || rc=$?
	trap - INT TERM
	eval "$prev_traps"
	if [ "$rc" -ne 0 ]; then
		die "$label (exit $rc; full log: ${log#"$ROOT"/})" "$fix" "$(tail -n 25 "$log" | sed 's/^/  | /')"
	fi
}

inputs_hash() {
	local f
	for f in "$@"; do
		printf '%s\n' "${f#"$ROOT"/}"
		cat "$f"
	done | sha256sum | cut -d' ' -f1
}

# The source address the kernel would use for an outside route: `ip route get` only asks the routing
# table (netlink) and sends no packet. Fallbacks: the first address of `hostname -I`, then loopback.
lan_ip() {
	local ip=""
	if command -v ip >/dev/null 2>&1; then
		ip="$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p' | head -n1)"
	fi
	if [ -z "$ip" ] && command -v hostname >/dev/null 2>&1; then
		ip="$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' | grep -v '^127\.' | head -n1)"
	fi
	printf '%s\n' "${ip:-127.0.0.1}"
}

# Go toolchain checks shared by kratos.sh and compose.sh.
need_go() {
	local min_minor="$1"
	command -v go >/dev/null 2>&1 ||
		die "checking for Go" "install the Go toolchain (1.$min_minor or newer) and put 'go' on PATH (on this machine it lives in /usr/local/go/bin)"
	local v minor
	v="$(go env GOVERSION 2>/dev/null)"
	minor="$(printf '%s' "$v" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')"
	if [ -z "$minor" ] || [ "$minor" -lt "$min_minor" ]; then
		die "checking for Go (found '${v:-none}')" "install Go 1.$min_minor or newer (Debian's golang package is too old)"
	fi
}

# Inside a private D-Bus session (dbus-run-session): a gnome-keyring whose files and sockets live in
# DIR (never the person's own keyring), unlocked, with a secret stored and read back to prove it.
unlock_throwaway_keyring() {
	local dir="$1"
	mkdir -p "$dir/data" "$dir/runtime"
	chmod 700 "$dir/runtime"
	export XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$dir/runtime"
	# --unlock reads the password on stdin and creates the "login" keyring (the default collection)
	# unlocked with it: no prompt, no display needed.
	echo -n throwaway | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null ||
		die "starting gnome-keyring-daemon" "apt-get install -y gnome-keyring dbus-x11"
	local probe="probe-$$"
	printf %s "$probe" | secret-tool store --label="kratos-mobile probe" kratos-mobile-probe probe ||
		die "storing a secret in the throwaway keyring (secret-tool store)" "apt-get install -y gnome-keyring libsecret-tools"
	[ "$(secret-tool lookup kratos-mobile-probe probe)" = "$probe" ] ||
		die "reading the secret back (secret-tool lookup)" "the keyring is locked or not the default collection"
	secret-tool clear kratos-mobile-probe probe
	note "keyring unlocked and working (secret-tool store/lookup)"
}
