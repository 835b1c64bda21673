/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core's mapping vocabulary (core/backend.h) in pgtable's terms, for every backend whose
 * domains are pgtable address spaces: a map request's permissions and range, and what a
 * looked-up leaf answers to an access in translate().  What a unit's tables can express
 * stays the format's decision (pgtable/fmt-*.c), and how a domain is found from the
 * hardware's entries stays the backend's.
 */
#ifndef SMMU_BACKENDS_COMMON_BACKEND_PT_H
#define SMMU_BACKENDS_COMMON_BACKEND_PT_H

#include <stdint.h>

#include "core/backend.h"
#include "pgtable/pgtable.h"

/* Every SMMU_PROT_* bit a map request may carry. */
#define BACKEND_PROT_ALL (SMMU_PROT_READ | SMMU_PROT_WRITE | SMMU_PROT_EXEC)

int backend_pt_prot(unsigned prot, unsigned *ret_pt_prot);
int backend_check_input_range(uint64_t iova, uint64_t size, unsigned input_bits);
unsigned backend_leaf_refusal(const struct pt_leaf *leaf, uint64_t iova, unsigned access,
			      uint64_t *ret_pa);
int backend_translate_space(struct pt_space *space, unsigned input_bits, uint64_t iova,
			    unsigned access, uint64_t *ret_pa, unsigned *ret_refusal);

#endif
