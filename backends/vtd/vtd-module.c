/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one symbol smmu-vtd.so exports: the descriptor the service looks up by name after
 * dlopen() (server/backend-load.h).  Built from the same initializer as vtd_backend, which
 * the unit tests use, so they test this table.
 */
#include "backends/vtd/vtd.h"

SMMU_EXPORT const struct smmu_backend smmu_backend = VTD_BACKEND_DESCRIPTOR;
