/* SPDX-License-Identifier: Apache-2.0 */
/* Fault recording of the soft IOMMU: the record of each refusal, the eventfd, fault_drain()'s
 * order and budget, and the bounded queue. */
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "cmocka-all.h"
#include "soft-test-util.h"

#define RW (SMMU_PROT_READ | SMMU_PROT_WRITE)

static uint64_t raw_of(unsigned refusal, unsigned access)
{
	return FIELD_PREP(SOFT_FAULT_RAW_REASON, refusal) |
	       FIELD_PREP(SOFT_FAULT_RAW_ACCESS, access);
}

/* Refuses `count` reads of unmapped pages 0x100000 + i * 4 KiB, i from `first`. */
static void refuse_reads(struct soft_fixture *fx, unsigned first, unsigned count)
{
	for (unsigned i = first; i < first + count; i++) {
		assert_int_equal(access_of(fx->device, 0x100000 + (uint64_t)i * 0x1000,
					   SMMU_ACCESS_READ, NULL),
				 SMMU_REFUSAL_NOT_MAPPED);
	}
}

/* Checks that the host received records for refuse_reads(first, count), in order, from `at`. */
static void assert_reads_received(size_t at, unsigned first, unsigned count)
{
	assert_true(test_host.fault_count >= at + count);
	for (unsigned i = 0; i < count; i++) {
		assert_hex_equal(test_host.faults[at + i].address,
				 0x100000 + (uint64_t)(first + i) * 0x1000);
	}
}

/* A write to a read-only page makes a record with the device's key, the address, the access
 * and the raw encoding of soft.h; the fault fd is readable until the record is drained. */
static void test_refused_write_records_a_fault(void **state)
{
	struct soft_fixture *fx = *state;
	const struct smmu_backend_fault *f = &test_host.faults[0];
	int fd = be->fault_fd(fx->unit);

	assert_true(fd >= 0);
	assert_int_equal(be->map(fx->domain, 0x4000, 0x8000, 0x1000, SMMU_PROT_READ), 0);
	assert_false(fd_readable(fd));
	assert_int_equal(access_of(fx->device, 0x4abc, SMMU_ACCESS_WRITE, NULL),
			 SMMU_REFUSAL_READ_ONLY);
	assert_true(fd_readable(fd));
	assert_int_equal(test_host.fault_count, 0); /* handed up only by fault_drain() */
	assert_int_equal(be->fault_drain(fx->unit, 16), 1);
	assert_int_equal(test_host.fault_count, 1);
	assert_ptr_equal(test_host.fault_units[0], fx->unit);
	assert_hex_equal(f->device_key, pci_key(0, 1, 0));
	assert_hex_equal(f->device_key, fx->key);
	assert_hex_equal(f->address, 0x4abc);
	assert_int_equal(f->access, SMMU_ACCESS_WRITE);
	assert_int_equal(f->reserved, 0);
	assert_hex_equal(f->raw, raw_of(SMMU_REFUSAL_READ_ONLY, SMMU_ACCESS_WRITE) |
					 SOFT_FAULT_RAW_LEAF | FIELD_PREP(SOFT_FAULT_RAW_LEVEL, 0));
	assert_false(fd_readable(fd));
	assert_int_equal(be->fault_drain(fx->unit, 16), 0);
}

/* Each refusal has its own raw record: reason, access, and the leaf's level for permission
 * faults (1 for a 2 MiB page), nothing else. */
static void test_raw_record_of_each_refusal(void **state)
{
	struct soft_fixture *fx = *state;

	assert_int_equal(be->map(fx->domain, 0x200000, 0x200000, 0x200000, SMMU_PROT_WRITE), 0);
	assert_int_equal(access_of(fx->device, 0x300000, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_WRITE_ONLY);
	assert_int_equal(access_of(fx->device, 0x1000, SMMU_ACCESS_WRITE, NULL),
			 SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(be->device_attach(fx->device, NULL), 0);
	assert_int_equal(access_of(fx->device, 0x300000, SMMU_ACCESS_READ, NULL),
			 SMMU_REFUSAL_BLOCKED);
	assert_int_equal(be->fault_drain(fx->unit, 16), 3);
	assert_hex_equal(test_host.faults[0].raw,
			 raw_of(SMMU_REFUSAL_WRITE_ONLY, SMMU_ACCESS_READ) | SOFT_FAULT_RAW_LEAF |
				 FIELD_PREP(SOFT_FAULT_RAW_LEVEL, 1));
	assert_int_equal(test_host.faults[0].access, SMMU_ACCESS_READ);
	assert_hex_equal(test_host.faults[1].raw,
			 raw_of(SMMU_REFUSAL_NOT_MAPPED, SMMU_ACCESS_WRITE));
	assert_hex_equal(test_host.faults[2].raw, raw_of(SMMU_REFUSAL_BLOCKED, SMMU_ACCESS_READ));
	assert_hex_equal(test_host.faults[2].address, 0x300000);
}

/* Before unit_enable() the record says the unit was off. */
static void test_fault_of_a_disabled_unit_says_so(void **state)
{
	union smmu_devid devid = mmio_devid(0xfe000000);
	struct smmu_backend_unit *unit;
	struct smmu_backend_device *device;
	uint64_t key;

	(void)state;
	assert_int_equal(be->unit_create("off", "mem:fe000000", &unit), 0);
	assert_int_equal(be->device_bind(unit, &devid, NULL, &device, &key), 0);
	assert_int_equal(access_of(device, 0x1000, SMMU_ACCESS_WRITE, NULL), SMMU_REFUSAL_BLOCKED);
	assert_true(fd_readable(be->fault_fd(unit)));
	assert_int_equal(be->fault_drain(unit, 16), 1);
	assert_hex_equal(test_host.faults[0].device_key, SOFT_KEY_MMIO | 0xfe000000);
	assert_hex_equal(test_host.faults[0].raw,
			 raw_of(SMMU_REFUSAL_BLOCKED, SMMU_ACCESS_WRITE) | SOFT_FAULT_RAW_OFF);
	be->device_unbind(device);
	be->unit_destroy(unit);
}

/* An allowed access records nothing. */
static void test_allowed_access_records_nothing(void **state)
{
	struct soft_fixture *fx = *state;

	assert_int_equal(be->map(fx->domain, 0x4000, 0x8000, 0x1000, RW), 0);
	assert_int_equal(access_of(fx->device, 0x4000, SMMU_ACCESS_WRITE, NULL), SMMU_REFUSAL_NONE);
	assert_false(fd_readable(be->fault_fd(fx->unit)));
	assert_int_equal(be->fault_drain(fx->unit, 16), 0);
	assert_int_equal(test_host.fault_count, 0);
}

/* fault_drain() hands at most `budget` records, oldest first; the fd stays readable while
 * records remain, and a budget of 0 hands nothing. */
static void test_drain_respects_budget_and_order(void **state)
{
	struct soft_fixture *fx = *state;
	int fd = be->fault_fd(fx->unit);

	refuse_reads(fx, 0, 5);
	assert_int_equal(be->fault_drain(fx->unit, 0), 0);
	assert_true(fd_readable(fd));
	assert_int_equal(be->fault_drain(fx->unit, 3), 3);
	assert_reads_received(0, 0, 3);
	assert_true(fd_readable(fd));
	assert_int_equal(be->fault_drain(fx->unit, 3), 2);
	assert_reads_received(3, 3, 2);
	assert_false(fd_readable(fd));
}

/* The queue keeps its order when it wraps around its end. */
static void test_queue_keeps_order_across_wraparound(void **state)
{
	struct soft_fixture *fx = *state;

	refuse_reads(fx, 0, 200);
	assert_int_equal(be->fault_drain(fx->unit, 150), 150);
	refuse_reads(fx, 200, 200);
	assert_int_equal(be->fault_drain(fx->unit, 1000), 250);
	assert_reads_received(0, 0, 400);
	assert_false(fd_readable(be->fault_fd(fx->unit)));
}

/* A full queue keeps its oldest SOFT_FAULT_QUEUE_LENGTH records and drops newer ones; the next
 * drain logs how many were lost, once, and recording resumes as soon as there is room. */
static void test_full_queue_drops_newest_and_reports_the_loss(void **state)
{
	struct soft_fixture *fx = *state;

	refuse_reads(fx, 0, SOFT_FAULT_QUEUE_LENGTH + 10);
	assert_int_equal(be->fault_drain(fx->unit, 1000), SOFT_FAULT_QUEUE_LENGTH);
	assert_reads_received(0, 0, SOFT_FAULT_QUEUE_LENGTH);
	assert_logged("unit soft0: 10 fault records lost: the queue of 256 was full");
	assert_int_equal(test_host.last_priority, LOG_WARNING);
	assert_int_equal(test_host.problem_count, 1);
	refuse_reads(fx, 1000, 1);
	assert_int_equal(be->fault_drain(fx->unit, 1000), 1);
	assert_reads_received(SOFT_FAULT_QUEUE_LENGTH, 1000, 1);
	assert_int_equal(count_logged("lost"), 1);
}

/* Units record separately: one unit's fault does not wake another's fd. */
static void test_units_have_separate_queues(void **state)
{
	struct soft_fixture *fx = *state;
	struct smmu_backend_unit *other;

	assert_int_equal(be->unit_create("other", "none", &other), 0);
	refuse_reads(fx, 0, 1);
	assert_false(fd_readable(be->fault_fd(other)));
	assert_int_equal(be->fault_drain(other, 16), 0);
	assert_int_equal(be->fault_drain(fx->unit, 16), 1);
	be->unit_destroy(other);
}

/* A unit destroyed with records pending frees them (LeakSanitizer checks the rest). */
static void test_unit_destroyed_with_pending_faults(void **state)
{
	union smmu_devid devid = pci_devid(0, 3, 0);
	struct smmu_backend_unit *unit;
	struct smmu_backend_device *device;
	uint64_t key;

	(void)state;
	assert_int_equal(be->unit_create("short-lived", "pci:0:3.0", &unit), 0);
	assert_int_equal(be->device_bind(unit, &devid, NULL, &device, &key), 0);
	assert_int_equal(access_of(device, 0, SMMU_ACCESS_READ, NULL), SMMU_REFUSAL_BLOCKED);
	be->device_unbind(device);
	be->unit_destroy(unit);
	assert_int_equal(test_host.fault_count, 0);
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, soft_fixture_setup, soft_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_refused_write_records_a_fault),
		TEST(test_raw_record_of_each_refusal),
		TEST(test_fault_of_a_disabled_unit_says_so),
		TEST(test_allowed_access_records_nothing),
		TEST(test_drain_respects_budget_and_order),
		TEST(test_queue_keeps_order_across_wraparound),
		TEST(test_full_queue_drops_newest_and_reports_the_loss),
		TEST(test_units_have_separate_queues),
		TEST(test_unit_destroyed_with_pending_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
