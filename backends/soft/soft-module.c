/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one symbol smmu-soft.so exports: the descriptor the service looks up by name after
 * dlopen() (server/backend-load.h).  Built from the same initializer as soft_backend, which
 * the unit tests use, so they test this table.
 */
#include "backends/soft/soft.h"

SMMU_EXPORT const struct smmu_backend smmu_backend = SOFT_BACKEND_DESCRIPTOR;
