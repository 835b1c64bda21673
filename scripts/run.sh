#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# make run: what the service can honestly do today.  The service itself does
# not start yet; this reads each example configuration the way the service
# would at start-up, reports any error, and prints the effective
# configuration in canonical form (smmuman --dump-config).
set -eu
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
smmuman="$build/server/smmuman"
status=0

for example in "$top"/examples/*.smmu; do
	echo "==> smmuman --syspage examples/x86-vtd.syspage --dump-config @examples/$(basename "$example")"
	if "$smmuman" --syspage "$top/examples/x86-vtd.syspage" --dump-config "@$example"; then
		echo "    (valid; the lines above are what the service would apply)"
	else
		status=1
	fi
	echo
done
echo "Starting the service itself is not implemented yet; see README.md."
exit $status
