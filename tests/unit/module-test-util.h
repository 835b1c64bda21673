/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Helpers of the tests that load a support library (smmu-TYPE.so) as the service does, through
 * srv_backend_load(): loading with the loader's reason on failure, and the checks every loaded
 * descriptor passes.  Include after cmocka-all.h.
 */
#ifndef SMMU_TESTS_MODULE_TEST_UTIL_H
#define SMMU_TESTS_MODULE_TEST_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "server/backend-load.h"

/* Loads smmu-TYPE.so (or the safety service's choice) from `dir`; fails the test, with the
 * loader's reason, when it cannot. */
static inline void module_test_load(const char *dir, const char *type, bool safety,
				    struct srv_backend_library *ret_lib)
{
	struct strbuf why = STRBUF_INIT;

	if (srv_backend_load(dir, type, safety, ret_lib, &why) < 0) {
		fail_msg("cannot load smmu-%s.so from %s: %s", type, dir, strbuf_str(&why));
	}
	strbuf_fini(&why);
}

/* The library came from smmu-TYPE.so and its descriptor has this ABI, its size and the name
 * `type`; srv_backend_load() has checked that every operation is there. */
static inline void assert_module_descriptor(const struct srv_backend_library *lib, const char *type)
{
	char file[64];

	snprintf(file, sizeof(file), "smmu-%s.so", type);
	assert_non_null(strstr(lib->path, file));
	assert_int_equal(lib->backend->abi_version, SMMU_BACKEND_ABI_VERSION);
	assert_int_equal(lib->backend->size, sizeof(struct smmu_backend));
	assert_string_equal(lib->backend->name, type);
}

#endif
