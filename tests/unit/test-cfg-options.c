/* SPDX-License-Identifier: Apache-2.0 */
/* Every option of the configuration language: what it records, how repeats
 * combine (accumulate or last wins), and each of its errors. */
#include <errno.h>
#include <string.h>

#include "cfg-test-util.h"
#include "common/alloc.h"

#define CL "<command line>:1:"

/* Parses input that must be valid into *cfg. */
static void parse_ok(const char *input, struct cfg_config *cfg)
{
	struct cfg_diags diags = {0};

	assert_int_equal(cfg_test_parse(input, cfg, &diags), 0);
	assert_int_equal(diags.error_count, 0);
	cfg_diags_fini(&diags);
}

/* debug takes 0, 1 or 2; the last one wins. */
static void test_debug(void **state)
{
	(void)state;
	cfg_test_assert_dump("debug 1", "debug 1\n");
	cfg_test_assert_dump("debug 2 debug 0", "debug 0\n");
	cfg_test_assert_dump("", "");
	cfg_test_expect_error("debug 3", CL "7: error: debug level must be 0, 1 or 2");
	cfg_test_expect_error("debug x", CL "7: error: debug level: expected a number");
	cfg_test_expect_error("debug", CL "6: error: missing argument: debug LEVEL");
}

/* foreground takes nothing. */
static void test_foreground(void **state)
{
	(void)state;
	cfg_test_assert_dump("foreground foreground", "foreground\n");
	cfg_test_expect_error("foreground yes", CL "12: error: unknown option 'yes'");
}

/* safety is none, warn or required; the last one wins. */
static void test_safety(void **state)
{
	(void)state;
	cfg_test_assert_dump("safety none", "safety none\n");
	cfg_test_assert_dump("safety warn safety required", "safety required\n");
	cfg_test_expect_error("safety maybe", CL "8: error: safety must be none, warn or required");
}

/* smmu TYPE [PARAMS]: the last one wins, PARAMS kept as written. */
static void test_smmu(void **state)
{
	struct cfg_config cfg = {0};

	(void)state;
	cfg_test_assert_dump("smmu vtd", "smmu vtd\n");
	cfg_test_assert_dump("smmu vtd require smmu smmu-armsmmu-safety.so",
			     "smmu smmu-armsmmu-safety.so\n");
	cfg_test_assert_dump("smmu rcar3 0xe67b0000,228,18,0x4f.0x20",
			     "smmu rcar3 0xe67b0000,228,18,0x4f.0x20\n");
	parse_ok("debug 1\nsmmu vtd ignore", &cfg);
	assert_string_equal(cfg.smmu.name, "vtd");
	assert_string_equal(cfg.smmu.params, "ignore");
	assert_int_equal(cfg.smmu.loc.line, 2);
	assert_int_equal(cfg.smmu.loc.col, 6);
	cfg_config_fini(&cfg);
	cfg_test_expect_error("smmu", CL "5: error: missing argument: smmu TYPE [PARAMS]");
	cfg_test_expect_error("smmu unit", CL "6: error: 'unit' is an option keyword and cannot "
					      "be a support library type");
	cfg_test_expect_error("smmu v/td",
			      CL "7: error: '/' cannot appear in a support library type");
}

/* An optional argument is not taken when the next word is a keyword. */
static void test_optional_argument_stops_at_keyword(void **state)
{
	(void)state;
	cfg_test_assert_dump("smmu vtd debug 1", "debug 1\nsmmu vtd\n");
}

/* platform NAME [PARAMS], socket PATH and libdir DIR: the last one wins. */
static void test_service_settings(void **state)
{
	(void)state;
	cfg_test_assert_dump("platform qtest /tmp/q.sock,/dev/shm/ram platform devmem",
			     "platform devmem\n");
	cfg_test_assert_dump(
		"socket /tmp/a.sock socket /run/b.sock libdir /opt/lib libdir /usr/lib/smmuman",
		"socket /run/b.sock\nlibdir /usr/lib/smmuman\n");
	cfg_test_expect_error(
		"socket /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		CL "8: error: socket path is longer than the 107 bytes");
}

/* unit NAME PARAMS accumulate; a name declared twice is an error. */
static void test_unit(void **state)
{
	(void)state;
	cfg_test_assert_dump("unit dmar0 0xfed90000 unit mmu500 0x51400000,64,66,1,4:5:16,imx8",
			     "unit dmar0 0xfed90000\nunit mmu500 0x51400000,64,66,1,4:5:16,imx8\n");
	cfg_test_expect_error("unit a 1 unit a 2", CL "15: error: unit 'a' is already declared at "
						      "<command line>:1");
	cfg_test_expect_error("unit a", CL "7: error: missing argument: unit NAME PARAMS");
}

/* PCI devices: decimal bus:dev.func, optional segment, range checks. */
static void test_device_pci(void **state)
{
	struct cfg_config cfg = {0};

	(void)state;
	parse_ok("device pci:0:18.0 device pci:1:0:31.7 device pci:0x10:0d2.1", &cfg);
	assert_int_equal(cfg.device_count, 3);
	assert_int_equal(cfg.devices[0].id.kind, CFG_DEVICE_PCI);
	assert_int_equal(cfg.devices[0].id.pci.bus, 0);
	assert_int_equal(cfg.devices[0].id.pci.dev, 18);
	assert_int_equal(cfg.devices[1].id.pci.segment, 1);
	assert_int_equal(cfg.devices[1].id.pci.dev, 31);
	assert_int_equal(cfg.devices[1].id.pci.func, 7);
	assert_int_equal(cfg.devices[2].id.pci.bus, 16);
	assert_int_equal(cfg.devices[2].origin, CFG_ORIGIN_USER);
	cfg_config_fini(&cfg);
	cfg_test_expect_error("device pci:256:0.0", CL "12: error: PCI bus must be at most 255");
	cfg_test_expect_error("device pci:0:32.0", CL "14: error: PCI device must be at most 31");
	cfg_test_expect_error("device pci:0:1.8", CL "16: error: PCI function must be at most 7");
	cfg_test_expect_error("device pci:65536:0:1.0",
			      CL "12: error: PCI segment must be at most 65535");
	cfg_test_expect_error("device pci:0",
			      CL "8: error: PCI device needs bus, device and function");
	cfg_test_expect_error("device pci:0:1", CL "15: error: expected DEV.FUNC after the bus");
	cfg_test_expect_error("device pci:0:1.2.3", CL "17: error: too many '.'-separated fields");
	cfg_test_expect_error("device pci:0:0:0:1.0",
			      CL "17: error: too many ':'-separated fields");
	cfg_test_expect_error("device pci:0:a.0", CL "14: error: PCI device: expected a number");
	cfg_test_expect_error("device pci::1.0", CL "12: error: PCI bus: empty number");
	cfg_test_expect_error("device usb:1", CL "8: error: unknown device 'usb:1'");
}

/* MMIO devices: mem:PADDR with an optional length. */
static void test_device_mem(void **state)
{
	(void)state;
	cfg_test_assert_dump("device mem:E6EF0000 device mem:0x1000,4K device mem:0x1000",
			     "device mem:0xe6ef0000\ndevice mem:0x1000,0x1000\n");
	cfg_test_expect_error("device mem:", CL "12: error: device address: empty number");
	cfg_test_expect_error("device mem:1000,0", CL "17: error: length must not be zero");
	cfg_test_expect_error("device mem:1000,4K device mem:1000,8K",
			      CL "27: error: this device was given another length");
}

/* Naming a device again makes it current again and adds allow sets to it. */
static void test_device_repeated_merges(void **state)
{
	struct cfg_config cfg = {0};

	(void)state;
	parse_ok("allow a 1000,1 allow b 2000,1 device pci:0:1.0 a device pci:0:2.0 "
		 "device pci:0:1.0 b device pci:0:1.0 a reserved 5000,4K",
		 &cfg);
	assert_int_equal(cfg.device_count, 2);
	assert_int_equal(cfg.devices[0].allow_ref_count, 2);
	assert_string_equal(cfg.devices[0].allow_refs[0].name, "a");
	assert_string_equal(cfg.devices[0].allow_refs[1].name, "b");
	assert_int_equal(cfg.devices[0].reserved_count, 1);
	assert_int_equal(cfg.devices[1].reserved_count, 0);
	cfg_config_fini(&cfg);
}

/* A device's allow set must be defined somewhere in the configuration. */
static void test_device_undefined_allow_set(void **state)
{
	(void)state;
	cfg_test_expect_error("device pci:0:18.0 smbs0",
			      CL "19: error: no 'allow smbs0 ...' option defines this set");
	/* Defined later in reading order is fine. */
	cfg_test_assert_dump("device pci:0:18.0 x allow x 0,1",
			     "allow x 0x0,0x1,st\ndevice pci:0:18.0 x\n");
}

/* use UNIT [PARAM] and reserved START,LEN apply to the current device. */
static void test_use_and_reserved(void **state)
{
	struct cfg_config cfg = {0};

	(void)state;
	parse_ok("device mem:0xE6EF0000 use vi0 0 use vi0 0 use vi1 "
		 "reserved 0x80000000,64M reserved 0x80000000,64M",
		 &cfg);
	assert_int_equal(cfg.devices[0].use_count, 2);
	assert_string_equal(cfg.devices[0].uses[0].unit, "vi0");
	assert_string_equal(cfg.devices[0].uses[0].param, "0");
	assert_null(cfg.devices[0].uses[1].param);
	assert_int_equal(cfg.devices[0].reserved_count, 1);
	assert_int_equal(cfg.devices[0].reserved[0].start, 0x80000000);
	assert_int_equal(cfg.devices[0].reserved[0].size, 64 << 20);
	cfg_config_fini(&cfg);
	cfg_test_expect_error("use vi0 0",
			      CL "1: error: 'use' applies to the current device: put it after a "
				 "'device' option");
	cfg_test_expect_error("reserved 0,4K",
			      CL "1: error: 'reserved' applies to the current device");
	/* A bad device line leaves no current device behind. */
	cfg_test_expect_error("device pci:0:1.0 device pci:0:99.0 use u",
			      CL "31: error: PCI device must be at most 31");
	cfg_test_expect_error("reserved", CL "9: error: missing argument: reserved START,LEN");
}

/* Ranges: a length, no zero length, no wrap past 2^64. */
static void test_ranges(void **state)
{
	(void)state;
	cfg_test_expect_error("device pci:0:1.0 reserved 1000", CL "31: error: expected START,LEN");
	cfg_test_expect_error("device pci:0:1.0 reserved 1000,0",
			      CL "32: error: length must not be zero");
	cfg_test_expect_error("device pci:0:1.0 reserved ffffffffffffffff,2",
			      CL "44: error: range goes past the end");
	cfg_test_assert_dump("device pci:0:1.0 reserved ffffffffffffffff,1",
			     "device pci:0:1.0\nreserved 0xffffffffffffffff,0x1\n");
	cfg_test_expect_error("device pci:0:1.0 reserved 1000,4K,st",
			      CL "34: error: too many ','-separated fields");
}

/* allow NAME START,LEN[,PERMS]: accumulates; PERMS s, t, st; none = both. */
static void test_allow(void **state)
{
	struct cfg_config cfg = {0};

	(void)state;
	cfg_test_assert_dump("allow foo 4K,1k device pci:0:1.0 foo",
			     "allow foo 0x1000,0x400,st\ndevice pci:0:1.0 foo\n");
	parse_ok("allow a 4000,4096,s allow a 10000,4K,t allow b 0,1,ts device pci:0:1.0 a "
		 "device pci:0:1.0 b",
		 &cfg);
	assert_int_equal(cfg.allow_count, 3);
	assert_int_equal(cfg.allows[0].start, 0x4000);
	assert_int_equal(cfg.allows[0].size, 4096);
	assert_int_equal(cfg.allows[0].perms, CFG_PERM_SOURCE);
	assert_int_equal(cfg.allows[1].perms, CFG_PERM_TARGET);
	assert_int_equal(cfg.allows[2].perms, CFG_PERM_BOTH);
	assert_int_equal(cfg_allow_next(&cfg, "a", 1), 1);
	assert_int_equal(cfg_allow_next(&cfg, "a", 2), 3);
	assert_string_equal(cfg.allows[1].loc.file, "<command line>");
	assert_int_equal(cfg.allows[1].loc.col, 27);
	cfg_config_fini(&cfg);
	cfg_test_expect_error("allow a 0,1,x", CL "13: error: unknown permission 'x'");
	cfg_test_expect_error("allow a 0,1,ss", CL "14: error: permission 's' given twice");
	cfg_test_expect_error("allow a 0,1,", CL "13: error: empty permissions");
	cfg_test_expect_error("allow a 0,1,s,t", CL "14: error: too many ','-separated fields");
	cfg_test_expect_error("allow a 0x,1", CL "11: error: start address: no digits");
	cfg_test_expect_error("allow a",
			      CL "8: error: missing argument: allow NAME START,LEN[,PERMS]");
	cfg_test_expect_error("allow device 0,1", CL "7: error: 'device' is an option keyword");
}

/* An allow set no device uses is a warning, not an error. */
static void test_allow_unused_warns(void **state)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};

	(void)state;
	assert_int_equal(cfg_test_parse("allow a 0,1 allow a 5,1", &cfg, &diags), 0);
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.items[0].severity, CFG_SEVERITY_WARNING);
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
}

/* permit ABILITY[:ABILITY] WHO[,WHO...]: one record per ability and principal. */
static void test_permit(void **state)
{
	(void)state;
	cfg_test_assert_dump("permit attach:target uid:1000,group:video permit attach uid:1000",
			     "permit attach uid:1000\npermit target uid:1000\n"
			     "permit attach group:video\npermit target group:video\n");
	cfg_test_assert_dump("permit target gid:27,user:qvm",
			     "permit target gid:27\npermit target user:qvm\n");
	cfg_test_expect_error("permit steal uid:0", CL "8: error: unknown ability");
	cfg_test_expect_error("permit attach pid:1", CL "15: error: expected uid:N, gid:N");
	cfg_test_expect_error("permit attach uid:x", CL "19: error: id: expected a number");
	cfg_test_expect_error("permit attach uid:4294967295", CL "19: error: id must be below");
	cfg_test_expect_error("permit attach user:", CL "20: error: bad user or group name");
	cfg_test_expect_error("permit attach user:a/b",
			      CL "21: error: '/' cannot appear in a user");
}

/* An error in one option does not stop the others on the same line. */
static void test_errors_are_local_to_an_option(void **state)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};

	(void)state;
	assert_int_equal(cfg_test_parse("debug 9 smmu vtd safety x foreground", &cfg, &diags),
			 -EINVAL);
	assert_int_equal(diags.error_count, 2);
	assert_string_equal(cfg.smmu.name, "vtd");
	assert_true(cfg.foreground);
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
}

#define TEST(t) cmocka_unit_test_setup(t, cfg_test_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_debug),
		TEST(test_foreground),
		TEST(test_safety),
		TEST(test_smmu),
		TEST(test_optional_argument_stops_at_keyword),
		TEST(test_service_settings),
		TEST(test_unit),
		TEST(test_device_pci),
		TEST(test_device_mem),
		TEST(test_device_repeated_merges),
		TEST(test_device_undefined_allow_set),
		TEST(test_use_and_reserved),
		TEST(test_ranges),
		TEST(test_allow),
		TEST(test_allow_unused_warns),
		TEST(test_permit),
		TEST(test_errors_are_local_to_an_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
