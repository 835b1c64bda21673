/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tables the SMMUv3 library builds, read back from the memory the hardware would read:
 * a machine that is one ordinary file (smmuv3-test-util.h) holds a unit's ID registers as
 * QEMU resets them and the table memory.  Everything here happens before unit_enable(),
 * where the library writes tables without a handshake; the stream table, CDs and LPAE
 * tables are then read by a walker written here from the specification (IHI 0070 3.3, 5;
 * Arm ARM D8.3).
 */
#include <errno.h>

#include "cmocka-all.h"
#include "hw/hw-table-mem.h"
#include "smmuv3-test-util.h"

/* The library through the descriptor it exports. */
static const struct smmu_backend *const be = &smmuv3_backend;

struct fixture {
	struct file_machine machine;
	struct smmu_backend_unit *unit;
};

static struct fixture *fixture_new(uint32_t idr0, uint32_t idr1, const char *type_params,
				   const char *unit_params)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	file_machine_create(&f->machine, idr0, idr1, 0);
	assert_int_equal(be->init(backend_test_host_reset(f->machine.spec), type_params), 0);
	assert_int_equal(be->unit_create("smmu0", unit_params, &f->unit), 0);
	return f;
}

static void fixture_free(struct fixture *f)
{
	be->unit_destroy(f->unit);
	be->fini();
	file_machine_destroy(&f->machine);
	free(f);
}

/* The STE of `sid` as the hardware finds it: through the level-1 descriptor when the
 * table is two-level (split 8); false when no STE is reachable. */
static bool hw_ste(const struct fixture *f, uint32_t sid, uint64_t ret_ste[8])
{
	uint64_t base = f->unit->strtab_pa;
	uint64_t at;

	if (f->unit->strtab_two_level) {
		uint64_t l1 = file_mem_read64(&f->machine, base + (sid >> 8) * 8u);

		if ((l1 & 0x1f) == 0) {
			return false;
		}
		assert_int_equal(l1 & 0x1f, 9);
		at = (l1 & GENMASK(51, 6)) + (sid & 0xffu) * 64u;
	} else {
		at = base + (uint64_t)sid * 64u;
	}
	for (unsigned w = 0; w < 8; w++) {
		ret_ste[w] = file_mem_read64(&f->machine, at + w * 8u);
	}
	return true;
}

/* A 4 KiB-granule walk of `ias` bits from `root` (Arm ARM D8.3): the leaf or 0. */
static uint64_t hw_walk(const struct fixture *f, uint64_t root, unsigned ias, uint64_t iova)
{
	unsigned levels = (ias - 12 + 8) / 9;
	uint64_t table = root;

	for (unsigned l = levels; l-- > 0;) {
		uint64_t pte = file_mem_read64(
			&f->machine, table + ((iova >> (12 + 9 * l)) & GENMASK(8, 0)) * 8u);

		if (!(pte & 1)) {
			return 0;
		}
		if (l == 0 || (pte & 3) == 1) {
			return pte;
		}
		table = pte & GENMASK(47, 12);
	}
	return 0;
}

/* A bound device is blocked: its STE is stage 1 with the blocking CD (ASID 0) whose table
 * maps nothing, so its DMA faults with an event; neighbours stay invalid, reserved
 * StreamIDs bypass, and only the span in use has a level-2 table. */
static void test_bound_device_is_blocked(void **state)
{
	struct fixture *f = fixture_new(0, 0, NULL, "0x10000,0,4:5");
	union smmu_devid id = pci_devid(0, 1, 0);
	struct smmu_backend_device *dev;
	uint64_t key = 0, ste[8], ttb0 = 0, cd[8];
	uint16_t asid = 1;

	(void)state;
	assert_int_equal(be->device_bind(f->unit, &id, "8", &dev, &key), 0);
	assert_int_equal(key, 8);
	assert_true(f->unit->strtab_two_level);
	assert_int_equal(f->unit->strtab_log2size, 16);
	assert_true(hw_ste(f, 8, ste));
	assert_int_equal(ste[0] & 0xf, 0xb); /* V, Config 0b101 */
	for (unsigned w = 0; w < 8; w++) {
		cd[w] = file_mem_read64(&f->machine, (ste[0] & GENMASK(51, 6)) + w * 8u);
	}
	assert_true(smmuv3_cd_decode(cd, &ttb0, &asid));
	assert_int_equal(asid, 0);
	assert_true(cd[0] & BIT(46)); /* CD.A: QEMU's terminate model refuses a CD without it */
	assert_true(cd[0] & BIT(45)); /* CD.R: faults are recorded */
	assert_int_equal(hw_walk(f, ttb0, 44, 0x41000000), 0);
	assert_true(hw_ste(f, 9, ste));
	assert_int_equal(ste[0], 0);
	assert_true(hw_ste(f, 4, ste));
	assert_int_equal(ste[0] & 0xf, 0x9); /* V, Config 0b100: bypass */
	assert_true(hw_ste(f, 5, ste));
	assert_int_equal(ste[0] & 0xf, 0x9);
	assert_false(hw_ste(f, 0x100, ste));
	be->device_unbind(dev);
	fixture_free(f);
}

/* Attach points the STE at the domain's CD (its own ASID, TTB0 its table) and a mapping is
 * found by the walk; attach(NULL) returns to the blocking CD. */
static void test_attach_and_map(void **state)
{
	struct fixture *f = fixture_new(0, 0, NULL, "0x10000");
	union smmu_devid id = pci_devid(0, 2, 0);
	struct smmu_backend_device *dev;
	struct smmu_backend_domain *dom;
	uint64_t key, ste[8], cd[8], ttb0 = 0, blocking_cd, pte;
	uint16_t asid = 0;

	(void)state;
	assert_int_equal(be->device_bind(f->unit, &id, "0x10", &dev, &key), 0);
	assert_true(hw_ste(f, 16, ste));
	blocking_cd = ste[0] & GENMASK(51, 6);
	assert_int_equal(be->domain_create(f->unit, &dom), 0);
	assert_int_equal(be->map(dom, 0x41000000, 0x42000000, 0x2000, SMMU_PROT_READ), 0);
	assert_int_equal(be->device_attach(dev, dom), 0);
	assert_true(hw_ste(f, 16, ste));
	assert_int_not_equal(ste[0] & GENMASK(51, 6), blocking_cd);
	for (unsigned w = 0; w < 8; w++) {
		cd[w] = file_mem_read64(&f->machine, (ste[0] & GENMASK(51, 6)) + w * 8u);
	}
	assert_true(smmuv3_cd_decode(cd, &ttb0, &asid));
	assert_int_equal(asid, 1);
	pte = hw_walk(f, ttb0, 44, 0x41001000);
	assert_int_equal(pte & GENMASK(47, 12), 0x42001000);
	assert_true(pte & BIT(7)); /* AP[2]: read-only */
	assert_int_equal(hw_walk(f, ttb0, 44, 0x41002000), 0);
	/* Write-only cannot be expressed at stage 1 and is refused, not widened. */
	assert_int_equal(be->map(dom, 0x43000000, 0x43000000, 0x1000, SMMU_PROT_WRITE),
			 -EOPNOTSUPP);
	/* Beyond the 44-bit input range. */
	assert_int_equal(be->map(dom, 1ull << 44, 0, 0x1000, SMMU_PROT_READ), -ERANGE);
	assert_int_equal(be->device_attach(dev, NULL), 0);
	assert_true(hw_ste(f, 16, ste));
	assert_int_equal(ste[0] & GENMASK(51, 6), blocking_cd);
	be->domain_destroy(dom);
	be->device_unbind(dev);
	fixture_free(f);
}

/* Reserved StreamIDs, StreamIDs beyond the table, a second binding and a device without a
 * `use` line are refused. */
static void test_bind_refusals(void **state)
{
	struct fixture *f = fixture_new(0, 0, NULL, "0x10000,0,4:5");
	union smmu_devid id = pci_devid(0, 1, 0);
	union smmu_devid mmio = {.mmio = {.type = SDT_MMIO, .length = 4096, .phys = 0xa000000}};
	struct smmu_backend_device *dev, *other;
	uint64_t key;

	(void)state;
	assert_int_equal(be->device_bind(f->unit, &id, "4", &dev, &key), -EBUSY);
	assert_non_null(strstr(test_host.log, "StreamID 4 is reserved"));
	assert_int_equal(be->device_bind(f->unit, &id, "65536", &dev, &key), -ERANGE);
	assert_int_equal(be->device_bind(f->unit, &id, NULL, &dev, &key), -ENOENT);
	assert_int_equal(be->device_bind(f->unit, &id, "", &dev, &key), -EINVAL);
	assert_int_equal(be->device_bind(f->unit, &mmio, "16", &dev, &key), 0);
	assert_int_equal(key, 16);
	assert_int_equal(be->device_bind(f->unit, &id, "16", &other, &key), -EBUSY);
	be->device_unbind(dev);
	fixture_free(f);
}

/* A small SIDSIZE gives a linear table; with BYPASS 1 every StreamID nobody uses bypasses,
 * and an unbound device stays blocked instead of returning to bypass. */
static void test_linear_bypass(void **state)
{
	uint32_t idr1 = (QEMU_IDR1 & ~(uint32_t)SMMU_IDR1_SIDSIZE) | 8u;
	struct fixture *f = fixture_new(0, idr1, NULL, "0x10000,1");
	union smmu_devid id = pci_devid(0, 1, 0);
	struct smmu_backend_device *dev;
	uint64_t key, ste[8], blocked;

	(void)state;
	assert_int_equal(be->device_bind(f->unit, &id, "3", &dev, &key), 0);
	assert_false(f->unit->strtab_two_level);
	assert_int_equal(f->unit->strtab_log2size, 8);
	for (uint32_t sid = 0; sid < 256; sid++) {
		assert_true(hw_ste(f, sid, ste));
		assert_int_equal(ste[0] & 0xf, sid == 3 ? 0xb : 0x9);
	}
	assert_true(hw_ste(f, 3, ste));
	blocked = ste[0];
	be->device_unbind(dev);
	assert_true(hw_ste(f, 3, ste));
	assert_int_equal(ste[0], blocked);
	fixture_free(f);
}

/* A stage-2-only unit: the STE holds the domain's VMID, VTCR and S2TTB. */
static void test_stage2_ste(void **state)
{
	uint32_t idr0 = (QEMU_IDR0 & ~(uint32_t)SMMU_IDR0_S1P) | (uint32_t)SMMU_IDR0_S2P;
	struct fixture *f = fixture_new(idr0, 0, NULL, "0x10000");
	union smmu_devid id = pci_devid(0, 1, 0);
	struct smmu_backend_device *dev;
	struct smmu_backend_domain *dom;
	uint64_t key, ste[8];

	(void)state;
	assert_int_equal(f->unit->stage, 2);
	assert_int_equal(be->device_bind(f->unit, &id, "8", &dev, &key), 0);
	assert_true(hw_ste(f, 8, ste));
	assert_int_equal(ste[0] & 0xf, 0xd);  /* V, Config 0b110 */
	assert_int_equal(ste[2] & 0xffff, 0); /* the blocking domain's VMID */
	assert_int_equal(be->domain_create(f->unit, &dom), 0);
	assert_int_equal(be->map(dom, 0x41000000, 0x41000000, 0x1000, SMMU_PROT_WRITE), 0);
	assert_int_equal(be->device_attach(dev, dom), 0);
	assert_true(hw_ste(f, 8, ste));
	assert_int_equal(ste[2] & 0xffff, 1);
	assert_int_equal((ste[2] >> 32) & 0x3f, 64 - 44);
	assert_int_equal((ste[2] >> 48) & 7, 4);
	assert_true(ste[2] & BIT(51)); /* S2AA64 */
	assert_true(ste[2] & BIT(58)); /* S2R */
	assert_int_equal(ste[3], dom->info.root_pa);
	assert_int_equal((ste[2] >> 38) & 3, 2 - dom->info.start_level);
	assert_int_equal(be->device_attach(dev, NULL), 0);
	be->domain_destroy(dom);
	be->device_unbind(dev);
	fixture_free(f);
}

/* stage=2 on a unit without stage 2 is refused at unit_create, with a log line. */
static void test_stage_not_offered(void **state)
{
	struct file_machine m;
	struct smmu_backend_unit *unit;

	(void)state;
	file_machine_create(&m, 0, 0, 0);
	assert_int_equal(be->init(backend_test_host_reset(m.spec), "stage=2"), 0);
	assert_int_equal(be->unit_create("smmu0", "0x10000", &unit), -EOPNOTSUPP);
	assert_non_null(strstr(test_host.log, "stage=2"));
	be->fini();
	file_machine_destroy(&m);
}

/* Unit creation changes nothing when the unit is off, and the log names what was found. */
static void test_create_logs_unit(void **state)
{
	struct fixture *f = fixture_new(0, 0, "require", "0x10000");

	(void)state;
	assert_non_null(strstr(test_host.log, "16 StreamID bits"));
	assert_non_null(strstr(test_host.log, "stage 1"));
	assert_int_equal(test_host.problem_count, 0);
	assert_false(f->unit->hw_enabled);
	fixture_free(f);
}

/* Table memory taken page by page, to leave the library exactly the pages a test frees. */
struct filler {
	void *cpu[FILE_TABLES_SIZE / HW_TABLE_PAGE_SIZE];
	uint64_t pa[FILE_TABLES_SIZE / HW_TABLE_PAGE_SIZE];
	size_t count;
};

static void filler_take_all(struct filler *fill)
{
	fill->count = 0;
	while (fill->count < ARRAY_SIZE(fill->cpu) &&
	       smmuv3_table_alloc(HW_TABLE_PAGE_SIZE, &fill->cpu[fill->count],
				  &fill->pa[fill->count]) == 0) {
		fill->count++;
	}
}

/* Gives back the pages of [FILE_TABLES_PA + start, FILE_TABLES_PA + end). */
static void filler_give(struct filler *fill, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < fill->count; i++) {
		if (fill->cpu[i] && fill->pa[i] >= FILE_TABLES_PA + start &&
		    fill->pa[i] < FILE_TABLES_PA + end) {
			smmuv3_table_free(fill->cpu[i], fill->pa[i], HW_TABLE_PAGE_SIZE);
			fill->cpu[i] = NULL;
		}
	}
}

/* A stream table whose level-2 tables for reserved StreamIDs ran out of table memory is
 * finished by the next try: the reserved StreamIDs bypass once memory is there, rather
 * than staying without an STE because the top of the table already existed. */
static void test_strtab_retry_builds_reserved_spans(void **state)
{
	struct fixture *f = fixture_new(0, 0, NULL, "0x10000,0,0x100:0x200");
	union smmu_devid id = pci_devid(1, 0, 1);
	struct smmu_backend_device *dev;
	struct filler fill;
	uint64_t key, ste[8];

	(void)state;
	/* Three pages for the top of the table, the blocking domain's root and its CD, and
	 * one 16 KiB level-2 table: the second reserved span finds no room. */
	filler_take_all(&fill);
	filler_give(&fill, 0x1000, 0x8000);
	assert_int_equal(be->device_bind(f->unit, &id, "0x101", &dev, &key), -ENOMEM);
	assert_non_null(f->unit->strtab_cpu);
	assert_non_null(f->unit->blocking);
	filler_give(&fill, 0x8000, 0x10000);
	assert_int_equal(be->device_bind(f->unit, &id, "0x101", &dev, &key), 0);
	assert_true(hw_ste(f, 0x100, ste));
	assert_int_equal(ste[0] & 0xf, 0x9); /* V, Config 0b100: bypass */
	assert_true(hw_ste(f, 0x200, ste));
	assert_int_equal(ste[0] & 0xf, 0x9);
	be->device_unbind(dev);
	filler_give(&fill, 0, FILE_TABLES_SIZE);
	fixture_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound_device_is_blocked),
		cmocka_unit_test(test_attach_and_map),
		cmocka_unit_test(test_bind_refusals),
		cmocka_unit_test(test_linear_bypass),
		cmocka_unit_test(test_stage2_ste),
		cmocka_unit_test(test_stage_not_offered),
		cmocka_unit_test(test_create_logs_unit),
		cmocka_unit_test(test_strtab_retry_builds_reserved_spans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
