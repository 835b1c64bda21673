/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Register and descriptor fields as masks built from the specification's
 * bit numbers (STYLE.md 5): one mask per field, no SHIFT/MASK pairs.
 *
 * FIELD_PREP/FIELD_GET/FIELD_FIT refuse, at compile time, a mask that is
 * zero or not a constant: the bit-field width below becomes negative and
 * the translation unit does not compile (the trick of Linux's
 * BUILD_BUG_ON_ZERO).  GENMASK and BIT work on run-time values too.
 */
#ifndef SMMU_COMMON_BITFIELD_H
#define SMMU_COMMON_BITFIELD_H

#include <stdint.h>

#define BIT(n) ((uint64_t)1 << (n))
/* Bits h..l set, h >= l, numbered as the specifications number them. */
#define GENMASK(h, l) ((~(uint64_t)0 >> (63 - (h))) & (~(uint64_t)0 << (l)))

#define FIELD_MASK_CHECK(mask)                                                                     \
	(0 * sizeof(struct {                                                                       \
		 int mask_must_be_a_nonzero_constant : (__builtin_constant_p(mask) && (mask) != 0) \
						       ? 1                                         \
						       : -1;                                       \
	 }))

/* `val` placed in the field; bits of val beyond the field are dropped. */
#define FIELD_PREP(mask, val) \
	(FIELD_MASK_CHECK(mask) + (((uint64_t)(val) << __builtin_ctzll(mask)) & (uint64_t)(mask)))
/* The field's value, shifted down. */
#define FIELD_GET(mask, reg) \
	(FIELD_MASK_CHECK(mask) + (((uint64_t)(reg) & (uint64_t)(mask)) >> __builtin_ctzll(mask)))
/* Whether an untrusted value fits in the field. */
#define FIELD_FIT(mask, val)                                                       \
	(FIELD_MASK_CHECK(mask) +                                                  \
	 ((((uint64_t)(val) << __builtin_ctzll(mask)) & ~(uint64_t)(mask)) == 0 && \
	  ((uint64_t)(val) >> (63 - __builtin_ctzll(mask))) >> 1 == 0))

#endif
