/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The tables the VT-d library builds, read back from the memory the hardware would read:
 * a machine that is one ordinary file (vtd-test-util.h) holds a unit's registers as QEMU
 * resets them and the table memory.  Everything here happens before unit_enable(), where
 * the library writes tables without a register handshake; the tables are then walked by an
 * independent brute-force walker written from the VT-d specification (9.1, 9.3, 9.8).
 */
#include <errno.h>

#include "cmocka-all.h"
#include "hw/hw-table-mem.h"
#include "vtd-test-util.h"

/* The library through the descriptor it exports. */
static const struct smmu_backend *const be = &vtd_backend;

struct fixture {
	struct file_machine machine;
	struct smmu_backend_unit *unit;
};

/* A started library and one include-all unit on the file machine. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char params[64];

	assert_non_null(f);
	file_machine_create(&f->machine, 0, 0);
	assert_int_equal(be->init(backend_test_host_reset(f->machine.spec), NULL), 0);
	assert_int_equal(be->unit_create("dmar0",
					 file_unit_params(",include-all", params, sizeof(params)),
					 &f->unit),
			 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	be->unit_destroy(f->unit);
	be->fini();
	file_machine_destroy(&f->machine);
	free(f);
	return 0;
}

/* The context entry of `sid` as the hardware finds it: root table, then context table. */
static void hw_context_entry(const struct fixture *f, uint16_t sid, uint64_t ret_entry[2])
{
	uint64_t root = file_mem_read64(&f->machine, f->unit->root_pa + (sid >> 8) * 16u);
	uint64_t table;

	assert_true(root & 1);
	table = root & GENMASK(63, 12);
	assert_true(table >= FILE_TABLES_PA && table < FILE_TABLES_PA + FILE_TABLES_SIZE);
	ret_entry[0] = file_mem_read64(&f->machine, table + (sid & 0xffu) * 16u);
	ret_entry[1] = file_mem_read64(&f->machine, table + (sid & 0xffu) * 16u + 8);
}

/* A second-level walk of `levels` levels (9.8): the leaf PTE and its level (0 = 4 KiB), or
 * false when an entry on the way has neither R nor W. */
static bool hw_walk(const struct fixture *f, uint64_t slptptr, unsigned levels, uint64_t iova,
		    uint64_t *ret_pte, unsigned *ret_level)
{
	uint64_t table = slptptr;

	for (unsigned l = levels; l-- > 0;) {
		uint64_t pte =
			file_mem_read64(&f->machine, table + ((iova >> (12 + 9 * l)) & 511u) * 8u);

		if (!(pte & 3)) {
			return false;
		}
		if (l == 0 || (pte & BIT(7))) {
			*ret_pte = pte;
			*ret_level = l;
			return true;
		}
		table = pte & GENMASK(51, 12);
	}
	return false;
}

static struct smmu_backend_device *bind(struct fixture *f, unsigned dev)
{
	union smmu_devid id = pci_devid(0, dev, 0);
	struct smmu_backend_device *device;
	uint64_t key;

	assert_int_equal(be->device_bind(f->unit, &id, NULL, &device, &key), 0);
	assert_int_equal(key, vtd_source_id(0, dev, 0));
	return device;
}

/* unit_create reads the registers, logs what the unit offers, masks fault events, and
 * changes nothing translation depends on: RTADDR and GCMD untouched, no table allocated but
 * the blocking root, the first page of table memory, all zero. */
static void test_create_probes_and_changes_nothing(void **state)
{
	struct fixture *f = *state;

	assert_non_null(strstr(test_host.log, "unit dmar0 at 0x10000: VT-d 1.0, 3-level tables"));
	assert_int_equal(file_reg_read32(&f->machine, VTD_FECTL_REG), VTD_FECTL_IM);
	assert_int_equal(file_reg_read32(&f->machine, VTD_GCMD_REG), 0);
	assert_int_equal(file_mem_read64(&f->machine, FILE_REG_BASE + VTD_RTADDR_REG), 0);
	assert_int_equal(hw_table_mem_in_use(vtd_tables()), HW_TABLE_PAGE_SIZE);
	assert_int_equal(vtd_blocking_root_pa(), FILE_TABLES_PA);
	for (unsigned i = 0; i < HW_TABLE_PAGE_SIZE; i += 8) {
		assert_int_equal(file_mem_read64(&f->machine, FILE_TABLES_PA + i), 0);
	}
	assert_int_equal(be->fault_fd(f->unit), -1);
}

/* A unit with only 5-level tables, or no unit at the address, is refused with a line. */
static void test_create_refuses_what_it_cannot_drive(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_unit *unit = NULL;

	file_reg_write64(&f->machine, VTD_CAP_REG, (QEMU_CAP & ~VTD_CAP_SAGAW) | (0x8ull << 8));
	assert_int_equal(be->unit_create("dmar1", "0x10000", &unit), -EOPNOTSUPP);
	assert_non_null(strstr(test_host.log, "unit dmar1 at 0x10000: the unit offers no 3- or "
					      "4-level"));
	assert_int_equal(be->unit_create("dmar2", "0x20000", &unit), -ENODEV);
	assert_non_null(strstr(test_host.log, "unit dmar2 at 0x20000: no VT-d unit answers"));
	assert_int_equal(be->unit_create("dmar3", "0x20000,bypass", &unit), -EINVAL);
	assert_non_null(strstr(test_host.log, "unit dmar3: unknown parameter 'bypass'"));
	assert_null(unit);
}

/* Which devices a unit binds: any PCI function named by a `use` line, PCI functions without
 * one only when include-all, never memory-mapped devices or wildcards. */
static void test_bind_rules(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_unit *plain;
	struct smmu_backend_device *device, *other;
	union smmu_devid edu = pci_devid(0, 1, 0);
	union smmu_devid wild = pci_devid(0, SMMU_PCI_FIELD_ANY, 0);
	union smmu_devid bad = pci_devid(0, 32, 0);
	union smmu_devid mmio = {.mmio = {.type = SDT_MMIO, .length = 4096, .phys = 0x1000}};
	uint64_t key = 0;

	assert_int_equal(be->unit_create("plain", "0x10000", &plain), 0);
	assert_int_equal(be->device_bind(plain, &edu, NULL, &device, &key), -ENOENT);
	assert_int_equal(be->device_bind(plain, &edu, "", &device, &key), 0);
	assert_int_equal(key, 0x0008);
	assert_int_equal(be->device_bind(plain, &edu, "", &other, &key), -EBUSY);
	assert_int_equal(be->device_bind(plain, &mmio, "", &other, &key), -ENOENT);
	assert_int_equal(be->device_bind(plain, &wild, "", &other, &key), -ENOENT);
	assert_int_equal(be->device_bind(plain, &bad, "", &other, &key), -EINVAL);
	assert_int_equal(be->device_bind(f->unit, &mmio, NULL, &other, &key), -ENOENT);
	assert_int_equal(be->device_bind(f->unit, &edu, "sid=8", &other, &key), -EINVAL);
	assert_non_null(strstr(test_host.log, "VT-d takes no use parameter, got 'sid=8'"));
	assert_int_equal(be->device_bind(f->unit, &edu, NULL, &other, &key), 0);
	be->device_unbind(other);
	be->device_unbind(device);
	be->unit_destroy(plain);
}

/* A bound device's bus gets a context table; its own entry is not present (blocked: every
 * DMA faults with "context entry not present"). */
static void test_bound_device_is_blocked(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_device *device = bind(f, 1);
	uint64_t entry[2];

	hw_context_entry(f, 0x0008, entry);
	assert_int_equal(entry[0], 0);
	assert_int_equal(entry[1], 0);
	be->device_unbind(device);
}

/* Attach writes P, SLPTPTR = the domain's root, TT 0, AW 1 (3-level), the domain's id; a
 * move rewrites it for the other domain; blocking clears both words. */
static void test_attach_writes_the_context_entry(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_device *device = bind(f, 1);
	struct smmu_backend_domain *a, *b;
	uint64_t entry[2];

	assert_int_equal(be->domain_create(f->unit, &a), 0);
	assert_int_equal(be->domain_create(f->unit, &b), 0);
	assert_int_not_equal(a->did, 0);
	assert_int_not_equal(b->did, 0);
	assert_int_not_equal(a->did, b->did);
	assert_int_equal(be->device_attach(device, a), 0);
	hw_context_entry(f, 0x0008, entry);
	assert_int_equal(entry[0], a->root_pa | 1);
	assert_int_equal(entry[1], (uint64_t)a->did << 8 | 1);
	assert_int_equal(be->device_attach(device, b), 0);
	hw_context_entry(f, 0x0008, entry);
	assert_int_equal(entry[0], b->root_pa | 1);
	assert_int_equal(entry[1], (uint64_t)b->did << 8 | 1);
	assert_int_equal(a->attached_count, 0);
	assert_int_equal(b->attached_count, 1);
	assert_int_equal(be->device_attach(device, NULL), 0);
	hw_context_entry(f, 0x0008, entry);
	assert_int_equal(entry[0], 0);
	assert_int_equal(entry[1], 0);
	assert_int_equal(b->attached_count, 0);
	be->device_unbind(device);
	be->domain_destroy(a);
	be->domain_destroy(b);
}

/* Unbinding an attached device clears its entry. */
static void test_unbind_blocks(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_device *device = bind(f, 2);
	struct smmu_backend_domain *d;
	uint64_t entry[2];

	assert_int_equal(be->domain_create(f->unit, &d), 0);
	assert_int_equal(be->device_attach(device, d), 0);
	be->device_unbind(device);
	hw_context_entry(f, 0x0010, entry);
	assert_int_equal(entry[0], 0);
	assert_int_equal(entry[1], 0);
	assert_int_equal(d->attached_count, 0);
	be->domain_destroy(d);
}

/* A 4 KiB mapping and a 2 MiB superpage, read back by the specification's walk from the
 * context entry: output addresses, R/W bits, PS on the superpage; unmap removes them. */
static void test_map_builds_tables_the_hardware_walks(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_device *device = bind(f, 1);
	struct smmu_backend_domain *d;
	uint64_t entry[2], pte = 0;
	unsigned level = 9;

	assert_int_equal(be->domain_create(f->unit, &d), 0);
	assert_int_equal(be->device_attach(device, d), 0);
	assert_int_equal(be->map(d, 0x1000000, 0x9000000, 0x10000, SMMU_PROT_READ), 0);
	assert_int_equal(
		be->map(d, 0x2000000, 0x4000000, 0x200000, SMMU_PROT_READ | SMMU_PROT_WRITE), 0);
	hw_context_entry(f, 0x0008, entry);
	assert_true(hw_walk(f, entry[0] & GENMASK(63, 12), 3, 0x100f123, &pte, &level));
	assert_int_equal(level, 0);
	assert_int_equal(pte & GENMASK(51, 12), 0x900f000);
	assert_int_equal(pte & 3, 1); /* R, not W */
	assert_true(hw_walk(f, entry[0] & GENMASK(63, 12), 3, 0x21fffff, &pte, &level));
	assert_int_equal(level, 1);
	assert_true(pte & BIT(7));
	assert_int_equal(pte & GENMASK(51, 21), 0x4000000);
	assert_int_equal(pte & 3, 3);
	assert_false(hw_walk(f, entry[0] & GENMASK(63, 12), 3, 0x1010000, &pte, &level));
	assert_int_equal(be->unmap(d, 0x1000000, 0x10000), 0);
	assert_false(hw_walk(f, entry[0] & GENMASK(63, 12), 3, 0x1000000, &pte, &level));
	assert_true(hw_walk(f, entry[0] & GENMASK(63, 12), 3, 0x2000000, &pte, &level));
	be->device_unbind(device);
	be->domain_destroy(d);
}

/* A unit that needs 48 bits (QEMU's aw-bits=48) gets 4-level tables: AW 2 in the context
 * entry, and the walk takes four levels down to the page. */
static void test_48_bit_unit_builds_4_level_tables(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_unit *wide;
	struct smmu_backend_device *device;
	struct smmu_backend_domain *d;
	union smmu_devid id = pci_devid(0, 3, 0);
	uint64_t entry[2], key, pte = 0;
	unsigned level = 9;

	file_reg_write64(&f->machine, VTD_CAP_REG, 0x00d2008c222f0606ull);
	assert_int_equal(be->unit_create("wide", "0x10000,include-all", &wide), 0);
	assert_non_null(strstr(test_host.log, "4-level tables (48-bit input, MGAW 48)"));
	assert_int_equal(be->device_bind(wide, &id, NULL, &device, &key), 0);
	assert_int_equal(be->domain_create(wide, &d), 0);
	assert_int_equal(be->map(d, 0x7f0000000000ull, 0x9000000, 0x1000, SMMU_PROT_WRITE), 0);
	assert_int_equal(be->device_attach(device, d), 0);
	entry[0] = file_mem_read64(&f->machine, wide->context_pa[0] + 0x18u * 16u);
	entry[1] = file_mem_read64(&f->machine, wide->context_pa[0] + 0x18u * 16u + 8);
	assert_int_equal(entry[0], d->root_pa | 1);
	assert_int_equal(entry[1], (uint64_t)d->did << 8 | 2);
	assert_true(hw_walk(f, d->root_pa, 4, 0x7f0000000abcull, &pte, &level));
	assert_int_equal(level, 0);
	assert_int_equal(pte & GENMASK(51, 12), 0x9000000);
	assert_int_equal(pte & 3, 2);
	assert_int_equal(be->map(d, 1ull << 48, 0x1000, 0x1000, SMMU_PROT_READ), -ERANGE);
	be->device_unbind(device);
	be->domain_destroy(d);
	be->unit_destroy(wide);
}

/* Maps the unit cannot take are refused and change nothing. */
static void test_map_refusals(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_domain *d;

	assert_int_equal(be->domain_create(f->unit, &d), 0);
	assert_int_equal(be->map(d, 1ull << 39, 0x1000, 0x1000, SMMU_PROT_READ), -ERANGE);
	assert_int_equal(be->map(d, (1ull << 39) - 0x1000, 0x1000, 0x2000, SMMU_PROT_READ),
			 -ERANGE);
	assert_int_equal(be->map(d, 0x1000, 0x1000, 0, SMMU_PROT_READ), -EINVAL);
	assert_int_equal(be->map(d, 0x1000, 0x1000, 0x1000, 0), -EINVAL);
	assert_int_equal(be->map(d, 0x1000, 0x1000, 0x1000, 0x80), -EINVAL);
	assert_int_equal(be->map(d, 0x1000, 0x1000, 0x2000, SMMU_PROT_READ), 0);
	assert_int_equal(be->map(d, 0x2000, 0x5000, 0x1000, SMMU_PROT_WRITE), -EEXIST);
	be->domain_destroy(d);
}

/*
 * translate() walks what the hardware reads and records no fault.  The file machine cannot
 * turn translation on, so the test marks it on in the unit's record of the hardware: the
 * walk is the same as after unit_enable(); nothing here touches a register.
 */
static void test_translate_walks_the_tables(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_device *dev1 = bind(f, 1);
	struct smmu_backend_device *dev2 = bind(f, 2);
	struct smmu_backend_domain *d;
	unsigned refusal = 99;
	uint64_t pa = 0;

	assert_int_equal(be->domain_create(f->unit, &d), 0);
	assert_int_equal(be->map(d, 0x1000000, 0x9000000, 0x1000, SMMU_PROT_READ), 0);
	assert_int_equal(be->map(d, 0x3000000, 0x3000000, 0x1000, SMMU_PROT_WRITE), 0);
	assert_int_equal(be->device_attach(dev1, d), 0);

	/* Translation off: the hardware passes addresses through, and so does the probe. */
	assert_int_equal(be->translate(dev1, 0x5000, SMMU_ACCESS_WRITE, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_NONE);
	assert_int_equal(pa, 0x5000);

	f->unit->hw_te = true;
	assert_int_equal(be->translate(dev1, 0x1000abc, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_NONE);
	assert_int_equal(pa, 0x9000abc);
	assert_int_equal(be->translate(dev1, 0x1000abc, SMMU_ACCESS_WRITE, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_READ_ONLY);
	assert_int_equal(be->translate(dev1, 0x3000000, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_WRITE_ONLY);
	assert_int_equal(be->translate(dev1, 0x2000000, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(be->translate(dev1, 1ull << 39, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(be->translate(dev2, 0x1000000, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_BLOCKED);
	assert_int_equal(be->translate(dev1, 0x1000000, 0, &pa, &refusal), -EINVAL);
	/* Parked on the blocking root, every device is blocked. */
	f->unit->hw_blocking = true;
	assert_int_equal(be->translate(dev1, 0x1000abc, SMMU_ACCESS_READ, &pa, &refusal), 0);
	assert_int_equal(refusal, SMMU_REFUSAL_BLOCKED);
	f->unit->hw_blocking = false;
	f->unit->hw_te = false;

	assert_int_equal(test_host.fault_count, 0);
	be->device_unbind(dev1);
	be->device_unbind(dev2);
	be->domain_destroy(d);
}

/* Domain ids are unique, never 0, reused after destroy, and run out at 2^(4 + 2 ND) - 1. */
static void test_domain_ids(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_unit *small;
	struct smmu_backend_domain *d[16];
	uint16_t freed;

	file_reg_write64(&f->machine, VTD_CAP_REG, QEMU_CAP & ~VTD_CAP_ND); /* ND 0: 16 ids */
	assert_int_equal(be->unit_create("small", "0x10000", &small), 0);
	for (unsigned i = 0; i < 15; i++) {
		assert_int_equal(be->domain_create(small, &d[i]), 0);
		assert_int_not_equal(d[i]->did, 0);
		for (unsigned j = 0; j < i; j++) {
			assert_int_not_equal(d[i]->did, d[j]->did);
		}
	}
	assert_int_equal(be->domain_create(small, &d[15]), -ENOSPC);
	freed = d[7]->did;
	be->domain_destroy(d[7]);
	assert_int_equal(be->domain_create(small, &d[7]), 0);
	assert_int_equal(d[7]->did, freed);
	for (unsigned i = 0; i < 15; i++) {
		be->domain_destroy(d[i]);
	}
	be->unit_destroy(small);
}

/* Destroying everything gives every table back, except the blocking root. */
static void test_destroy_returns_table_memory(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_device *device = bind(f, 1);
	struct smmu_backend_domain *d;

	assert_int_equal(be->domain_create(f->unit, &d), 0);
	assert_int_equal(be->map(d, 0x1000000, 0x9000000, 0x400000, SMMU_PROT_READ), 0);
	assert_int_equal(be->device_attach(device, d), 0);
	assert_true(hw_table_mem_in_use(vtd_tables()) > HW_TABLE_PAGE_SIZE);
	be->device_unbind(device);
	be->domain_destroy(d);
	be->unit_destroy(f->unit);
	f->unit = NULL;
	assert_int_equal(hw_table_mem_in_use(vtd_tables()), HW_TABLE_PAGE_SIZE);
}

/* A fault record is handed over with the source-id, the page, the access and the upper half
 * of the record; an overflow is reported once. */
static void test_fault_drain(void **state)
{
	struct fixture *f = *state;
	uint64_t word1 = VTD_FRCD_1_F | VTD_FRCD_1_T |
			 FIELD_PREP(VTD_FRCD_1_FR, VTD_FR_CONTEXT_ENTRY_P) | 0x0010;

	assert_int_equal(be->fault_drain(f->unit, 16), 0);
	file_reg_write64(&f->machine, 0x220, 0x1000000);
	file_reg_write64(&f->machine, 0x228, word1);
	file_reg_write32(&f->machine, VTD_FSTS_REG, (uint32_t)(VTD_FSTS_PPF | VTD_FSTS_PFO));
	assert_int_equal(be->fault_drain(f->unit, 16), 1);
	assert_int_equal(test_host.fault_count, 1);
	assert_int_equal(test_host.faults[0].device_key, 0x0010);
	assert_int_equal(test_host.faults[0].address, 0x1000000);
	assert_int_equal(test_host.faults[0].access, SMMU_ACCESS_READ);
	assert_int_equal(test_host.faults[0].raw, word1);
	assert_non_null(strstr(test_host.log, "fault records were lost"));
	/* F was cleared by writing 1 to it: a file keeps the 1, hardware clears the bit. */
	assert_int_equal(file_reg_read32(&f->machine, 0x22c), (uint32_t)(VTD_FRCD_1_F >> 32));
}

/* Records left from before the service are cleared at unit_create, counted in a line. */
static void test_stale_faults_are_cleared_at_create(void **state)
{
	struct fixture *f = *state;
	struct smmu_backend_unit *unit;

	file_reg_write64(&f->machine, 0x228, VTD_FRCD_1_F | 0x0008);
	assert_int_equal(be->unit_create("dmar1", "0x10000", &unit), 0);
	assert_non_null(strstr(test_host.log, "unit dmar1: 1 fault record from before"));
	assert_int_equal(test_host.fault_count, 0);
	be->unit_destroy(unit);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_probes_and_changes_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_create_refuses_what_it_cannot_drive, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bind_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bound_device_is_blocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_writes_the_context_entry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unbind_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_builds_tables_the_hardware_walks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_48_bit_unit_builds_4_level_tables, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_map_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_translate_walks_the_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_destroy_returns_table_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_drain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_faults_are_cleared_at_create, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
