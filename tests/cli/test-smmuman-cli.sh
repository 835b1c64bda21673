#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The smmuman command line as a user meets it: --check, --dump-config, the
# flags that override options, diagnostics on stderr, exit codes.  TAP output.
# Usage: test-smmuman-cli.sh SMMUMAN EXAMPLES_DIR SMMUMAN_SAFETY MODULE_DIR
# MODULE_DIR holds the fake support libraries the unit tests build.
set -u
smmuman=$1
examples=$2
smmuman_safety=$3
modules=$4
work=$(mktemp -d "${TMPDIR:-/tmp}/smmu-cli.XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	[ -f "$work/err" ] && sed 's/^/# stderr: /' "$work/err"
	[ -f "$work/out" ] && sed 's/^/# stdout: /' "$work/out"
}
# check DESCRIPTION EXPECTED_STATUS COMMAND...
check() {
	desc=$1
	want=$2
	shift 2
	"$@" > "$work/out" 2> "$work/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok "$desc"; else not_ok "$desc (exit $got, wanted $want)"; fi
}
contains() {
	if grep -qF -- "$2" "$work/$3"; then ok "$1"; else not_ok "$1: no '$2' in $3"; fi
}

syspage="$examples/x86-vtd.syspage"
for f in "$examples"/*.smmu; do
	check "--check accepts $(basename "$f")" 0 "$smmuman" --syspage "$syspage" --check "@$f"
	check "--dump-config prints $(basename "$f")" 0 \
		"$smmuman" --syspage "$syspage" --dump-config "@$f"
	cp "$work/out" "$work/first.smmu"
	check "the dump of $(basename "$f") is valid" 0 "$smmuman" --dump-config "@$work/first.smmu"
	if cmp -s "$work/out" "$work/first.smmu"; then
		ok "the dump of $(basename "$f") is a fixed point"
	else
		not_ok "the dump of $(basename "$f") is a fixed point"
	fi
done

check "the issue's example" 0 "$smmuman" --dump-config allow foo 4K,1k device pci:0:18.0 foo
contains "allow foo 4K,1k dumps in canonical form" "allow foo 0x1000,0x400,st" out

check "a bad number fails --check" 1 "$smmuman" --check allow foo 0x12z,4K
contains "the error names the command line, line and column" \
	"<command line>:1:15: error: start address: unexpected characters after the number" err
contains "the error quotes the line" "allow foo 0x12z,4K" err
contains "a caret marks the column" "              ^" err
if [ ! -s "$work/out" ]; then ok "nothing on stdout after an error"; else not_ok "stdout empty"; fi

printf 'debug 1\n\nsmmu\n' > "$work/bad.smmu"
check "an error in a file fails --dump-config" 1 "$smmuman" --dump-config "@$work/bad.smmu"
contains "the error names the file, line and column" \
	"$work/bad.smmu:3:5: error: missing argument: smmu TYPE [PARAMS]" err

check "SMMUMAN_SYSPAGE names the syspage file" 0 \
	env SMMUMAN_SYSPAGE="$syspage" "$smmuman" --dump-config "@$examples/x86-vtd.smmu"
contains "asinfo from SMMUMAN_SYSPAGE" "allow smbs0 0x7e000000,0x100000,st" out

check "flags override options" 0 "$smmuman" --dump-config --socket /tmp/flag.sock \
	--libdir /opt/flag -f socket /tmp/option.sock libdir /opt/option
contains "--socket wins over socket" "socket /tmp/flag.sock" out
contains "--libdir wins over libdir" "libdir /opt/flag" out
contains "-f sets foreground" "foreground" out

check "an unknown flag is a usage error" 2 "$smmuman" --bogus
check "--help exits 0" 0 "$smmuman" --help
contains "--help shows usage" "usage: smmuman" out
check "--version exits 0" 0 "$smmuman" --version

# The design safe state: exit 1 and say why, before anything is ready.
check "no support library: design safe state" 1 "$smmuman" -f --socket "$work/s" debug 1
contains "says there is none" "no support library is configured" err
contains "names the design safe state" "design safe state" err
check "a missing support library: design safe state" 1 "$smmuman" -f --libdir "$work" \
	--socket "$work/s" smmu vtd
contains "names the file it looked for" "$work/smmu-vtd.so: not found" err
check "smmuman-safety looks for the safety library first" 1 "$smmuman_safety" -f \
	--libdir "$work" --socket "$work/s" smmu vtd
contains "and names it" "$work/smmu-vtd-safety.so: not found" err
check "safety required refuses an uncertified library" 1 "$smmuman" -f --libdir "$modules" \
	--socket "$work/s" smmu fake safety required
contains "and says which" "smmu-fake.so is not safety-certified" err
[ ! -e "$work/s" ] && ok "no socket is left behind" || not_ok "a socket was left behind"

# A service in the foreground: ready, then stopped by SIGTERM.
"$smmuman" -f --libdir "$modules" --socket "$work/fg.sock" smmu fake unit u0 x \
	> "$work/out" 2> "$work/err" &
pid=$!
i=0
while [ ! -S "$work/fg.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -S "$work/fg.sock" ] && ok "the service listens once ready" || not_ok "no socket after 5 s"
contains "and says it is ready" "ready: 0 configured devices protected" err
check "a second service does not take over a live socket" 1 "$smmuman" -f \
	--libdir "$modules" --socket "$work/fg.sock" smmu fake unit u0 x
contains "and says why" "already listening" err
kill -TERM $pid
wait $pid
status=$?
[ $status -eq 0 ] && ok "SIGTERM stops it with status 0" || not_ok "SIGTERM: status $status"
[ ! -e "$work/fg.sock" ] && ok "and its socket is gone" || not_ok "its socket is left behind"

# Without -f the started process exits 0 once the service is ready.
check "without -f the parent exits 0 when ready" 0 "$smmuman" --libdir "$modules" \
	--socket "$work/bg.sock" smmu fake unit u0 x
[ -S "$work/bg.sock" ] && ok "and the service is listening then" || not_ok "no socket"
daemon=$(pgrep -f -- "--socket $work/bg.sock")
[ -n "$daemon" ] && ok "the service runs in the background" || not_ok "no daemon found"
[ "$(ps -o sid= -p "$daemon" | tr -d ' ')" = "$daemon" ] && ok "in a session of its own" ||
	not_ok "not a session leader"
[ "$(readlink /proc/"$daemon"/fd/0)" = /dev/null ] && ok "with stdin on /dev/null" ||
	not_ok "stdin is $(readlink /proc/"$daemon"/fd/0)"
kill -TERM "$daemon"
i=0
while kill -0 "$daemon" 2> /dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -0 "$daemon" 2> /dev/null && not_ok "the daemon ignores SIGTERM" || ok "SIGTERM stops the daemon"
check "a bad configuration fails before anything else" 1 "$smmuman" smmu
contains "with the error" "error: missing argument" err

echo "1..$n"
[ "$failed" -eq 0 ]
