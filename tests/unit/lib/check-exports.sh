#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Fails when libsmmu.so exports anything but the QNX client API: every
# defined dynamic symbol must be smmu_* in version LIBSMMU_1 (STYLE.md 2),
# so that proto/ and the library's internals stay private.
set -eu
lib=$1
symbols=$(nm -D --defined-only "$lib" | awk '{ print $3 }')
[ -n "$symbols" ] || { echo "no symbols in $lib" >&2; exit 1; }
bad=$(echo "$symbols" | grep -v -e '^smmu_[a-z_]*@@LIBSMMU_1$' -e '^LIBSMMU_1$' || true)
if [ -n "$bad" ]; then
	echo "unexpected exports in $lib:" >&2
	echo "$bad" >&2
	exit 1
fi
for name in smmu_init smmu_fini smmu_obj_create smmu_obj_destroy smmu_device_add_generic \
	smmu_mapping_add smmu_device_report_reserved smmu_xfer_notify smmu_xfer_status \
	smmu_xfer_fd smmu_safety; do
	echo "$symbols" | grep -q "^$name@@LIBSMMU_1\$" || { echo "missing $name" >&2; exit 1; }
done
echo "exports: $(echo "$symbols" | wc -l) symbols, all smmu_* @LIBSMMU_1"
