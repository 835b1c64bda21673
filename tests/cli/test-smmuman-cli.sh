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

# The socket path: a file that is not a socket is never replaced; a path
# longer than sun_path is refused with the limit.
echo "precious" > "$work/not-a-socket"
check "a regular file at the socket path is left alone" 1 "$smmuman" -f \
	--libdir "$modules" --socket "$work/not-a-socket" smmu fake unit u0 x
contains "and the error says so" "exists and is not a socket" err
grep -q precious "$work/not-a-socket" && ok "its content is intact" || not_ok "the file was changed"
long=$(printf '%0120d' 0)
check "a socket path longer than sun_path is refused" 1 "$smmuman" -f \
	--libdir "$modules" --socket "$work/$long" smmu fake unit u0 x
contains "with the limit" "longer than 107 bytes" err

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

# Board discovery: the DMAR from a file (--dmar), board facts marked in the
# dump, user input overriding them, require and unusable tables.
dmar_fixtures="$examples/../../shared/fixtures/acpi/dmar"
dc7800="$dmar_fixtures/hp-compaq-dc7800-sff.dmar.bin"
check "--dmar FILE --dump-config smmu vtd" 0 "$smmuman" --dmar "$dc7800" --dump-config smmu vtd
contains "a DRHD is a board unit, INCLUDE_PCI_ALL as include-all" \
	"unit dmar3 0xfed93000,include-all # board: DMAR DRHD 3" out
contains "a DRHD's device scope is a board device behind its unit" \
	"use dmar1 # board: DMAR DRHD 1" out
contains "an RMRR is a reserved region, its limit included" \
	"reserved 0xdefd0000,0x1000 # board: DMAR RMRR 1" out
contains "the dump names the table it read" "# board: DMAR from $dc7800: OEM 'COMPAQ'" out

# QEMU 7.2 q35 with -device intel-iommu -device edu, from fw_cfg
# etc/acpi/tables, checksum filled in as the firmware's table loader does.
{
	printf '\104\115\101\122\160\000\000\000\001\050\102\117\103\110\123\040'
	printf '\102\130\120\103\040\040\040\040\001\000\000\000\102\130\120\103'
	printf '\001\000\000\000\046\001\000\000\000\000\000\000\000\000\000\000'
	printf '\000\000\100\000\000\000\000\000\000\000\331\376\000\000\000\000'
	printf '\003\010\000\000\000\377\000\000\001\010\000\000\000\000\000\000'
	printf '\001\010\000\000\000\000\001\000\001\010\000\000\000\000\037\000'
	printf '\001\010\000\000\000\000\037\002\001\010\000\000\000\000\037\003'
} > "$work/q35.dmar"
check "--dmar reads a QEMU q35 table" 0 "$smmuman" --dmar "$work/q35.dmar" --dump-config \
	smmu vtd
contains "its unit" "unit dmar0 0xfed90000 # board: DMAR DRHD 0" out
contains "and edu at 00:01.0" "device pci:0:1.0 # board: DMAR DRHD 0" out
cp "$work/out" "$work/q35.smmu"
grep -v '^#' "$work/q35.smmu" | sed 's/ # board: .*//' > "$work/q35.stripped"
check "the dump of a discovered configuration reads back" 0 "$smmuman" --dmar "$work/q35.dmar" \
	--dump-config "@$work/q35.smmu"
if grep -v '^#' "$work/out" | cmp -s - "$work/q35.stripped"; then
	ok "as the same facts, from the user, when the table is read again"
else
	not_ok "as the same facts, from the user, when the table is read again"
fi
check "a user unit at a DRHD's base replaces it" 0 "$smmuman" --dmar "$work/q35.dmar" \
	--dump-config smmu vtd unit gfx 0xfed90000
contains "and its devices use the user's unit" "use gfx # board: DMAR DRHD 0" out
if grep -q '^unit dmar0' "$work/out"; then not_ok "no board unit is left"; else
	ok "no board unit is left"; fi
check "smmu vtd ignore reads no table" 0 "$smmuman" --dmar "$work/q35.dmar" --dump-config \
	smmu vtd ignore
contains "and says so" "not read: 'smmu vtd ignore'" err
if grep -q '^unit\|^device' "$work/out"; then not_ok "and adds nothing"; else
	ok "and adds nothing"; fi
check "a --dmar file that is missing is an error" 1 "$smmuman" --dmar "$work/none.dmar" \
	--check smmu vtd
contains "that names it" "$work/none.dmar: error: the DMAR table cannot be read: No such file" err
head -c 40 "$work/q35.dmar" > "$work/short.dmar"
check "a corrupt --dmar file is an error" 1 "$smmuman" --dmar "$work/short.dmar" --check smmu vtd
contains "that says what is wrong" "$work/short.dmar: error: the DMAR table is not valid" err
check "a missing --dmar table stops the service" 1 "$smmuman" -f --libdir "$work" \
	--socket "$work/s" --dmar "$work/none.dmar" smmu vtd require
contains "before it loads anything" "error: the DMAR table cannot be read" err
if grep -q 'smmu-vtd.so' "$work/err"; then not_ok "no library was looked for"; else
	ok "no library was looked for"; fi
check "--check only warns when this machine has no table for require" 0 "$smmuman" --check \
	smmu vtd require
check "--dmar with another support library is a warning" 0 "$smmuman" --dmar "$dc7800" \
	--dump-config smmu soft
contains "that says why" "not read: only 'smmu vtd' uses a DMAR table" err

# SMMUv3 discovery: the IORT from a file (--iort), QEMU 7.2's virt table
# (in the unit tests' data) and a real laptop's; then QEMU's device tree.
virt_iort="$examples/../tests/unit/data/qemu-virt-smmuv3.iort.bin"
iort_fixtures="$examples/../../shared/fixtures/acpi/iort"
check "--iort FILE --dump-config smmu smmuv3" 0 "$smmuman" --iort "$virt_iort" --dump-config \
	smmu smmuv3 device pci:0:1.0
contains "the SMMUv3 node is a board unit" "unit smmu0 0x9050000,0 # board: IORT SMMUv3 0" out
contains "edu's StreamID comes from its requester ID" \
	"use smmu0 8 # board: IORT root complex 0" out
contains "the dump names the table it read" "# board: IORT from $virt_iort: OEM 'BOCHS '" out
cp "$work/out" "$work/virt.smmu"
grep -v '^#' "$work/virt.smmu" | sed 's/ # board: .*//' > "$work/virt.stripped"
check "the dump of an IORT discovery reads back" 0 "$smmuman" --iort "$virt_iort" \
	--dump-config "@$work/virt.smmu"
if grep -v '^#' "$work/out" | cmp -s - "$work/virt.stripped"; then
	ok "as the same facts, from the user, when the IORT is read again"
else
	not_ok "as the same facts, from the user, when the IORT is read again"
fi
check "--iort reads a real laptop's table" 0 "$smmuman" \
	--iort "$iort_fixtures/lenovo-thinkpad-x13s.iort.bin" --dump-config smmu smmuv3 \
	device pci:6:1:0.0
contains "segment 6's StreamIDs" "use smmu0 393472 # board: IORT root complex 6" out
check "a corrupt --iort file is an error" 1 "$smmuman" \
	--iort "$iort_fixtures/qualcomm-sc7280-kodiak-cls-fw.iort.bin" --check smmu smmuv3
contains "that says what is wrong" "error: the IORT is not valid: offset 9: checksum" err
# The device tree of the same board (--fdt) gives the same unit and StreamID.
virt_dtb="$examples/../tests/unit/data/qemu-virt-smmuv3.dtb"
check "--fdt FILE --dump-config smmu smmuv3" 0 "$smmuman" --fdt "$virt_dtb" --dump-config \
	smmu smmuv3 device pci:0:1.0
contains "the arm,smmu-v3 node is a board unit" "unit smmu0 0x9050000,0 # board: FDT SMMUv3 0" out
contains "edu's StreamID comes through the iommu-map" \
	"use smmu0 8 # board: FDT PCI host 0" out
check "--fdt with the example that relies on discovery" 0 "$smmuman" --fdt "$virt_dtb" \
	--dump-config "@$examples/arm-smmuv3-discovered.smmu"
contains "gets its unit from the tree" "unit smmu0 0x9050000,0 # board: FDT SMMUv3 0" out
check "--fdt with the example that declares the unit by hand" 0 "$smmuman" --fdt "$virt_dtb" \
	--dump-config "@$examples/arm-smmuv3.smmu"
if grep -v '^#' "$work/out" | grep -q '# board:'; then not_ok "adds no board fact"; else
	ok "adds no board fact"; fi
check "a missing --fdt file is an error" 1 "$smmuman" --fdt "$work/none.dtb" --check \
	smmu smmuv3
contains "that says why" "$work/none.dtb: error: the device tree cannot be read" err
check "a file that is not a device tree is an error" 1 "$smmuman" --fdt "$virt_iort" \
	--check smmu smmuv3
contains "that says what is wrong" "error: the device tree is not valid: offset 0: magic" err
check "--iort with another support library is a warning" 0 "$smmuman" --iort "$virt_iort" \
	--dump-config smmu soft
contains "that says why" "not read: only 'smmu smmuv3' uses an IORT table" err

echo "1..$n"
[ "$failed" -eq 0 ]
