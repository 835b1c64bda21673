/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Between core/backend.h and pgtable (backend-pt.h): permissions, input ranges and the
 * answer of a leaf to one access, the same for every backend built on pgtable.
 */
#include "backends/common/backend-pt.h"

#include <errno.h>

/**
 * backend_pt_prot() - SMMU_PROT_* as PT_PROT_*.  Without SMMU_PROT_EXEC the entry forbids
 * instruction fetches where the format can say so; a format that cannot express a
 * combination (write-only at LPAE stage 1) refuses it in pt_map() with -EOPNOTSUPP rather
 * than grant more.  Return: 0; -EINVAL for unknown bits.
 */
int backend_pt_prot(unsigned prot, unsigned *ret_pt_prot)
{
	if (prot & ~(unsigned)BACKEND_PROT_ALL) {
		return -EINVAL;
	}
	*ret_pt_prot = (prot & SMMU_PROT_READ ? PT_PROT_READ : 0u) |
		       (prot & SMMU_PROT_WRITE ? PT_PROT_WRITE : 0u) |
		       (prot & SMMU_PROT_EXEC ? 0u : PT_PROT_NOEXEC);
	return 0;
}

/**
 * backend_check_input_range() - whether [iova, iova + size) lies below 2^input_bits, the
 * input addresses the unit translates.  Return: 0; -EINVAL for size 0; -EOVERFLOW when the
 * range wraps; -ERANGE when it reaches 2^input_bits.
 */
int backend_check_input_range(uint64_t iova, uint64_t size, unsigned input_bits)
{
	uint64_t last;

	if (size == 0) {
		return -EINVAL;
	}
	if (__builtin_add_overflow(iova, size - 1, &last)) {
		return -EOVERFLOW;
	}
	return last >> input_bits ? -ERANGE : 0;
}

/**
 * backend_leaf_refusal() - what `leaf`, the entry that maps `iova`, answers to one access
 * (SMMU_ACCESS_READ or _WRITE): SMMU_REFUSAL_NONE with *ret_pa, READ_ONLY for a write it does
 * not permit, WRITE_ONLY for a read it does not permit.
 */
unsigned backend_leaf_refusal(const struct pt_leaf *leaf, uint64_t iova, unsigned access,
			      uint64_t *ret_pa)
{
	if (access == SMMU_ACCESS_WRITE && !(leaf->prot & PT_PROT_WRITE)) {
		return SMMU_REFUSAL_READ_ONLY;
	}
	if (access == SMMU_ACCESS_READ && !(leaf->prot & PT_PROT_READ)) {
		return SMMU_REFUSAL_WRITE_ONLY;
	}
	*ret_pa = leaf->pa + (iova - leaf->iova);
	return SMMU_REFUSAL_NONE;
}

/**
 * backend_translate_space() - the last step of translate() once the backend has found the
 * domain from the hardware's entries: one access to `iova` through the domain's tables, of
 * which the unit translates `input_bits` bits.
 * Return: 0 and *ret_refusal (NOT_MAPPED when nothing maps iova or it is at or above
 * 2^input_bits, otherwise as backend_leaf_refusal()); pt_lookup()'s other errors.
 */
int backend_translate_space(struct pt_space *space, unsigned input_bits, uint64_t iova,
			    unsigned access, uint64_t *ret_pa, unsigned *ret_refusal)
{
	struct pt_leaf leaf;
	int r = iova >> input_bits ? -ERANGE : pt_lookup(space, iova, &leaf);

	if (r == -ENOENT || r == -ERANGE) {
		*ret_refusal = SMMU_REFUSAL_NOT_MAPPED;
		return 0;
	}
	if (r < 0) {
		return r;
	}
	*ret_refusal = backend_leaf_refusal(&leaf, iova, access, ret_pa);
	return 0;
}
