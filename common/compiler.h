/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Small language helpers every layer may use: array sizes, "cannot happen"
 * markers and attribute spellings.  Depends on nothing.
 */
#ifndef SMMU_COMMON_COMPILER_H
#define SMMU_COMMON_COMPILER_H

#include <assert.h>
#include <stdbool.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * ALWAYS(x) and NEVER(x) mark conditions we believe cannot be otherwise but
 * still handle (after sqlite:src/sqliteInt.h).  Debug builds assert; release
 * builds evaluate to the condition so the defensive branch still runs.
 */
#ifdef NDEBUG
#define ALWAYS(x) (x)
#define NEVER(x) (x)
#else
#define ALWAYS(x) ((x) ? true : (assert(0 && "ALWAYS(" #x ")"), false))
#define NEVER(x) ((x) ? (assert(0 && "NEVER(" #x ")"), true) : false)
#endif

#define SMMU_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#define SMMU_UNUSED __attribute__((unused))
#define SMMU_WARN_UNUSED __attribute__((warn_unused_result))

#endif
