/* SPDX-License-Identifier: Apache-2.0 */
/* smmu-smmuv3.so as the service loads it: the file is found by its type, exports a descriptor of
 * this ABI with every operation, and the descriptor works through dlopen(). */
#include <errno.h>

#include "cmocka-all.h"
#include "common/strbuf.h"
#include "server/backend-load.h"
#include "smmuv3-test-util.h"

/* `smmu smmuv3` loads smmu-smmuv3.so, whose descriptor has this ABI, its size, its name and its
 * name; srv_backend_load() has checked that every operation is there. */
static void test_module_exports_a_complete_descriptor(void **state)
{
	struct srv_backend_library lib;
	struct strbuf why = STRBUF_INIT;
	const struct smmu_backend *b;

	(void)state;
	if (srv_backend_load(MODULE_DIR, "smmuv3", false, &lib, &why) < 0) {
		fail_msg("cannot load smmu-smmuv3.so from %s: %s", MODULE_DIR, strbuf_str(&why));
	}
	strbuf_fini(&why);
	b = lib.backend;
	assert_non_null(strstr(lib.path, "smmu-smmuv3.so"));
	assert_int_equal(b->abi_version, SMMU_BACKEND_ABI_VERSION);
	assert_int_equal(b->size, sizeof(struct smmu_backend));
	assert_string_equal(b->name, "smmuv3");
	srv_backend_unload(&lib);
}

/* Through dlopen() the library starts on the file machine, probes a unit and stops. */
static void test_module_runs_a_unit(void **state)
{
	struct srv_backend_library lib;
	struct strbuf why = STRBUF_INIT;
	struct file_machine m;
	struct smmu_backend_unit *unit;

	(void)state;
	assert_int_equal(srv_backend_load(MODULE_DIR, "smmuv3", false, &lib, &why), 0);
	strbuf_fini(&why);
	file_machine_create(&m, 0, 0, 0);
	assert_int_equal(lib.backend->init(smmuv3_test_host_reset(m.spec), "require"), 0);
	assert_int_equal(lib.backend->unit_create("smmu0", "0x10000", &unit), 0);
	assert_non_null(strstr(test_host.log, "two-level stream table offered"));
	lib.backend->unit_destroy(unit);
	lib.backend->fini();
	file_machine_destroy(&m);
	srv_backend_unload(&lib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_exports_a_complete_descriptor),
		cmocka_unit_test(test_module_runs_a_unit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
