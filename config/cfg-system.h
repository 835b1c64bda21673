/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The configuration layer's window on the system: reading files and the
 * environment, through the hooks of struct cfg_system so that tests and
 * fuzzers can substitute their own.
 */
#ifndef SMMU_CONFIG_CFG_SYSTEM_H
#define SMMU_CONFIG_CFG_SYSTEM_H

#include <stddef.h>

#include "config/config.h"

/* Fills every NULL hook of *system with the real implementation. */
void cfg_system_complete(struct cfg_system *system);

/* The real read_file hook: reads at most SMMU_CFG_MAX_FILE_SIZE bytes (files
 * under /proc report size 0, so it reads to end of file); the canonical name
 * is the realpath().  Returns 0 or -errno (-EFBIG when too large). */
int cfg_system_read_file(void *ctx, const char *path, char **ret_canonical, char **ret_text,
			 size_t *ret_size);

#endif
