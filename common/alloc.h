/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one allocation wrapper (STYLE.md 7).  Every heap allocation in the tree
 * goes through these so that a test can make the N-th call fail and walk each
 * failure path.  They behave like their libc namesakes; they never abort.
 */
#ifndef SMMU_COMMON_ALLOC_H
#define SMMU_COMMON_ALLOC_H

#include <stddef.h>

void *smmu_malloc(size_t size);
void *smmu_calloc(size_t count, size_t size);
void *smmu_realloc(void *ptr, size_t size);
/* Like realloc for an array; fails (NULL) when count * size overflows. */
void *smmu_reallocarray(void *ptr, size_t count, size_t size);
char *smmu_strdup(const char *s);
char *smmu_strndup(const char *s, size_t n);
void smmu_free(void *ptr);

/*
 * Test hook: after `countdown` more successful allocations, fail every later
 * one until the hook is reset with a negative countdown.  Returns how many
 * allocations were made since the last call, so a test can learn how many
 * failure points a path has.
 */
long smmu_alloc_fail_after(long countdown);

#endif
