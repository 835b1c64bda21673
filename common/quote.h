/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Untrusted text in a log line (STYLE.md 8): a parameter a configuration,
 * a client or a firmware table supplied is quoted bounded and printable, so
 * that it can neither flood the log nor write control characters into it.
 */
#ifndef SMMU_COMMON_QUOTE_H
#define SMMU_COMMON_QUOTE_H

#include <stddef.h>

/* Longest piece of untrusted text a log line quotes. */
#define SMMU_QUOTE_MAX 48
/* A buffer that holds any quote, the cut marker and the NUL. */
#define SMMU_QUOTE_SIZE (SMMU_QUOTE_MAX + 4)

/* Copies `len` bytes of `text` into buf: at most SMMU_QUOTE_MAX, "..."
 * after a cut, every byte that is not printable ASCII as '?'.  A buffer
 * smaller than SMMU_QUOTE_SIZE only truncates. */
void smmu_quote(const char *text, size_t len, char *buf, size_t size);

#endif
