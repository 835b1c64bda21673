#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make check: builds the tree twice (gcc, and clang with AddressSanitizer +
# UndefinedBehaviorSanitizer + libFuzzer) and runs every Meson test suite in
# both.  The sanitizer build also runs the fuzz targets for a bounded time.
# Ends with one line "check: N passed, N failed, N skipped" counting test
# programs over both builds.
set -u
build=${1:-build}
asan_build=${2:-build-asan}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

setup() {
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" || return 1
	fi
	meson compile -C "$dir"
}

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"

status=0
setup "$build" || exit 1
CC=clang setup "$asan_build" --buildtype=debug -Db_sanitize=address,undefined \
	-Db_lundef=false -Dfuzz=enabled || exit 1

meson test -C "$build" --print-errorlogs --num-processes 2 || status=1
meson test -C "$asan_build" --print-errorlogs --num-processes 2 || status=1

# Count results from Meson's machine-readable logs of this run.
count() {
	cat "$build/meson-logs/testlog.json" "$asan_build/meson-logs/testlog.json" |
		grep -o "\"result\": \"[A-Z]*\"" | grep -c -E "$1"
}
passed=$(count '"(OK|EXPECTEDFAIL)"')
failed=$(count '"(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"')
skipped=$(count '"SKIP"')
echo
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
