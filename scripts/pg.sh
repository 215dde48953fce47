#!/usr/bin/env bash
# scripts/pg.sh — a throwaway PostgreSQL cluster on loopback, for tests that run Kratos on PostgreSQL.
#
#   scripts/pg.sh start <dir> <port>   create (or reuse) a cluster in <dir>, start it on 127.0.0.1:<port>
#                                      with trust auth, create database "kratos", and print the DSN
#                                      as the only line on stdout:
#                                        postgres://postgres@127.0.0.1:<port>/kratos?sslmode=disable
#                                      (progress goes to stderr)
#   scripts/pg.sh stop <dir>           stop that cluster (fast shutdown); <dir> stays, delete it yourself
#
# <dir> holds data/ (the cluster), sock/ (its Unix socket, so nothing outside <dir> is touched) and
# postgres.log. As root, the server runs as the `postgres` user (initdb refuses root): <dir> is chowned
# to it, and a root-only parent under /tmp (such as a mktemp -d folder) gets o+x so that user can reach
# <dir>. As another user, it runs as that user.
#
# Environment: PG_BIN (default: the newest /usr/lib/postgresql/*/bin; Debian's `postgresql` package).
# Durability is off (fsync=off): throwaway data only.
set -euo pipefail

usage() {
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}
log() { printf 'pg.sh: %s\n' "$*" >&2; }
fail() {
	printf 'pg.sh: FAILED: %s\n  fix: %s\n' "$1" "$2" >&2
	exit 1
}

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}"
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] ||
	fail "looking for PostgreSQL's initdb (PG_BIN='${PG_BIN:-}')" "apt-get install -y postgresql (Debian's PostgreSQL 15), or set PG_BIN"

as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

abs_dir() {
	mkdir -p "$1"
	(cd "$1" && pwd)
}

# Let the postgres user reach <dir>: give traverse (not list) permission to root-owned parents under /tmp
# that lack it, e.g. a mktemp -d folder (mode 0700).
open_path_for_postgres() {
	local dir="$1" p
	p="$(dirname "$dir")"
	while [ "$p" != "/" ] && [ "$p" != "/tmp" ]; do
		case "$p" in
		/tmp/*)
			if ! runuser -u postgres -- test -x "$p" 2>/dev/null; then
				log "chmod o+x $p (so the postgres user can reach $dir)"
				chmod o+x "$p"
			fi
			;;
		esac
		p="$(dirname "$p")"
	done
	runuser -u postgres -- test -x "$dir" ||
		fail "giving the postgres user access to $dir" "use a folder under /tmp (or one whose parents are world-traversable)"
}

cmd_start() {
	[ $# -eq 2 ] || usage
	local dir port
	dir="$(abs_dir "$1")"
	port="$2"
	case "$port" in '' | *[!0-9]*) fail "reading the port '$port'" "give a TCP port number, e.g. scripts/pg.sh start /tmp/pg 55432" ;; esac
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		fail "checking that 127.0.0.1:$port is free" "pick another port"
	fi
	mkdir -p "$dir/sock"
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || fail "looking for the postgres user" "apt-get install -y postgresql (it creates the user)"
		chown postgres:postgres "$dir" "$dir/sock"
		open_path_for_postgres "$dir"
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		log "initdb $dir/data ($("$PG_BIN/postgres" --version))"
		as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 -N >"$dir/initdb.log" 2>&1 ||
			fail "initdb (log: $dir/initdb.log)" "$(tail -n 3 "$dir/initdb.log")"
	else
		log "reusing the cluster in $dir/data"
	fi
	log "starting PostgreSQL on 127.0.0.1:$port"
	as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir/sock -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >&2 || fail "starting PostgreSQL (log: $dir/postgres.log)" "$(tail -n 5 "$dir/postgres.log" 2>/dev/null)"
	if ! as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'kratos'" | grep -q 1; then
		as_pg "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qc "CREATE DATABASE kratos" >&2 ||
			fail "creating database kratos" "read $dir/postgres.log"
	fi
	printf 'postgres://postgres@127.0.0.1:%s/kratos?sslmode=disable\n' "$port"
}

cmd_stop() {
	[ $# -eq 1 ] || usage
	local dir="$1"
	if [ ! -f "$dir/data/postmaster.pid" ]; then
		log "no PostgreSQL running in $dir"
		return 0
	fi
	as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >&2
}

case "${1:-}" in
start)
	shift
	cmd_start "$@"
	;;
stop)
	shift
	cmd_stop "$@"
	;;
*) usage ;;
esac
