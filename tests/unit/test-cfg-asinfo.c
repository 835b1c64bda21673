/* SPDX-License-Identifier: Apache-2.0 */
/* $asinfo_start{} and $asinfo_length{}: the syspage file, the device tree's
 * /reserved-memory and /proc/iomem, their order, and ambiguous names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg-test-util.h"
#include "common/alloc.h"

#define CL "<command line>:1:"

static char dt_root[64];

static void write_file(const char *path, const void *bytes, size_t size)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, size, f), size);
	fclose(f);
}

static void write_node(const char *name, const unsigned char *reg, size_t size)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/reserved-memory/%s", dt_root, name);
	assert_int_equal(mkdir(path, 0700), 0);
	if (reg) {
		snprintf(path, sizeof(path), "%s/reserved-memory/%s/reg", dt_root, name);
		write_file(path, reg, size);
	}
}

/* A device tree as /proc/device-tree shows it: two address and two size
 * cells, big-endian. */
static int make_devicetree(void **state)
{
	static const unsigned char two[] = {0, 0, 0, 2};
	static const unsigned char ramoops[] = {0, 0, 0, 0, 0xb0, 0,	0, 0,
						0, 0, 0, 0, 0,	  0x10, 0, 0};
	static const unsigned char smbs0[] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0};
	static const unsigned char twice[] = {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0};
	char path[128];

	cfg_test_reset(state);
	strcpy(dt_root, "/tmp/smmu-dt-XXXXXX");
	assert_non_null(mkdtemp(dt_root));
	snprintf(path, sizeof(path), "%s/reserved-memory", dt_root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/reserved-memory/#address-cells", dt_root);
	write_file(path, two, sizeof(two));
	snprintf(path, sizeof(path), "%s/reserved-memory/#size-cells", dt_root);
	write_file(path, two, sizeof(two));
	write_node("ramoops@b0000000", ramoops, sizeof(ramoops));
	write_node("smbs0@100000000", smbs0, sizeof(smbs0));
	write_node("dyn", NULL, 0); /* no reg: allocated by the OS, skipped */
	write_node("twice@10000", twice, sizeof(twice));
	write_node("twice@20000", twice, sizeof(twice));
	write_node("short@0", two, sizeof(two)); /* reg too short: skipped */
	/* Five entries: the first one counts. */
	unsigned char multi[5 * 16] = {0};
	multi[3] = 0x7;
	multi[13] = 0x30;
	write_node("multi@700000000", multi, sizeof(multi));
	cfg_test_options()->devicetree_root = dt_root;
	return 0;
}

static int remove_devicetree(void **state)
{
	char command[128];

	(void)state;
	snprintf(command, sizeof(command), "rm -rf '%s'", dt_root);
	assert_int_equal(system(command), 0);
	return 0;
}

/* The syspage file named by the options gives START and LENGTH as 0x hex. */
static void test_syspage_file(void **state)
{
	(void)state;
	cfg_test_file("sys.txt", "# name start,length\n"
				 "smbs0 0x80000000,64M\n"
				 "\txhci   C0000000,0x100000  # trailing comment\n");
	cfg_test_options()->syspage_path = "sys.txt";
	cfg_test_assert_dump("allow s $asinfo_start{smbs0},$asinfo_length{smbs0},st "
			     "allow x $asinfo_start{xhci},$asinfo_length{xhci} "
			     "device pci:0:18.0 s device pci:0:21.0 x",
			     "allow s 0x80000000,0x4000000,st\nallow x 0xc0000000,0x100000,st\n"
			     "device pci:0:18.0 s\ndevice pci:0:21.0 x\n");
}

/* $SMMUMAN_SYSPAGE names the syspage file when the options do not. */
static void test_syspage_from_environment(void **state)
{
	(void)state;
	cfg_test_file("env-sys.txt", "buf 1000,4K\n");
	cfg_test_env("SMMUMAN_SYSPAGE", "env-sys.txt");
	cfg_test_assert_dump("device pci:0:1.0 b allow b $asinfo_start{buf},$asinfo_length{buf}",
			     "allow b 0x1000,0x1000,st\ndevice pci:0:1.0 b\n");
}

/* Mistakes in the syspage file are reported in that file's terms. */
static void test_syspage_errors(void **state)
{
	(void)state;
	cfg_test_options()->syspage_path = "sys.txt";
	cfg_test_file("sys.txt", "ok 0,1\nbad 0x1000,12a\n");
	cfg_test_expect_error("debug $asinfo_start{ok}",
			      "sys.txt:2:14: error: not a decimal digit");
	cfg_test_reset(NULL);
	cfg_test_options()->syspage_path = "sys.txt";
	cfg_test_file("sys.txt", "a/b 0,1\n");
	cfg_test_expect_error("debug $asinfo_start{x}",
			      "sys.txt:1:1: error: an asinfo name is a leaf");
	cfg_test_reset(NULL);
	cfg_test_options()->syspage_path = "sys.txt";
	cfg_test_file("sys.txt", "a\nb 1 2\nc 1\nd 1,0\n");
	cfg_test_expect_error("debug $asinfo_start{x}",
			      "sys.txt:1:2: error: expected START,LENGTH after the name");
	cfg_test_reset(NULL);
	cfg_test_options()->syspage_path = "missing.txt";
	cfg_test_expect_error("debug $asinfo_start{x}",
			      "missing.txt: error: cannot read the syspage file");
}

/* A name twice in the source that has it is ambiguous. */
static void test_syspage_duplicate_is_ambiguous(void **state)
{
	(void)state;
	cfg_test_options()->syspage_path = "sys.txt";
	cfg_test_file("sys.txt", "buf 0,1\nbuf 5,1\n");
	cfg_test_expect_error("allow b $asinfo_start{buf},1",
			      CL "23: error: asinfo name 'buf' is ambiguous: the syspage file "
				 "sys.txt has it 2 times");
}

/* A path instead of a leaf name is an error that shows the leaf name. */
static void test_path_is_refused(void **state)
{
	(void)state;
	cfg_test_expect_error("allow ahci $asinfo_start{/memory/below4G/ram/testMem},10M,st",
			      CL "26: error: asinfo names are leaf names: write 'testMem', not "
				 "the path '/memory/below4G/ram/testMem'");
}

/* An unknown name lists where it was looked for. */
static void test_unknown_name(void **state)
{
	(void)state;
	cfg_test_options()->syspage_path = "sys.txt";
	cfg_test_file("sys.txt", "\n");
	cfg_test_expect_error("debug $asinfo_length{nope}", CL
			      "22: error: no asinfo entry named 'nope' (looked in the syspage file "
			      "sys.txt, the device tree /tmp/smmu-dt-");
}

/* /reserved-memory children by node name without @unit, from reg. */
static void test_devicetree_reserved_memory(void **state)
{
	(void)state;
	cfg_test_assert_dump(
		"device pci:0:1.0 r allow r $asinfo_start{ramoops},$asinfo_length{ramoops} "
		"allow r $asinfo_start{smbs0},$asinfo_length{smbs0}",
		"allow r 0xb0000000,0x100000,st\nallow r 0x100000000,0x200000,st\n"
		"device pci:0:1.0 r\n");
	cfg_test_assert_dump("unit m $asinfo_start{multi},$asinfo_length{multi}",
			     "unit m 0x700000000,0x300000\n");
	cfg_test_expect_error("debug $asinfo_start{dyn}",
			      CL "21: error: no asinfo entry named 'dyn'");
	cfg_test_expect_error("debug $asinfo_start{short}", CL "21: error: no asinfo entry named");
	cfg_test_expect_error("debug $asinfo_start{twice}",
			      CL "21: error: asinfo name 'twice' is ambiguous: the device tree");
}

/* /proc/iomem entries by name, END inclusive, nested lines too. */
static void test_iomem(void **state)
{
	(void)state;
	cfg_test_file("iomem", "00000000-00000fff : Reserved\n"
			       "00100000-bfffffff : System RAM\n"
			       "  01000000-01ffffff : Kernel code\n"
			       "fed90000-fed90fff : dmar0\n"
			       "100000000-43fffffff : System RAM\n"
			       "garbage line\n");
	cfg_test_assert_dump(
		"device pci:0:1.0 k allow k $asinfo_start{Kernel code},$asinfo_length{Kernel code}",
		"allow k 0x1000000,0x1000000,st\ndevice pci:0:1.0 k\n");
	cfg_test_assert_dump("unit dmar0 $asinfo_start{dmar0}", "unit dmar0 0xfed90000\n");
	cfg_test_expect_error("debug $asinfo_start{System RAM}", CL
			      "21: error: asinfo name 'System RAM' is ambiguous: the iomem iomem "
			      "has it 2 times");
}

/* Without privilege the kernel shows 0-0 for every range: say so. */
static void test_iomem_hidden_addresses(void **state)
{
	(void)state;
	cfg_test_file("iomem", "00000000-00000000 : Reserved\n00000000-00000000 : dmar0\n");
	cfg_test_expect_error("unit dmar0 $asinfo_start{dmar0}",
			      CL "26: error: asinfo name 'dmar0' found in iomem, but the kernel "
				 "hides its addresses");
}

/* The first source that has a name answers: syspage, then device tree,
 * then iomem; a duplicate in a later source does not matter. */
static void test_source_order(void **state)
{
	(void)state;
	cfg_test_file("iomem", "00001000-00001fff : ramoops\n00002000-00002fff : ramoops\n"
			       "00003000-00003fff : onlyiomem\n");
	cfg_test_file("sys.txt", "ramoops 0x5000,1\n");
	cfg_test_assert_dump("unit a $asinfo_start{ramoops} unit b $asinfo_start{onlyiomem}",
			     "unit a 0xb0000000\nunit b 0x3000\n");
	cfg_test_options()->syspage_path = "sys.txt";
	cfg_test_assert_dump("unit a $asinfo_start{ramoops}", "unit a 0x5000\n");
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, make_devicetree, remove_devicetree)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_syspage_file),
		TEST(test_syspage_from_environment),
		TEST(test_syspage_errors),
		TEST(test_syspage_duplicate_is_ambiguous),
		TEST(test_path_is_refused),
		TEST(test_unknown_name),
		TEST(test_devicetree_reserved_memory),
		TEST(test_iomem),
		TEST(test_iomem_hidden_addresses),
		TEST(test_source_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
