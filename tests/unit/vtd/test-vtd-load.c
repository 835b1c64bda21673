/* SPDX-License-Identifier: Apache-2.0 */
/* smmu-vtd.so as the service loads it: the file is found by its type, exports a descriptor of
 * this ABI with every operation, and the descriptor works through dlopen(). */
#include <errno.h>

#include "cmocka-all.h"
#include "module-test-util.h"
#include "vtd-test-util.h"

/* `smmu vtd` loads smmu-vtd.so, whose descriptor has this ABI, its size, its name and its name;
 * srv_backend_load() has checked that every operation is there. */
static void test_module_exports_a_complete_descriptor(void **state)
{
	struct srv_backend_library lib;

	(void)state;
	module_test_load(MODULE_DIR, "vtd", false, &lib);
	assert_module_descriptor(&lib, "vtd");
	srv_backend_unload(&lib);
}

/* Through dlopen() the library starts on the file machine, probes a unit and stops. */
static void test_module_runs_a_unit(void **state)
{
	struct srv_backend_library lib;
	struct file_machine m;
	struct smmu_backend_unit *unit;
	char params[64];

	(void)state;
	module_test_load(MODULE_DIR, "vtd", false, &lib);
	file_machine_create(&m, 0, 0);
	assert_int_equal(lib.backend->init(backend_test_host_reset(m.spec), "require"), 0);
	assert_int_equal(lib.backend->unit_create(
				 "dmar0", file_unit_params(NULL, params, sizeof(params)), &unit),
			 0);
	assert_non_null(strstr(test_host.log, "3-level tables"));
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
