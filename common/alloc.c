/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Allocation wrapper with failure injection for tests.  The counters are
 * process-global: the service is single-threaded (DESIGN.md), and tests that
 * inject failures run one case at a time.
 */
#include "alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long fail_countdown = -1;
static long alloc_count;

static int should_fail(void)
{
	alloc_count++;
	if (fail_countdown < 0) {
		return 0;
	}
	if (fail_countdown == 0) {
		return 1;
	}
	fail_countdown--;
	return 0;
}

long smmu_alloc_fail_after(long countdown)
{
	long made = alloc_count;

	alloc_count = 0;
	fail_countdown = countdown;
	return made;
}

void *smmu_malloc(size_t size)
{
	return should_fail() ? NULL : malloc(size ? size : 1);
}

void *smmu_calloc(size_t count, size_t size)
{
	if (should_fail()) {
		return NULL;
	}
	return calloc(count ? count : 1, size ? size : 1);
}

void *smmu_realloc(void *ptr, size_t size)
{
	return should_fail() ? NULL : realloc(ptr, size ? size : 1);
}

void *smmu_reallocarray(void *ptr, size_t count, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(count, size, &bytes)) {
		return NULL;
	}
	return smmu_realloc(ptr, bytes);
}

char *smmu_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *copy = smmu_malloc(len + 1);

	if (copy) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}

char *smmu_strdup(const char *s)
{
	return smmu_strndup(s, SIZE_MAX);
}

void smmu_free(void *ptr)
{
	free(ptr);
}
