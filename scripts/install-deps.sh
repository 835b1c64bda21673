#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Installs the Debian 12 packages the project needs to build, test and run, and
# nothing else.  Idempotent and quiet when everything is already there, so that
# every `make` target can call it first.  Needs root or sudo only when a package
# is missing.
set -eu

# One list, one reason per package.
packages="
meson            build system
ninja-build      build backend for meson
pkg-config       dependency lookup for meson and libsmmu.pc
gcc              the main compiler
clang            libFuzzer targets and the sanitizer build
libclang-rt-14-dev  libFuzzer, ASan and UBSan runtimes for clang
libcmocka-dev    unit-test framework
libfdt-dev       reads device trees (SMMUv3 discovery, firmware/)
scdoc            turns man/*.scd into man pages
clang-format     checks the house style (make check)
qemu-system-x86  the VT-d hardware oracle: q35 + intel-iommu + edu under qtest (tests/qemu)
qemu-system-arm  the SMMUv3 hardware oracle: virt,iommu=smmuv3 under qtest (tests/qemu)
"

missing=""
for pkg in $(printf '%s\n' "$packages" | awk 'NF { print $1 }'); do
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $pkg" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "install-deps: need root or sudo to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
