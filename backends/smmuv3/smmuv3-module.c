/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one symbol smmu-smmuv3.so exports: the descriptor the service looks up by name after
 * dlopen() (server/backend-load.h).  Built from the same initializer as smmuv3_backend, which
 * the unit tests use, so they test this table.
 */
#include "backends/smmuv3/smmuv3.h"

SMMU_EXPORT const struct smmu_backend smmu_backend = SMMUV3_BACKEND_DESCRIPTOR;
