/* SPDX-License-Identifier: Apache-2.0 */
/* --dump-config's canonical form, and that it is a fixed point: the dump
 * of a dump is the same text. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cfg-test-util.h"
#include "common/alloc.h"
#include "common/strbuf.h"

/* Dumps input, parses the dump, dumps again: both dumps must agree. */
static char *assert_fixed_point(const char *input)
{
	char *first = cfg_test_dump(input);
	char *second;

	/* The dump is multi-line text; feed it as a file. */
	cfg_test_file("dump.smmu", first);
	second = cfg_test_dump("@dump.smmu");
	assert_string_equal(first, second);
	smmu_free(second);
	return first;
}

/* Every kind of option in canonical form, in canonical order. */
static void test_canonical_form(void **state)
{
	char *dump;

	(void)state;
	cfg_test_file("all.smmu", "device mem:E6EF0000 vin   # an MMIO device\n"
				  "use vi0 0\n"
				  "reserved 80000000,0d1048576\n"
				  "allow vin 1000,4K,t\n"
				  "allow vin 0x0d000,1k,ts\n"
				  "unit vi0 0xfebd0000,9\n"
				  "permit attach:target uid:1000\n"
				  "libdir /opt/smmu\n"
				  "socket /run/smmu.sock\n"
				  "platform qtest /tmp/q.sock,/dev/shm/ram\n"
				  "smmu rcar3 0xe67b0000,228,18,0x4f.0x20\n"
				  "safety warn\n"
				  "foreground\n"
				  "debug 1\n"
				  "device pci:3:0:18.0 vin\n");
	dump = assert_fixed_point("@all.smmu");
	assert_string_equal(dump, "debug 1\n"
				  "foreground\n"
				  "safety warn\n"
				  "smmu rcar3 0xe67b0000,228,18,0x4f.0x20\n"
				  "platform qtest /tmp/q.sock,/dev/shm/ram\n"
				  "socket /run/smmu.sock\n"
				  "libdir /opt/smmu\n"
				  "permit attach uid:1000\n"
				  "permit target uid:1000\n"
				  "unit vi0 0xfebd0000,9\n"
				  "allow vin 0x1000,0x1000,t\n"
				  "allow vin 0xd000,0x400,st\n"
				  "device mem:0xe6ef0000 vin\n"
				  "use vi0 0\n"
				  "reserved 0x80000000,0x100000\n"
				  "device pci:3:0:18.0 vin\n");
	smmu_free(dump);
}

/* The issue's example: allow foo 4K,1k is allow foo 0x1000,0x400,st. */
static void test_issue_example(void **state)
{
	char *dump;

	(void)state;
	dump = assert_fixed_point("allow foo 4K,1k device pci:0:18.0 foo");
	assert_string_equal(dump, "allow foo 0x1000,0x400,st\ndevice pci:0:18.0 foo\n");
	smmu_free(dump);
}

/* A device named twice with two allow sets dumps as two device lines. */
static void test_device_with_two_allow_sets(void **state)
{
	char *dump;

	(void)state;
	dump = assert_fixed_point("allow a 0,1 allow b 1,1,s device pci:0:1.0 a use u "
				  "device pci:0:1.0 b reserved 0,1");
	assert_string_equal(dump, "allow a 0x0,0x1,st\nallow b 0x1,0x1,s\n"
				  "device pci:0:1.0 a\ndevice pci:0:1.0 b\nuse u\n"
				  "reserved 0x0,0x1\n");
	smmu_free(dump);
}

/* device ids format as the configuration writes them. */
static void test_device_id_format(void **state)
{
	struct cfg_device_id pci = {.kind = CFG_DEVICE_PCI, .pci = {0, 0, 18, 0}};
	struct cfg_device_id seg = {.kind = CFG_DEVICE_PCI, .pci = {2, 255, 31, 7}};
	struct cfg_device_id mem = {.kind = CFG_DEVICE_MEM, .mem = {0xE6EF0000, 0}};
	struct strbuf out = STRBUF_INIT;

	(void)state;
	cfg_device_id_format(&pci, &out);
	strbuf_putc(&out, ' ');
	cfg_device_id_format(&seg, &out);
	strbuf_putc(&out, ' ');
	cfg_device_id_format(&mem, &out);
	assert_string_equal(strbuf_str(&out), "pci:0:18.0 pci:2:255:31.7 mem:0xe6ef0000");
	strbuf_fini(&out);
}

/* Every example configuration is valid and its dump is a fixed point. */
static void test_examples(void **state)
{
	const char *dir_path = SMMU_SOURCE_ROOT "/examples";
	struct cfg_parse_options *options = cfg_test_options();
	struct dirent *entry;
	size_t checked = 0;
	DIR *dir;

	(void)state;
	dir = opendir(dir_path);
	assert_non_null(dir);
	while ((entry = readdir(dir)) != NULL) {
		size_t len = strlen(entry->d_name);
		char input[512];
		char *first;
		char *second;

		if (len < 5 || strcmp(entry->d_name + len - 5, ".smmu") != 0) {
			continue;
		}
		/* Examples are read from disk; the dump goes back through memory. */
		options->system.read_file = NULL;
		options->syspage_path = SMMU_SOURCE_ROOT "/examples/x86-vtd.syspage";
		snprintf(input, sizeof(input), "@%s/%s", dir_path, entry->d_name);
		first = cfg_test_dump(input);
		cfg_test_reset(NULL);
		cfg_test_file("dump.smmu", first);
		second = cfg_test_dump("@dump.smmu");
		assert_string_equal(first, second);
		smmu_free(first);
		smmu_free(second);
		checked++;
	}
	closedir(dir);
	assert_true(checked >= 3);
}

#define TEST(t) cmocka_unit_test_setup(t, cfg_test_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_canonical_form),
		TEST(test_issue_example),
		TEST(test_device_with_two_allow_sets),
		TEST(test_device_id_format),
		TEST(test_examples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
