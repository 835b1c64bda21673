/* SPDX-License-Identifier: Apache-2.0 */
/* hw/provider-devmem.c, as far as it can run without root: an ordinary file stands in for
 * /dev/mem and a directory for /sys/bus/pci/devices.  The open errors of the real paths are
 * checked to name the path and the cause. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmocka-all.h"
#include "common/strbuf.h"
#include "hw/hw.h"

#define FILE_SIZE (64u << 10)

struct fixture {
	char mem_path[64];
	char sysfs_dir[64];
	char config_path[128];
	struct hw_bus *bus;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char spec[256];
	unsigned char config[256] = {0};

	strcpy(f->mem_path, "/tmp/test-hw-devmem.XXXXXX");
	int fd = mkstemp(f->mem_path);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, FILE_SIZE), 0);
	close(fd);

	/* A fake sysfs with one function, 0000:00:01.0, vendor 1234 device 11e8. */
	strcpy(f->sysfs_dir, "/tmp/test-hw-sysfs.XXXXXX");
	assert_non_null(mkdtemp(f->sysfs_dir));
	snprintf(f->config_path, sizeof(f->config_path), "%s/0000:00:01.0", f->sysfs_dir);
	assert_int_equal(mkdir(f->config_path, 0700), 0);
	strcat(f->config_path, "/config");
	config[0] = 0x34;
	config[1] = 0x12;
	config[2] = 0xe8;
	config[3] = 0x11;
	FILE *cf = fopen(f->config_path, "wb");

	assert_non_null(cf);
	assert_int_equal(fwrite(config, sizeof(config), 1, cf), 1);
	fclose(cf);

	snprintf(spec, sizeof(spec), "devmem:mem=%s,sysfs=%s", f->mem_path, f->sysfs_dir);
	assert_int_equal(hw_open(spec, &f->bus, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char dir[128];

	hw_close(f->bus);
	unlink(f->mem_path);
	unlink(f->config_path);
	snprintf(dir, sizeof(dir), "%s/0000:00:01.0", f->sysfs_dir);
	rmdir(dir);
	rmdir(f->sysfs_dir);
	free(f);
	return 0;
}

/* The provider says what it is. */
static void test_provider_name(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(hw_bus_provider(f->bus), "devmem");
}

/* A 32-bit register write is read back, and lands at file offset = physical address. */
static void test_register_roundtrip32(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 0, in_file = 0;

	assert_int_equal(hw_write32(f->bus, 0x2004, 0xdeadbeef), 0);
	assert_int_equal(hw_read32(f->bus, 0x2004, &v), 0);
	assert_int_equal(v, 0xdeadbeef);
	int fd = open(f->mem_path, O_RDONLY);

	assert_int_equal(pread(fd, &in_file, 4, 0x2004), 4);
	close(fd);
	assert_int_equal(in_file, 0xdeadbeef);
}

/* A 64-bit register is one access of all 64 bits. */
static void test_register_roundtrip64(void **state)
{
	struct fixture *f = *state;
	uint64_t v = 0;

	assert_int_equal(hw_write64(f->bus, 0x3008, 0x00d2008c22260206ull), 0);
	assert_int_equal(hw_read64(f->bus, 0x3008, &v), 0);
	assert_true(v == 0x00d2008c22260206ull);
}

/* Providers without a batched repeat read it register by register; 16-bit writes are one
 * access of two bytes. */
static void test_read64_repeat_and_write16(void **state)
{
	struct fixture *f = *state;
	uint64_t values[3] = {0};
	uint16_t in_file = 0;

	assert_int_equal(hw_write64(f->bus, 0x3010, 0x1122334455667788ull), 0);
	assert_int_equal(hw_read64_repeat(f->bus, 0x3010, values, 3), 0);
	for (int i = 0; i < 3; i++) {
		assert_true(values[i] == 0x1122334455667788ull);
	}
	assert_int_equal(hw_write16(f->bus, 0x3020, 0xbeef), 0);
	int fd = open(f->mem_path, O_RDONLY);

	assert_int_equal(pread(fd, &in_file, 2, 0x3020), 2);
	close(fd);
	assert_int_equal(in_file, 0xbeef);
	assert_int_equal(hw_write16(f->bus, 0x3021, 0), -EINVAL);
}

/* Unaligned register accesses are refused before touching anything. */
static void test_register_unaligned(void **state)
{
	struct fixture *f = *state;
	uint32_t v32;
	uint64_t v64;

	assert_int_equal(hw_read32(f->bus, 0x1002, &v32), -EINVAL);
	assert_int_equal(hw_read64(f->bus, 0x1004, &v64), -EINVAL);
	assert_int_equal(hw_write32(f->bus, 0x1001, 0), -EINVAL);
	assert_non_null(strstr(hw_bus_error(f->bus), "not naturally aligned"));
}

/* A register beyond the stand-in file is -ERANGE, not a SIGBUS. */
static void test_register_beyond_file(void **state)
{
	struct fixture *f = *state;
	uint32_t v;

	assert_int_equal(hw_read32(f->bus, FILE_SIZE, &v), -ERANGE);
	assert_non_null(strstr(hw_bus_error(f->bus), f->mem_path));
}

/* The memory window and register access see the same bytes. */
static void test_window_shares_registers(void **state)
{
	struct fixture *f = *state;
	void *cpu;
	uint32_t v = 0;

	assert_int_equal(hw_mem_map(f->bus, 0x5000, 8192, &cpu), 0);
	((volatile uint32_t *)cpu)[1] = 0x12345678;
	assert_int_equal(hw_read32(f->bus, 0x5004, &v), 0);
	assert_int_equal(v, 0x12345678);
}

/* A window may start and end off page boundaries. */
static void test_window_unaligned_range(void **state)
{
	struct fixture *f = *state;
	void *cpu;
	uint32_t v = 0;

	assert_int_equal(hw_mem_map(f->bus, 0x6ffe, 4, &cpu), 0);
	memcpy(cpu, "\x11\x22\x33\x44", 4);
	assert_int_equal(hw_read32(f->bus, 0x7000, &v), 0);
	assert_int_equal(v & 0xffff, 0x4433);
}

/* An empty or wrapping window is -EINVAL. */
static void test_window_bad_range(void **state)
{
	struct fixture *f = *state;
	void *cpu;

	assert_int_equal(hw_mem_map(f->bus, 0x1000, 0, &cpu), -EINVAL);
	assert_int_equal(hw_mem_map(f->bus, UINT64_MAX - 10, 4096, &cpu), -EINVAL);
}

/* PCI configuration reads come from the function's sysfs config file, little-endian. */
static void test_pci_cfg_read(void **state)
{
	struct fixture *f = *state;
	struct hw_pci_bdf bdf = {.device = 1};
	uint32_t v = 0;

	assert_int_equal(hw_pci_cfg_read(f->bus, bdf, 0, 4, &v), 0);
	assert_int_equal(v, 0x11e81234);
	assert_int_equal(hw_pci_cfg_read(f->bus, bdf, 2, 2, &v), 0);
	assert_int_equal(v, 0x11e8);
	assert_int_equal(hw_pci_cfg_read(f->bus, bdf, 1, 1, &v), 0);
	assert_int_equal(v, 0x12);
}

/* PCI configuration writes reach the config file at the right offset. */
static void test_pci_cfg_write(void **state)
{
	struct fixture *f = *state;
	struct hw_pci_bdf bdf = {.device = 1};
	uint32_t v = 0;

	assert_int_equal(hw_pci_cfg_write(f->bus, bdf, 4, 2, 0x0006), 0);
	assert_int_equal(hw_pci_cfg_write(f->bus, bdf, 0x10, 4, 0xfe000000), 0);
	assert_int_equal(hw_pci_cfg_read(f->bus, bdf, 4, 2, &v), 0);
	assert_int_equal(v, 6);
	assert_int_equal(hw_pci_cfg_read(f->bus, bdf, 0x10, 4, &v), 0);
	assert_int_equal(v, 0xfe000000);
}

/* A function that does not exist is -ENOENT, and the error names the sysfs path. */
static void test_pci_cfg_missing_function(void **state)
{
	struct fixture *f = *state;
	struct hw_pci_bdf bdf = {.device = 2};
	uint32_t v;

	assert_int_equal(hw_pci_cfg_read(f->bus, bdf, 0, 4, &v), -ENOENT);
	assert_non_null(strstr(hw_bus_error(f->bus), "0000:00:02.0/config"));
}

/* Reading past the end of config space is -EIO with an explanation, not garbage. */
static void test_pci_cfg_short_read(void **state)
{
	struct fixture *f = *state;
	struct hw_pci_bdf bdf = {.device = 1};
	uint32_t v;

	assert_int_equal(hw_pci_cfg_read(f->bus, bdf, 0x100, 4, &v), -EIO);
	assert_non_null(strstr(hw_bus_error(f->bus), "read 0 of 4 bytes"));
}

/* Bad configuration requests are refused: misaligned, wrong size, beyond 4 KiB, no device. */
static void test_pci_cfg_bad_requests(void **state)
{
	struct fixture *f = *state;
	struct hw_pci_bdf bdf = {.device = 1};
	struct hw_pci_bdf no_such = {.device = 32};
	uint32_t v;

	assert_int_equal(hw_pci_cfg_read(f->bus, bdf, 1, 2, &v), -EINVAL);
	assert_int_equal(hw_pci_cfg_read(f->bus, bdf, 0, 3, &v), -EINVAL);
	assert_int_equal(hw_pci_cfg_read(f->bus, bdf, 4096, 4, &v), -EINVAL);
	assert_int_equal(hw_pci_cfg_read(f->bus, no_such, 0, 4, &v), -EINVAL);
	assert_int_equal(hw_pci_cfg_write(f->bus, bdf, 4, 2, 0x10000), -EINVAL);
}

/* Port I/O and the clock are not devmem's: -EOPNOTSUPP naming the provider. */
static void test_unsupported(void **state)
{
	struct fixture *f = *state;
	uint32_t v;
	uint64_t now;
	unsigned char buf[4];

	assert_int_equal(hw_pio_read(f->bus, 0x510, 1, &v), -EOPNOTSUPP);
	assert_non_null(strstr(hw_bus_error(f->bus), "devmem provider has no port I/O"));
	assert_int_equal(hw_pio_write(f->bus, 0x510, 2, 0x19), -EOPNOTSUPP);
	assert_int_equal(hw_pio_read_bytes(f->bus, 0x511, buf, sizeof(buf)), -EOPNOTSUPP);
	assert_int_equal(hw_clock_step(f->bus, 1000, &now), -EOPNOTSUPP);
	assert_non_null(strstr(hw_bus_error(f->bus), "virtual clock"));
}

/* hw_poll32 returns as soon as the condition holds, with the value read. */
static void test_poll_immediate(void **state)
{
	struct fixture *f = *state;
	uint32_t last = 0;

	assert_int_equal(hw_write32(f->bus, 0x100, 0x80000001), 0);
	assert_int_equal(hw_poll32(f->bus, 0x100, 0x80000000, 0x80000000, 1000, &last), 0);
	assert_int_equal(last, 0x80000001);
}

/* hw_poll32 gives up with -ETIMEDOUT, the last value and a sentence with both values. */
static void test_poll_timeout(void **state)
{
	struct fixture *f = *state;
	uint32_t last = 0;

	assert_int_equal(hw_write32(f->bus, 0x100, 0x1), 0);
	assert_int_equal(hw_poll32(f->bus, 0x100, 0x1, 0x0, 1000, &last), -ETIMEDOUT);
	assert_int_equal(last, 1);
	assert_non_null(strstr(hw_bus_error(f->bus), "last read 0x00000001"));
}

/* No table range in the spec: hw_bus_tables says -ENOENT. */
static void test_no_tables(void **state)
{
	struct fixture *f = *state;
	uint64_t pa, size;

	assert_int_equal(hw_bus_tables(f->bus, &pa, &size), -ENOENT);
}

/* The table range of the spec is reported as given. */
static void test_tables_reported(void **state)
{
	struct fixture *f = *state;
	struct hw_bus *bus;
	char spec[128];
	uint64_t pa = 0, size = 0;

	snprintf(spec, sizeof(spec), "devmem:mem=%s,tables=0x4000,16K", f->mem_path);
	assert_int_equal(hw_open(spec, &bus, NULL), 0);
	assert_int_equal(hw_bus_tables(bus, &pa, &size), 0);
	assert_true(pa == 0x4000 && size == 0x4000);
	hw_close(bus);
}

/* A memory device that does not exist: -ENOENT, and the sentence names the path. */
static void test_open_missing(void **state)
{
	struct hw_bus *bus = NULL;
	struct strbuf why = STRBUF_INIT;

	(void)state;
	assert_int_equal(hw_open("devmem:mem=/nonexistent/mem", &bus, &why), -ENOENT);
	assert_null(bus);
	assert_non_null(strstr(strbuf_str(&why), "/nonexistent/mem"));
	assert_non_null(strstr(strbuf_str(&why), "No such file"));
	strbuf_fini(&why);
}

/* /dev/mem itself: root opens it, anyone else gets EACCES/EPERM and is told root is needed.
 * Which of the two happens depends on who runs the test; both are checked for clarity. */
static void test_open_dev_mem(void **state)
{
	struct hw_bus *bus = NULL;
	struct strbuf why = STRBUF_INIT;
	int r = hw_open("devmem", &bus, &why);

	(void)state;
	if (r == 0) {
		assert_string_equal(hw_bus_provider(bus), "devmem");
		hw_close(bus);
	} else {
		assert_true(r == -EACCES || r == -EPERM || r == -ENOENT);
		assert_non_null(strstr(strbuf_str(&why), "/dev/mem"));
		if (r != -ENOENT) {
			assert_non_null(strstr(strbuf_str(&why), "needs root"));
		}
	}
	strbuf_fini(&why);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_provider_name),
		T(test_register_roundtrip32),
		T(test_register_roundtrip64),
		T(test_read64_repeat_and_write16),
		T(test_register_unaligned),
		T(test_register_beyond_file),
		T(test_window_shares_registers),
		T(test_window_unaligned_range),
		T(test_window_bad_range),
		T(test_pci_cfg_read),
		T(test_pci_cfg_write),
		T(test_pci_cfg_missing_function),
		T(test_pci_cfg_short_read),
		T(test_pci_cfg_bad_requests),
		T(test_unsupported),
		T(test_poll_immediate),
		T(test_poll_timeout),
		T(test_no_tables),
		T(test_tables_reported),
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_open_dev_mem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
