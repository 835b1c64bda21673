#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make run [BOARD=q35|virt]: starts a QEMU virtual board with one edu DMA
# device (q35: Intel VT-d, the default; virt: Arm SMMUv3), extracts the
# board's own ACPI table (DMAR or IORT), starts smmuman on it in the
# foreground with examples/BOARD.smmu, and runs a short demo
# (tools/demo/smmu-demo): a client maps a buffer, one DMA arrives, one is
# refused and its fault records are printed, and `smmuctl status` shows
# the state.  Everything is stopped at the end, also on Ctrl-C.
#
#   sh scripts/run.sh [BUILD_DIR [BOARD]]
set -eu
build=${1:-build}
machine=${2:-q35}
top=$(cd "$(dirname "$0")/.." && pwd)
board="$build/tools/board/smmu-board"
smmuman="$build/server/smmuman"
smmuctl="$build/tools/smmuctl/smmuctl"
demo="$build/tools/demo/smmu-demo"

# What differs between the boards: what QEMU models, the firmware table that
# describes the IOMMU and the option that hands it over, the support library.
case $machine in
q35)
	what="QEMU q35 + intel-iommu + edu"
	table=DMAR
	table_file=dmar.bin
	table_option=--dmar
	library=vtd
	;;
virt)
	what="QEMU virt + arm-smmuv3 + edu"
	table=IORT
	table_file=iort.bin
	table_option=--iort
	library=smmuv3
	;;
*)
	echo "make run: BOARD=$machine: the boards are q35 (Intel VT-d) and virt (Arm SMMUv3)" >&2
	exit 2
	;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/smmu-run.XXXXXX")
service=""

cleanup() {
	[ -n "$service" ] && kill -TERM "$service" 2> /dev/null && wait "$service" || true
	[ -f "$work/board/board.env" ] && "$board" stop --dir "$work/board" > /dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> smmu-board start --machine $machine --edu 1   ($what, under qtest)"
# The board's KEY=VALUE lines are exported: smmu-board's subcommands find the
# board by SMMU_BOARD_DIR, and smmu-demo takes the board's RAM base and
# machine from them.
set -a
eval "$("$board" start --machine "$machine" --edu 1 --dir "$work/board")"
set +a
"$board" acpi "$table" "$work/$table_file" > /dev/null

# The board's provider spec is "qtest:PARAMS", i.e. `platform qtest PARAMS`.
params=${SMMU_BOARD_HW#qtest:}
echo "==> smmuman -f $table_option $table_file @examples/$machine.smmu platform qtest ..."
"$smmuman" -f --socket "$work/smmuman.sock" --libdir "$build/backends/$library" \
	"$table_option" "$work/$table_file" "@$top/examples/$machine.smmu" \
	platform qtest "$params" &
service=$!
export SMMUMAN_SOCKET="$work/smmuman.sock"
i=0
until "$smmuctl" status > /dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 100 ] || ! kill -0 "$service" 2> /dev/null; then
		echo "make run: the service did not start" >&2
		exit 1
	fi
	sleep 0.1
done

"$demo" "$board" "$smmuctl"
echo
echo "==> stopping the service and the board"
