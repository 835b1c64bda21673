#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Fails when a C file of the tree differs from what .clang-format makes of
# it (STYLE.md section 11).  Fix with: clang-format -i FILE...
set -eu
cd "$(dirname "$0")/.."
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h')
else
	files=$(find . -path ./build -prune -o -path ./build-asan -prune -o \
		\( -name '*.c' -o -name '*.h' \) -print)
fi
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
echo "format: $(echo "$files" | wc -l) files checked"
