#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make run: starts QEMU's q35 virtual board (VT-d and an edu DMA device),
# starts smmuman on it in the foreground with examples/q35.smmu, and runs a
# short demo (tools/demo/smmu-demo): a client maps a buffer, one DMA
# arrives, one is refused and its fault record is printed, and
# `smmuctl status` shows the state.  Everything is stopped at the end, also
# on Ctrl-C.
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
board="$build/tools/board/smmu-board"
smmuman="$build/server/smmuman"
smmuctl="$build/tools/smmuctl/smmuctl"
demo="$build/tools/demo/smmu-demo"
work=$(mktemp -d "${TMPDIR:-/tmp}/smmu-run.XXXXXX")
service=""

cleanup() {
	[ -n "$service" ] && kill -TERM "$service" 2> /dev/null && wait "$service" || true
	[ -f "$work/board/board.env" ] && "$board" stop --dir "$work/board" > /dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> smmu-board start --edu 1   (QEMU q35 + intel-iommu + edu, under qtest)"
set -a
eval "$("$board" start --edu 1 --dir "$work/board")"
set +a
"$board" acpi DMAR "$work/dmar.bin" > /dev/null

# The board's provider spec is "qtest:PARAMS", i.e. `platform qtest PARAMS`.
params=${SMMU_BOARD_HW#qtest:}
echo "==> smmuman -f --dmar dmar.bin @examples/q35.smmu platform qtest ..."
"$smmuman" -f --socket "$work/smmuman.sock" --libdir "$build/backends/vtd" \
	--dmar "$work/dmar.bin" "@$top/examples/q35.smmu" platform qtest "$params" &
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
