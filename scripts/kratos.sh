#!/usr/bin/env bash
# scripts/kratos.sh — a real Ory Kratos v1.3.1, built from the Go module proxy and run natively (no Docker).
#
#   scripts/kratos.sh build     build .cache/bin/kratos from tools/kratos (cgo, -tags sqlite); cached: skipped
#                               when the binary exists and tools/kratos' go.mod/go.sum/main.go are unchanged
#   scripts/kratos.sh serve     migrate .cache/kratos-data/kratos.db, start Kratos in the background with
#                               config/kratos.yml + a generated override, wait for /health/ready, write a pid file
#   scripts/kratos.sh stop      stop the Kratos that `serve` started (TERM, then KILL after 10 s)
#   scripts/kratos.sh status    running or not, and where
#   scripts/kratos.sh version   `kratos version` of the built binary
#   scripts/kratos.sh lan-ip    the address a phone should use (see KRATOS_HOST_IP)
#
# Environment (all optional):
#   KRATOS_PUBLIC_PORT     public API port                                   (default 4433)
#   KRATOS_ADMIN_PORT      admin API port, bound to 127.0.0.1 only           (default 4434)
#   KRATOS_HOST_IP         LAN address put in serve.public.base_url          (default: detected with
#                          `ip route get` — which only reads the routing table —, else `hostname -I`,
#                          else 127.0.0.1)
#   KRATOS_PUBLIC_HOST     interface the public API listens on               (default 0.0.0.0: a phone must reach it)
#   KRATOS_DATA_DIR        SQLite file, override file, log, pid file         (default .cache/kratos-data)
#   KRATOS_SMTP_URI        courier SMTP; with --dev codes are also readable on the admin API
#                          (default smtp://127.0.0.1:1025/?disable_starttls=true, e.g. docker's Mailpit)
#   KRATOS_READY_TIMEOUT   seconds to wait for /health/ready                 (default 60)
#   KRATOS_BIN             binary `serve`/`version` run                      (default .cache/bin/kratos)
#
# Files: .cache/bin/kratos (+ kratos.inputs, the cache key), .cache/logs/*.log (build steps),
#        $KRATOS_DATA_DIR/{kratos.db,override.yml,kratos.log,kratos.pid}.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KRATOS_VERSION=v1.3.1
SRC="$ROOT/tools/kratos"
OUT="$BIN_DIR/kratos"
STAMP="$BIN_DIR/kratos.inputs"
LDFLAGS="-X github.com/ory/kratos/driver/config.Version=$KRATOS_VERSION"

PUBLIC_PORT="${KRATOS_PUBLIC_PORT:-4433}"
ADMIN_PORT="${KRATOS_ADMIN_PORT:-4434}"
PUBLIC_HOST="${KRATOS_PUBLIC_HOST:-0.0.0.0}"
DATA="${KRATOS_DATA_DIR:-$CACHE/kratos-data}"
SMTP_URI="${KRATOS_SMTP_URI:-smtp://127.0.0.1:1025/?disable_starttls=true}"
READY_TIMEOUT="${KRATOS_READY_TIMEOUT:-60}"
BIN="${KRATOS_BIN:-$OUT}"
PIDFILE="$DATA/kratos.pid"

build_inputs() {
	# What the binary is made from: the pinned module graph, the entry point, the stand-in module,
	# and the way it is built.
	{
		inputs_hash "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" "$SRC/client-go-stub/go.mod"
		printf 'CGO_ENABLED=1 -tags sqlite -ldflags %s\n' "$LDFLAGS"
	} | sha256sum | cut -d' ' -f1
}

cmd_build() {
	local want
	want="$(build_inputs)"
	if [ -x "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
		note "Kratos $KRATOS_VERSION is built and up to date: ${OUT#"$ROOT"/} (delete it to rebuild)"
		return 0
	fi
	mkdir -p "$BIN_DIR"
	# One build at a time (test.sh and dev.sh may both ask).
	exec 9>"$BIN_DIR/.kratos.lock"
	flock 9
	if [ -x "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
		note "Kratos $KRATOS_VERSION was just built by another run: ${OUT#"$ROOT"/}"
		return 0
	fi

	step "checking for Go and a C compiler (cgo, for SQLite)"
	need_go 23
	command -v "$(go env CC 2>/dev/null || echo gcc)" >/dev/null 2>&1 ||
		die "checking for a C compiler" "install one: apt-get install -y gcc libc6-dev (Kratos' SQLite driver needs cgo)"

	cd "$SRC"
	run_step "downloading Go modules for Kratos $KRATOS_VERSION (pinned by tools/kratos/go.sum)" \
		"check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY)); a checksum mismatch means tools/kratos/go.sum was edited" \
		go mod download
	rm -f "$OUT.tmp"
	run_step "building Kratos $KRATOS_VERSION (cgo, sqlite; about 90 s on 2 cores when nothing is cached)" \
		"read the log above; a cgo error means gcc/libc6-dev is missing (apt-get install -y gcc libc6-dev)" \
		env CGO_ENABLED=1 go build -buildvcs=false -tags sqlite -ldflags "$LDFLAGS" -o "$OUT.tmp" .
	local v
	v="$("$OUT.tmp" version 2>&1 | sed -n 's/^Version:[[:space:]]*//p')"
	[ "$v" = "$KRATOS_VERSION" ] ||
		die "checking the built binary (it reports version '${v:-?}')" "the -ldflags version stamp did not apply; check tools/kratos/go.mod requires github.com/ory/kratos $KRATOS_VERSION"
	mv -f "$OUT.tmp" "$OUT"
	printf '%s\n' "$want" >"$STAMP"
	note "built ${OUT#"$ROOT"/} ($(du -m "$OUT" | cut -f1) MB, kratos version: $v)"
}

need_bin() {
	[ -x "$BIN" ] || die "looking for the Kratos binary at $BIN" "build it first: scripts/kratos.sh build"
}

running_pid() {
	[ -f "$PIDFILE" ] || return 1
	local pid
	pid="$(cat "$PIDFILE")"
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qa kratos "/proc/$pid/cmdline" 2>/dev/null || return 1
	printf '%s\n' "$pid"
}

port_busy() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

ready() {
	curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$PUBLIC_PORT/health/ready" 2>/dev/null
}

write_override() {
	local host_ip="$1"
	# Merged over config/kratos.yml (second -c wins): only what differs from the docker setup.
	cat >"$DATA/override.yml" <<EOF
# Generated by scripts/kratos.sh serve — do not edit; rerun serve instead.
dsn: "sqlite://$DATA/kratos.db?_fk=true&mode=rwc"
serve:
  public:
    host: $PUBLIC_HOST
    port: $PUBLIC_PORT
    base_url: http://$host_ip:$PUBLIC_PORT/
  admin:
    host: 127.0.0.1
    port: $ADMIN_PORT
    base_url: http://127.0.0.1:$ADMIN_PORT/
identity:
  default_schema_id: default
  schemas:
    - id: default
      url: file://$ROOT/config/identity.schema.json
courier:
  smtp:
    connection_uri: "$SMTP_URI"
EOF
}

cmd_serve() {
	need_bin
	mkdir -p "$DATA"
	local pid
	if pid="$(running_pid)"; then
		note "Kratos is already running (pid $pid): http://127.0.0.1:$PUBLIC_PORT — stop it with scripts/kratos.sh stop"
		return 0
	fi
	local p
	for p in "$PUBLIC_PORT" "$ADMIN_PORT"; do
		port_busy "$p" && die "checking that port $p is free" "something else listens on 127.0.0.1:$p (docker compose? another Kratos?): stop it, or set KRATOS_PUBLIC_PORT / KRATOS_ADMIN_PORT"
	done
	local host_ip="${KRATOS_HOST_IP:-$(lan_ip)}"
	write_override "$host_ip"
	local cfg=(-c "$ROOT/config/kratos.yml" -c "$DATA/override.yml")

	run_step "migrating the SQLite database (${DATA#"$ROOT"/}/kratos.db)" \
		"read the log; if the database is from another Kratos version, delete ${DATA#"$ROOT"/}/kratos.db" \
		"$BIN" migrate sql -e --yes "${cfg[@]}"

	step "starting Kratos $KRATOS_VERSION (public :$PUBLIC_PORT on $PUBLIC_HOST, admin 127.0.0.1:$ADMIN_PORT; log ${DATA#"$ROOT"/}/kratos.log)"
	# setsid: its own session, so a Ctrl-C meant for the caller does not hit it half-way; stop does.
	setsid "$BIN" serve "${cfg[@]}" --dev --watch-courier --sqa-opt-out >>"$DATA/kratos.log" 2>&1 </dev/null &
	pid=$!
	printf '%s\n' "$pid" >"$PIDFILE"

	step "waiting for /health/ready (up to ${READY_TIMEOUT}s)"
	local deadline=$((SECONDS + READY_TIMEOUT))
	until ready; do
		if ! kill -0 "$pid" 2>/dev/null; then
			rm -f "$PIDFILE"
			die "starting Kratos (it exited)" "read ${DATA#"$ROOT"/}/kratos.log" "$(tail -n 25 "$DATA/kratos.log" | sed 's/^/  | /')"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			kill "$pid" 2>/dev/null || true
			rm -f "$PIDFILE"
			die "waiting for /health/ready (not ready after ${READY_TIMEOUT}s)" "read ${DATA#"$ROOT"/}/kratos.log, or raise KRATOS_READY_TIMEOUT" "$(tail -n 25 "$DATA/kratos.log" | sed 's/^/  | /')"
		fi
		sleep 0.3
	done
	note "Kratos is ready (pid $pid): this machine http://127.0.0.1:$PUBLIC_PORT, a phone on the LAN http://$host_ip:$PUBLIC_PORT, admin http://127.0.0.1:$ADMIN_PORT"
}

cmd_stop() {
	local pid
	if ! pid="$(running_pid)"; then
		rm -f "$PIDFILE"
		note "Kratos is not running"
		return 0
	fi
	step "stopping Kratos (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		note "  it did not stop within 10 s: KILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$PIDFILE"
	note "stopped"
}

cmd_status() {
	local pid
	if pid="$(running_pid)"; then
		if ready; then
			echo "running (pid $pid), ready: http://127.0.0.1:$PUBLIC_PORT"
		else
			echo "running (pid $pid), not ready"
		fi
	else
		echo "not running"
		return 1
	fi
}

cmd_version() {
	need_bin
	"$BIN" version
}

case "${1:-}" in
build) cmd_build ;;
serve) cmd_serve ;;
stop) cmd_stop ;;
status) cmd_status ;;
version) cmd_version ;;
lan-ip) printf '%s\n' "${KRATOS_HOST_IP:-$(lan_ip)}" ;;
*)
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
