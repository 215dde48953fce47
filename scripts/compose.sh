#!/usr/bin/env bash
# scripts/compose.sh — the real Docker Compose v2 CLI (v2.40.3), built from the Go module proxy, to validate
# docker/compose.yml offline. No Docker engine is needed for `config`.
#
#   scripts/compose.sh build      build .cache/bin/docker-compose from tools/compose; cached: skipped when the
#                                 binary exists and tools/compose' go.mod/go.sum are unchanged
#   scripts/compose.sh validate   `docker-compose -f docker/compose.yml [--profile P] config` for the default
#                                 services and every profile (postgres); fails on any error
#   scripts/compose.sh version    `docker-compose version` of the built binary
#
# tools/compose has no Go file of its own: compose's main package imports compose's internal/ packages,
# which another module may not import, so go.mod names it with a `tool` directive and we build that package.
#
# Environment: KRATOS_HOST_IP is required by docker/compose.yml; `validate` sets a documentation address
# (192.0.2.10, which no traffic goes to) when it is unset.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COMPOSE_VERSION=v2.40.3
SRC="$ROOT/tools/compose"
OUT="$BIN_DIR/docker-compose"
STAMP="$BIN_DIR/docker-compose.inputs"
PKG=github.com/docker/compose/v2
LDFLAGS="-w -X $PKG/internal.Version=$COMPOSE_VERSION"
PROFILES=(postgres)

build_inputs() {
	{
		inputs_hash "$SRC/go.mod" "$SRC/go.sum"
		printf 'CGO_ENABLED=0 -trimpath -ldflags %s %s/cmd\n' "$LDFLAGS" "$PKG"
	} | sha256sum | cut -d' ' -f1
}

cmd_build() {
	local want
	want="$(build_inputs)"
	if [ -x "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
		note "docker-compose $COMPOSE_VERSION is built and up to date: ${OUT#"$ROOT"/} (delete it to rebuild)"
		return 0
	fi
	mkdir -p "$BIN_DIR"
	exec 9>"$BIN_DIR/.docker-compose.lock"
	flock 9
	if [ -x "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
		note "docker-compose $COMPOSE_VERSION was just built by another run: ${OUT#"$ROOT"/}"
		return 0
	fi

	step "checking for Go"
	need_go 24

	cd "$SRC"
	run_step "downloading Go modules for Docker Compose $COMPOSE_VERSION (pinned by tools/compose/go.sum)" \
		"check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY)); a checksum mismatch means tools/compose/go.sum was edited" \
		go mod download
	rm -f "$OUT.tmp"
	run_step "building Docker Compose $COMPOSE_VERSION (about 70 s on 2 cores when nothing is cached)" \
		"read the log above; tools/compose/go.mod must keep 'tool $PKG/cmd' and the require of $PKG $COMPOSE_VERSION" \
		env CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags "$LDFLAGS" -o "$OUT.tmp" "$PKG/cmd"
	local v
	v="$("$OUT.tmp" version --short 2>&1 || true)"
	[ "$v" = "${COMPOSE_VERSION#v}" ] || [ "$v" = "$COMPOSE_VERSION" ] ||
		die "checking the built binary (it reports version '${v:-?}')" "the -ldflags version stamp did not apply; check tools/compose/go.mod"
	mv -f "$OUT.tmp" "$OUT"
	printf '%s\n' "$want" >"$STAMP"
	note "built ${OUT#"$ROOT"/} ($(du -m "$OUT" | cut -f1) MB, version $v)"
}

need_bin() {
	[ -x "$OUT" ] || die "looking for $OUT" "build it first: scripts/compose.sh build"
}

cmd_validate() {
	need_bin
	export KRATOS_HOST_IP="${KRATOS_HOST_IP:-192.0.2.10}"
	local p
	step "validating docker/compose.yml (default services)"
	"$OUT" -f "$ROOT/docker/compose.yml" config --quiet ||
		die "validating docker/compose.yml" "fix the error printed above"
	for p in "${PROFILES[@]}"; do
		step "validating docker/compose.yml --profile $p"
		"$OUT" -f "$ROOT/docker/compose.yml" --profile "$p" config --quiet ||
			die "validating docker/compose.yml --profile $p" "fix the error printed above"
	done
	note "docker/compose.yml is valid (default and profiles: ${PROFILES[*]})"
}

case "${1:-}" in
build) cmd_build ;;
validate) cmd_validate ;;
version)
	need_bin
	"$OUT" version
	;;
*)
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
