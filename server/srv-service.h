/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service's life: load the support library, protect every configured
 * device, listen, say it is ready, serve, and stop cleanly on SIGTERM.
 *
 * Design safe state (QNX's DSS): when the service cannot protect what the
 * configuration asks for (no support library and no virtual IOMMU, a
 * broken library, a unit that fails, a safety policy that forbids an
 * uncertified component) it exits non-zero and says why, before it
 * signals readiness.
 */
#ifndef SMMU_SERVER_SRV_SERVICE_H
#define SMMU_SERVER_SRV_SERVICE_H

#include <stdbool.h>

#include "config/config.h"

struct srv_service_options {
	bool safety_variant; /* this is smmuman-safety */
	const char *socket_path;
	const char *libdir;
};

/* Runs the service; returns the process's exit status. */
int srv_service_run(const struct cfg_config *cfg, const struct srv_service_options *options);

#endif
