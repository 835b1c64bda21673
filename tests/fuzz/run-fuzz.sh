#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Runs one libFuzzer target for a bounded time on a scratch copy of its seed
# corpora.  Usage: run-fuzz.sh TARGET SECONDS SEED_DIR...
# A crash, leak, sanitizer report or timeout makes libFuzzer exit non-zero,
# and so this script.  SMMU_FUZZ_SECONDS overrides SECONDS.
set -eu
target=$1
seconds=${SMMU_FUZZ_SECONDS:-$2}
shift 2
work=$(mktemp -d "${TMPDIR:-/tmp}/smmu-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/artifacts"
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${SMMU_FUZZ_MAX_LEN:-4096}" \
	-print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "$@" 2>&1 |
	tail -n 30 > "$work/log" || true
cat "$work/log"
# The pipeline hides libFuzzer's status; an artifact or a missing "Done" line
# means it found something.
if [ -n "$(ls -A "$work/artifacts")" ] || ! grep -q "^Done " "$work/log"; then
	for f in "$work"/artifacts/*; do
		[ -f "$f" ] && { echo "crashing input ($f):"; od -c "$f" | head -40; }
	done
	exit 1
fi
