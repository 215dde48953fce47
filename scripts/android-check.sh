#!/usr/bin/env bash
# scripts/android-check.sh — compile-check (no link, no APK) the Android code path:
#
#   cargo check --target aarch64-linux-android --no-default-features --features mobile --lib --bins
#
# No Android NDK is needed: the C parts (ring) are compiled by Debian's clang for the Android target
# against the arm64 glibc headers (libc6-dev-arm64-cross). That is enough for `cargo check`, which
# never links. It uses its own target dir (target/android) so the host build is left alone.
# Arguments go to `cargo check`. Exit code: cargo's, or 1 if a prerequisite is missing.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

TARGET=aarch64-linux-android
SYSROOT=/usr/aarch64-linux-gnu

command -v cargo >/dev/null 2>&1 || die "checking for cargo" "install Rust with rustup"
command -v clang >/dev/null 2>&1 || die "checking for clang (compiles ring's C for $TARGET)" "apt-get install -y clang"
command -v llvm-ar >/dev/null 2>&1 || die "checking for llvm-ar" "apt-get install -y llvm"
[ -f "$SYSROOT/include/stdint.h" ] ||
	die "checking for the arm64 C headers ($SYSROOT/include)" "apt-get install -y libc6-dev-arm64-cross"
rustup target list --installed 2>/dev/null | grep -qx "$TARGET" ||
	die "checking for the Rust target $TARGET" "rustup target add $TARGET"

export CC_aarch64_linux_android=clang
export AR_aarch64_linux_android=llvm-ar
export CFLAGS_aarch64_linux_android="--target=aarch64-linux-android24 --sysroot=$SYSROOT -I$SYSROOT/include"
export CARGO_TARGET_DIR="$ROOT/target/android"

step "cargo check --target $TARGET --no-default-features --features mobile --lib --bins"
cargo check --target "$TARGET" --no-default-features --features mobile --lib --bins "$@" ||
	die "cargo check for $TARGET (the errors are above)" \
		"fix the Android-only code (cfg(target_os = \"android\")); a C build error means clang/libc6-dev-arm64-cross"
note "the Android code path compiles ($TARGET, check only: nothing linked)"
