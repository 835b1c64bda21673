#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# The smmuman command line as a user meets it: --check, --dump-config, the
# flags that override options, diagnostics on stderr, exit codes.  TAP output.
# Usage: test-smmuman-cli.sh SMMUMAN EXAMPLES_DIR
set -u
smmuman=$1
examples=$2
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

check "starting the service fails loudly until it exists" 1 "$smmuman" smmu vtd
contains "and says why" "not implemented yet" err
check "a bad configuration fails before anything else" 1 "$smmuman" smmu
contains "with the error" "error: missing argument" err

echo "1..$n"
[ "$failed" -eq 0 ]
