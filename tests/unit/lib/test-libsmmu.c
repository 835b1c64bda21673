/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libsmmu against a fake service (fake-service.h): what the library sends
 * for each call, what it makes of each answer, and its own decisions
 * (reference-counted init, fork, splitting, one-shot notification).  The
 * real service's answers are the service suite's business.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cmocka-all.h"
#include "fake-service.h"

/* smmu_safety() is deprecated, as on QNX, and still tested. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

/* Bounds a wait that should end at once; never a synchronisation. */
#define WAIT_BOUND_MS 10000

#define MAP_COUNT 10000u

static int setup(void **state)
{
	(void)state;
	fake_start();
	return 0;
}

/* Leaves the library as a test found it: not initialised, no signal of
 * ours pending. */
static int teardown(void **state)
{
	struct timespec zero = {0};
	sigset_t set;

	(void)state;
	while (smmu_xfer_fd() >= 0) {
		smmu_fini();
	}
	fake_stop();
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	while (sigtimedwait(&set, NULL, &zero) > 0) {
	}
	return 0;
}

static bool readable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, 0) == 1;
}

static bool becomes_readable(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, WAIT_BOUND_MS) == 1;
}

/* --- smmu_init / smmu_fini ---------------------------------------------- */

/* With no socket at the path, smmu_init fails with connect's ENOENT. */
static void test_init_without_service_enoent(void **state)
{
	(void)state;
	setenv("SMMUMAN_SOCKET", fake_missing_path(), 1);
	assert_int_equal(smmu_init(0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(smmu_xfer_fd(), -1);
	assert_int_equal(errno, ENOTCONN);
}

/* A socket nobody listens on (a dead service's) gives ECONNREFUSED. */
static void test_init_stale_socket_econnrefused(void **state)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);

	(void)state;
	assert_true(strlen(fake_missing_path()) < sizeof(addr.sun_path));
	memcpy(addr.sun_path, fake_missing_path(), strlen(fake_missing_path()) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	setenv("SMMUMAN_SOCKET", fake_missing_path(), 1);
	assert_int_equal(smmu_init(0), -1);
	assert_int_equal(errno, ECONNREFUSED);
	close(fd);
	unlink(fake_missing_path());
}

/* Flags other than 0 are refused without connecting. */
static void test_init_flags_einval(void **state)
{
	(void)state;
	assert_int_equal(smmu_init(1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fake_accepted(), 0);
}

/* Every call before smmu_init fails with ENOTCONN, sending nothing. */
static void test_calls_before_init_enotconn(void **state)
{
	struct smmu_status status;
	struct sigevent none = {.sigev_notify = SIGEV_NONE};
	union smmu_devid devid = {.pci = {SDT_PCI, 0, 1, 0}};
	struct smmu_map_entry entry;

	(void)state;
	assert_null(smmu_obj_create(SOCF_NONE));
	assert_int_equal(errno, ENOTCONN);
	assert_int_equal(smmu_device_add_generic(NULL, &devid), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_int_equal(smmu_device_report_reserved(&devid, 0, &entry, 1), UINT_MAX);
	assert_int_equal(errno, ENOTCONN);
	assert_int_equal(smmu_xfer_notify(&none), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_int_equal(smmu_xfer_status(&status), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_int_equal(smmu_xfer_fd(), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_int_equal(smmu_safety(), SMMUMAN_SAFETY_ERROR);
	assert_int_equal(errno, ENOTCONN);
	smmu_fini(); /* unmatched: nothing happens */
	assert_int_equal(fake_accepted(), 0);
}

/* A second smmu_init shares the connection; the last smmu_fini closes it. */
static void test_init_refcount(void **state)
{
	struct smmu_object *sop;

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(fake_accepted(), 1);
	assert_int_equal(fake_count(PROTO_HELLO), 1);
	smmu_fini();
	sop = smmu_obj_create(SOCF_NONE);
	assert_non_null(sop);
	smmu_obj_destroy(sop);
	assert_int_equal(fake_closed(), 0);
	smmu_fini();
	assert_null(smmu_obj_create(SOCF_NONE));
	assert_int_equal(errno, ENOTCONN);
	assert_true(fake_wait_closed(1));
	/* And a later smmu_init connects again. */
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(fake_accepted(), 2);
}

/* HELLO is an ordinary client's (no observer flag) and carries one
 * socket, whose datagrams make smmu_xfer_fd() readable. */
static void test_hello_carries_notification_socket(void **state)
{
	const struct fake_request *hello;
	struct smmu_status status = {.fault_addr = 0x1000};
	int fd;

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	hello = fake_find(PROTO_HELLO, 0);
	assert_non_null(hello);
	assert_int_equal(hello->req.hello.flags, 0);
	assert_int_equal(hello->fd_count, 1);
	assert_int_equal(hello->fd_type, SOCK_SEQPACKET);
	fd = smmu_xfer_fd();
	assert_true(fd >= 0);
	assert_false(readable(fd));
	fake_push_fault(&status);
	assert_true(becomes_readable(fd));
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

/* Lists the process's open descriptors into `open` (index = fd). */
static void open_fds(bool open[1024])
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;

	assert_non_null(dir);
	memset(open, 0, 1024 * sizeof(bool));
	while ((entry = readdir(dir))) {
		int fd = atoi(entry->d_name);

		if (entry->d_name[0] != '.' && fd != dirfd(dir) && fd < 1024) {
			open[fd] = true;
		}
	}
	closedir(dir);
}

/* The service's EPERM (no attach ability) is smmu_init's errno, and the
 * library keeps no descriptor of the failed attempt. */
static void test_init_eperm(void **state)
{
	bool before[1024], after[1024];

	(void)state;
	fake.hello_result = -EPERM;
	open_fds(before);
	assert_int_equal(smmu_init(0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(smmu_xfer_fd(), -1);
	assert_int_equal(errno, ENOTCONN);
	/* Once the fake has closed its side, nothing of the attempt is left. */
	assert_true(fake_wait_closed(1));
	open_fds(after);
	assert_memory_equal(before, after, sizeof(before));
}

/* --- Objects and devices -------------------------------------------------- */

/* Create and destroy send the flags and the service's id; destroy leaves
 * errno alone. */
static void test_object_create_destroy(void **state)
{
	struct smmu_object *sop;
	const struct fake_request *rec;

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_RESERVED_MANUAL);
	assert_non_null(sop);
	rec = fake_find(PROTO_OBJECT_CREATE, 0);
	assert_non_null(rec);
	assert_int_equal(rec->req.object_create.flags, SOCF_RESERVED_MANUAL);
	errno = E2BIG;
	smmu_obj_destroy(sop);
	assert_int_equal(errno, E2BIG);
	rec = fake_find(PROTO_OBJECT_DESTROY, 0);
	assert_non_null(rec);
	assert_int_equal(rec->req.object_destroy.object_id, 1);
	smmu_obj_destroy(NULL);
	assert_int_equal(fake_count(PROTO_OBJECT_DESTROY), 1);
}

/* The service's refusal of a create is the caller's errno. */
static void test_object_create_refused(void **state)
{
	(void)state;
	assert_int_equal(smmu_init(0), 0);
	fake.fail_type = PROTO_OBJECT_CREATE;
	fake.fail_nth = 1;
	fake.fail_result = -EINVAL;
	assert_null(smmu_obj_create(0x80));
	assert_int_equal(errno, EINVAL);
}

/* A PCI device id goes out field by field with the object's id; an MMIO
 * one too; sop NULL is object 0 (removal). */
static void test_device_add_fields(void **state)
{
	struct smmu_object *sop;
	const struct fake_request *rec;

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_NONE);
	assert_non_null(sop);
	assert_int_equal(smmu_device_add_pci(sop, 1, 2, 3), 0);
	rec = fake_find(PROTO_DEVICE_ADD, 0);
	assert_int_equal(rec->req.device_add.object_id, 1);
	assert_int_equal(rec->req.device_add.devid_size, sizeof(union smmu_devid));
	assert_int_equal(rec->req.device_add.devid.pci.type, SDT_PCI);
	assert_int_equal(rec->req.device_add.devid.pci.bus, 1);
	assert_int_equal(rec->req.device_add.devid.pci.dev, 2);
	assert_int_equal(rec->req.device_add.devid.pci.func, 3);
	assert_int_equal(smmu_device_add_mmio(sop, 0xfe000000, 0x1000), 0);
	rec = fake_find(PROTO_DEVICE_ADD, 1);
	assert_int_equal(rec->req.device_add.devid.mmio.type, SDT_MMIO);
	assert_int_equal(rec->req.device_add.devid.mmio.phys, 0xfe000000);
	assert_int_equal(rec->req.device_add.devid.mmio.length, 0x1000);
	assert_int_equal(smmu_device_add_pci(NULL, 1, 2, SMMU_PCI_FIELD_ANY), 0);
	rec = fake_find(PROTO_DEVICE_ADD, 2);
	assert_int_equal(rec->req.device_add.object_id, 0);
	assert_int_equal(rec->req.device_add.devid.pci.func, SMMU_PCI_FIELD_ANY);
	smmu_obj_destroy(sop);
}

/* EBUSY and ENOENT come back as errno; a positive answer is still 0,
 * never QNX's "+1: re-add your mappings". */
static void test_device_add_results(void **state)
{
	struct smmu_object *sop;

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_NONE);
	fake.device_add_result = -EBUSY;
	assert_int_equal(smmu_device_add_pci(sop, 0, 2, 0), -1);
	assert_int_equal(errno, EBUSY);
	fake.device_add_result = -ENOENT;
	assert_int_equal(smmu_device_add_pci(NULL, 0, 2, 0), -1);
	assert_int_equal(errno, ENOENT);
	fake.device_add_result = 1;
	assert_int_equal(smmu_device_add_pci(sop, 0, 2, 0), 0);
	smmu_obj_destroy(sop);
}

/* A device id of an unknown type would be a malformed message that makes
 * the service close the connection: it is refused before it is sent. */
static void test_device_add_bad_type(void **state)
{
	union smmu_devid devid = {.type = 7};

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(smmu_device_add_generic(NULL, &devid), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smmu_device_add_generic(NULL, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fake_count(PROTO_DEVICE_ADD), 0);
	assert_int_equal(smmu_safety(), SMMUMAN_SAFETY_NO); /* still connected */
}

/* An object from before smmu_fini names nothing on the new connection:
 * ENOENT without a request, and destroying it only frees it. */
static void test_stale_object(void **state)
{
	struct smmu_map_entry entry = {.phys = 0x1000, .len = 0x1000};
	struct smmu_object *sop;

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_NONE);
	smmu_fini();
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(smmu_mapping_add(sop, SMF_READ, 0, 1, &entry, 0), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(smmu_device_add_pci(sop, 0, 1, 0), -1);
	assert_int_equal(errno, ENOENT);
	smmu_obj_destroy(sop);
	assert_int_equal(fake_count(PROTO_MAPPING_ADD), 0);
	assert_int_equal(fake_count(PROTO_DEVICE_ADD), 0);
	assert_int_equal(fake_count(PROTO_OBJECT_DESTROY), 0);
}

/* --- Mappings ---------------------------------------------------------- */

/* MAP_COUNT entries laid out back to back from 0x10000000, of lengths that
 * are not page multiples, so that a target must advance by the unrounded
 * lengths. */
static struct smmu_map_entry *make_entries(uint64_t *ret_total)
{
	struct smmu_map_entry *entries = calloc(MAP_COUNT, sizeof(*entries));
	uint64_t offset = 0;

	assert_non_null(entries);
	for (unsigned i = 0; i < MAP_COUNT; i++) {
		entries[i].phys = 0x10000000 + offset;
		entries[i].len = 0x100 + i % 7;
		offset += entries[i].len;
	}
	*ret_total = offset;
	return entries;
}

static uint64_t length_sum(const struct smmu_map_entry *entries, size_t count)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < count; i++) {
		sum += entries[i].len;
	}
	return sum;
}

/* 10000 entries go as 4096 + 4096 + 1808 in order, each request's target
 * advanced by the lengths of the entries before it. */
static void test_mapping_split_advances_target(void **state)
{
	const uint64_t target = 0x80000000;
	static const size_t counts[] = {4096, 4096, 1808};
	struct smmu_map_entry *entries;
	struct smmu_object *sop;
	uint64_t total;
	size_t first = 0;

	(void)state;
	entries = make_entries(&total);
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_NONE);
	assert_int_equal(
		smmu_mapping_add(sop, SMF_READ | SMF_TARGET, 0, MAP_COUNT, entries, target), 0);
	assert_int_equal(fake_count(PROTO_MAPPING_ADD), 3);
	for (size_t k = 0; k < 3; k++) {
		const struct fake_request *rec = fake_find(PROTO_MAPPING_ADD, k);
		const struct proto_mapping_add *m = &rec->req.mapping_add;

		assert_int_equal(m->entry_count, counts[k]);
		assert_int_equal(m->object_id, 1);
		assert_int_equal(m->flags, SMF_READ | SMF_TARGET);
		assert_int_equal(m->pid, 0);
		assert_int_equal(m->target, target + length_sum(entries, first));
		for (size_t i = 0; i < counts[k]; i++) {
			assert_int_equal(fake.entries[rec->entry_first + i].phys,
					 entries[first + i].phys);
			assert_int_equal(fake.entries[rec->entry_first + i].len,
					 entries[first + i].len);
		}
		first += counts[k];
	}
	free(entries);
	smmu_obj_destroy(sop);
}

/* Without SMF_TARGET every request carries the caller's target as is. */
static void test_mapping_split_without_target(void **state)
{
	struct smmu_map_entry *entries;
	struct smmu_object *sop;
	uint64_t total;

	(void)state;
	entries = make_entries(&total);
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_NONE);
	assert_int_equal(smmu_mapping_add(sop, SMF_READ | SMF_WRITE, 0, MAP_COUNT, entries, 0), 0);
	for (size_t k = 0; k < 3; k++) {
		assert_int_equal(fake_find(PROTO_MAPPING_ADD, k)->req.mapping_add.target, 0);
	}
	free(entries);
	smmu_obj_destroy(sop);
}

/* When the second request fails, the first is removed again with the same
 * entries and target (SMF_TARGET alone), and the caller sees the second's
 * errno: all or nothing. */
static void test_mapping_split_rollback(void **state)
{
	const uint64_t target = 0x80000000;
	struct smmu_map_entry *entries;
	const struct fake_request *undo;
	struct smmu_object *sop;
	uint64_t total;

	(void)state;
	entries = make_entries(&total);
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_NONE);
	fake.fail_type = PROTO_MAPPING_ADD;
	fake.fail_nth = 2;
	fake.fail_result = -EEXIST;
	assert_int_equal(
		smmu_mapping_add(sop, SMF_WRITE | SMF_TARGET, 0, MAP_COUNT, entries, target), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(fake_count(PROTO_MAPPING_ADD), 3);
	undo = fake_find(PROTO_MAPPING_ADD, 2);
	assert_int_equal(undo->req.mapping_add.flags, SMF_TARGET);
	assert_int_equal(undo->req.mapping_add.target, target);
	assert_int_equal(undo->req.mapping_add.entry_count, 4096);
	for (size_t i = 0; i < 4096; i++) {
		assert_int_equal(fake.entries[undo->entry_first + i].phys, entries[i].phys);
		assert_int_equal(fake.entries[undo->entry_first + i].len, entries[i].len);
	}
	free(entries);
	smmu_obj_destroy(sop);
}

/* The same without SMF_TARGET: the take-back is SMF_NONE. */
static void test_mapping_split_rollback_identity(void **state)
{
	struct smmu_map_entry *entries;
	struct smmu_object *sop;
	uint64_t total;

	(void)state;
	entries = make_entries(&total);
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_NONE);
	fake.fail_type = PROTO_MAPPING_ADD;
	fake.fail_nth = 3;
	fake.fail_result = -ENOMEM;
	assert_int_equal(smmu_mapping_add(sop, SMF_READ, 0, MAP_COUNT, entries, 0), -1);
	assert_int_equal(errno, ENOMEM);
	/* Three adds, then two take-backs of the first two requests. */
	assert_int_equal(fake_count(PROTO_MAPPING_ADD), 5);
	assert_int_equal(fake_find(PROTO_MAPPING_ADD, 3)->req.mapping_add.flags, SMF_NONE);
	assert_int_equal(fake_find(PROTO_MAPPING_ADD, 3)->req.mapping_add.entry_count, 4096);
	assert_int_equal(fake_find(PROTO_MAPPING_ADD, 4)->req.mapping_add.entry_count, 4096);
	free(entries);
	smmu_obj_destroy(sop);
}

/* A removal that fails part-way is not undone: removing cannot be
 * reversed, in one request or several. */
static void test_mapping_split_removal_not_undone(void **state)
{
	struct smmu_map_entry *entries;
	struct smmu_object *sop;
	uint64_t total;

	(void)state;
	entries = make_entries(&total);
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_NONE);
	fake.fail_type = PROTO_MAPPING_ADD;
	fake.fail_nth = 2;
	fake.fail_result = -EIO;
	assert_int_equal(smmu_mapping_add(sop, SMF_NONE, 0, MAP_COUNT, entries, 0), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(fake_count(PROTO_MAPPING_ADD), 2);
	free(entries);
	smmu_obj_destroy(sop);
}

/* An entry the core would refuse, in the last request, fails the call
 * before anything is sent, with the core's errno. */
static void test_mapping_split_checks_entries_first(void **state)
{
	struct smmu_map_entry *entries;
	struct smmu_object *sop;
	uint64_t total;

	(void)state;
	entries = make_entries(&total);
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_NONE);
	entries[9000].len = 0;
	assert_int_equal(smmu_mapping_add(sop, SMF_READ, 0, MAP_COUNT, entries, 0), -1);
	assert_int_equal(errno, EINVAL);
	entries[9000].len = 0x100;
	entries[9000].phys = UINT64_MAX - 0x10;
	assert_int_equal(smmu_mapping_add(sop, SMF_READ, 0, MAP_COUNT, entries, 0), -1);
	assert_int_equal(errno, EOVERFLOW);
	/* A target at another offset within its page than its entry. */
	entries[9000].phys = 0x10000000 + length_sum(entries, 9000) + 8;
	assert_int_equal(
		smmu_mapping_add(sop, SMF_READ | SMF_TARGET, 0, MAP_COUNT, entries, 0x80000000),
		-1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fake_count(PROTO_MAPPING_ADD), 0);
	free(entries);
	smmu_obj_destroy(sop);
}

/* pid must be 0, sop and entries present; num_entries 0 sends nothing and
 * succeeds; one request passes flags and target through unchanged, and the
 * service's answer is the caller's. */
static void test_mapping_arguments(void **state)
{
	struct smmu_map_entry entry = {.phys = 0x1000, .len = 0x10};
	const struct fake_request *rec;
	struct smmu_object *sop;

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	sop = smmu_obj_create(SOCF_NONE);
	assert_int_equal(smmu_mapping_add(sop, SMF_READ, 7, 1, &entry, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smmu_mapping_add(NULL, SMF_READ, 0, 1, &entry, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smmu_mapping_add(sop, SMF_READ, 0, 1, NULL, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smmu_mapping_add(sop, SMF_READ, 0, 0, NULL, 0), 0);
	assert_int_equal(fake_count(PROTO_MAPPING_ADD), 0);
	fake.fail_type = PROTO_MAPPING_ADD;
	fake.fail_nth = 1;
	fake.fail_result = -EOPNOTSUPP;
	assert_int_equal(smmu_mapping_add(sop, SMF_READ | SMF_VIRT, 0, 1, &entry, 0x5000), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	rec = fake_find(PROTO_MAPPING_ADD, 0);
	assert_int_equal(rec->req.mapping_add.flags, SMF_READ | SMF_VIRT);
	assert_int_equal(rec->req.mapping_add.target, 0x5000);
	assert_int_equal(rec->req.mapping_add.entry_count, 1);
	smmu_obj_destroy(sop);
}

/* --- Reserved regions ---------------------------------------------------- */

/* A caller's array bigger than one reply is filled by several requests;
 * the return value counts from `offset` whatever was copied. */
static void test_report_reserved(void **state)
{
	union smmu_devid devid = {.pci = {SDT_PCI, 0, 3, 0}};
	struct smmu_map_entry out[1000];
	const struct fake_request *rec;

	(void)state;
	fake.reserved_count = 600;
	for (unsigned i = 0; i < 600; i++) {
		fake.reserved[i] =
			(struct smmu_map_entry){.phys = 0x100000 * (i + 1), .len = i + 1};
	}
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(smmu_device_report_reserved(&devid, 0, out, 1000), 600);
	assert_int_equal(fake_count(PROTO_REPORT_RESERVED), 3);
	for (unsigned i = 0; i < 600; i++) {
		assert_int_equal(out[i].phys, 0x100000 * (i + 1));
		assert_int_equal(out[i].len, i + 1);
	}
	rec = fake_find(PROTO_REPORT_RESERVED, 0);
	assert_int_equal(rec->req.report_reserved.capacity, PROTO_MAX_RESERVED_ENTRIES);
	assert_int_equal(rec->req.report_reserved.devid.pci.dev, 3);
	assert_int_equal(fake_find(PROTO_REPORT_RESERVED, 2)->req.report_reserved.offset, 512);

	memset(out, 0, sizeof(out));
	assert_int_equal(smmu_device_report_reserved(&devid, 590, out, 4), 10);
	assert_int_equal(out[0].phys, 0x100000 * 591);
	assert_int_equal(out[3].phys, 0x100000 * 594);
	assert_int_equal(out[4].phys, 0);
	assert_int_equal(smmu_device_report_reserved(&devid, 600, out, 4), 0);
	/* nresv 0 only counts. */
	assert_int_equal(smmu_device_report_reserved(&devid, 0, NULL, 0), 600);
	assert_int_equal(fake_find(PROTO_REPORT_RESERVED, 5)->req.report_reserved.capacity, 0);

	fake.fail_type = PROTO_REPORT_RESERVED;
	fake.fail_nth = 1;
	fake.fail_result = -ENOENT;
	assert_int_equal(smmu_device_report_reserved(&devid, 0, out, 4), UINT_MAX);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(smmu_device_report_reserved(&devid, 0, NULL, 4), UINT_MAX);
	assert_int_equal(errno, EINVAL);
}

/* --- Faults ------------------------------------------------------------ */

/* smmu_xfer_status drains the socket before asking (the fake sees it
 * unreadable), and the socket is readable again exactly while records
 * remain. */
static void test_xfer_status_drains_and_rearms(void **state)
{
	struct smmu_status first = {.fault_addr = 0xa000, .hw_specific = 1};
	struct smmu_status second = {.fault_addr = 0xb000, .flags = SSF_DROPPED_FAULTS};
	struct smmu_status got;
	int fd;

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	fd = smmu_xfer_fd();
	fake.client_notify_fd = fd;
	fake_push_fault(&first);
	fake_push_fault(&second);
	assert_true(becomes_readable(fd));
	assert_int_equal(smmu_xfer_status(&got), 1);
	assert_int_equal(got.fault_addr, 0xa000);
	assert_int_equal(got.hw_specific, 1);
	assert_false(fake_find(PROTO_XFER_STATUS, 0)->notify_readable);
	assert_true(readable(fd)); /* one record remains */
	assert_int_equal(smmu_xfer_status(&got), 1);
	assert_int_equal(got.fault_addr, 0xb000);
	assert_int_equal(got.flags, SSF_DROPPED_FAULTS);
	assert_false(fake_find(PROTO_XFER_STATUS, 1)->notify_readable);
	assert_false(readable(fd));
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(smmu_xfer_status(&got), 0);
	assert_int_equal(got.fault_addr, 0x5a5a5a5a5a5a5a5aull); /* untouched */
	assert_int_equal(smmu_xfer_status(NULL), -1);
	assert_int_equal(errno, EINVAL);
}

/* Waits (bounded) for SIGRTMIN and returns its value, or -1. */
static int wait_signal(void)
{
	struct timespec bound = {.tv_sec = WAIT_BOUND_MS / 1000};
	siginfo_t info;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	if (sigtimedwait(&set, &info, &bound) != SIGRTMIN) {
		return -1;
	}
	return info.si_value.sival_int;
}

static bool signal_pending(void)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, SIGRTMIN);
}

/* SIGEV_SIGNAL: one signal per arm with the armed value; a record that
 * arrives while disarmed signals nothing; re-arming while a record waits
 * signals at once.  Real-time signals queue, so a duplicate would show. */
static void test_notify_signal_once_per_arm(void **state)
{
	struct sigevent event = {.sigev_notify = SIGEV_SIGNAL, .sigev_value.sival_int = 1};
	struct smmu_status status = {.fault_addr = 0x1000};
	struct smmu_status got;

	(void)state;
	event.sigev_signo = SIGRTMIN;
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(smmu_xfer_notify(&event), 0);
	assert_int_equal(fake_count(PROTO_XFER_NOTIFY), 1);
	fake_push_fault(&status);
	assert_int_equal(wait_signal(), 1);
	/* Disarmed by the delivery: the waiter cannot signal again. */
	fake_push_fault(&status);
	assert_false(signal_pending());
	assert_int_equal(smmu_xfer_status(&got), 1);
	assert_true(readable(smmu_xfer_fd()));
	event.sigev_value.sival_int = 2;
	assert_int_equal(smmu_xfer_notify(&event), 0);
	assert_int_equal(wait_signal(), 2);
	assert_int_equal(smmu_xfer_status(&got), 1);
	assert_int_equal(smmu_xfer_status(&got), 0);
	smmu_fini(); /* joins the waiter: nothing can come after this */
	assert_false(signal_pending());
}

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int calls;
	int values[8];
	bool detached[8];
	size_t stack_size[8];
	bool usr2_blocked[8];
} cb = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void on_fault(union sigval value)
{
	pthread_attr_t attr;
	sigset_t mask;
	int detach;
	size_t size;

	pthread_getattr_np(pthread_self(), &attr);
	pthread_attr_getdetachstate(&attr, &detach);
	pthread_attr_getstacksize(&attr, &size);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_BLOCK, NULL, &mask);
	pthread_mutex_lock(&cb.lock);
	if (cb.calls < 8) {
		cb.values[cb.calls] = value.sival_int;
		cb.detached[cb.calls] = detach == PTHREAD_CREATE_DETACHED;
		cb.stack_size[cb.calls] = size;
		cb.usr2_blocked[cb.calls] = sigismember(&mask, SIGUSR2);
	}
	cb.calls++;
	pthread_cond_broadcast(&cb.cond);
	pthread_mutex_unlock(&cb.lock);
}

/* Waits (bounded) until the callback ran `want` times; returns how often. */
static int wait_calls(int want)
{
	struct timespec deadline;
	int calls;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_BOUND_MS / 1000;
	pthread_mutex_lock(&cb.lock);
	while (cb.calls < want && pthread_cond_timedwait(&cb.cond, &cb.lock, &deadline) == 0) {
	}
	calls = cb.calls;
	pthread_mutex_unlock(&cb.lock);
	return calls;
}

/* SIGEV_THREAD: one call per arm, in a detached thread made with the
 * caller's attributes and the arming thread's signal mask. */
static void test_notify_thread_once_per_arm(void **state)
{
	struct sigevent event = {.sigev_notify = SIGEV_THREAD, .sigev_value.sival_int = 1};
	struct smmu_status status = {.fault_addr = 0x1000};
	struct smmu_status got;
	pthread_attr_t attr;

	(void)state;
	cb.calls = 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	event.sigev_notify_function = on_fault;
	event.sigev_notify_attributes = &attr;
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(smmu_xfer_notify(&event), 0);
	/* Copied at arming: the caller's object may go. */
	pthread_attr_destroy(&attr);
	fake_push_fault(&status);
	assert_int_equal(wait_calls(1), 1);
	fake_push_fault(&status);
	assert_int_equal(smmu_xfer_status(&got), 1);
	assert_true(readable(smmu_xfer_fd()));
	event.sigev_value.sival_int = 2;
	event.sigev_notify_attributes = NULL;
	assert_int_equal(smmu_xfer_notify(&event), 0);
	assert_int_equal(wait_calls(2), 2);
	smmu_fini();
	pthread_mutex_lock(&cb.lock);
	assert_int_equal(cb.calls, 2);
	assert_int_equal(cb.values[0], 1);
	assert_int_equal(cb.values[1], 2);
	assert_true(cb.detached[0]);
	assert_true(cb.detached[1]);
	assert_int_equal(cb.stack_size[0], 1 << 20);
	assert_false(cb.usr2_blocked[0]);
	pthread_mutex_unlock(&cb.lock);
}

/* SIGEV_NONE: the process listens (the fd becomes readable) and nothing is
 * delivered. */
static void test_notify_none_never_delivers(void **state)
{
	struct sigevent signal_event = {.sigev_notify = SIGEV_SIGNAL};
	struct sigevent none = {.sigev_notify = SIGEV_NONE};
	struct smmu_status status = {.fault_addr = 0x1000};

	(void)state;
	signal_event.sigev_signo = SIGRTMIN;
	assert_int_equal(smmu_init(0), 0);
	/* A later SIGEV_NONE replaces an armed signal, as on QNX. */
	assert_int_equal(smmu_xfer_notify(&signal_event), 0);
	assert_int_equal(smmu_xfer_notify(&none), 0);
	assert_int_equal(fake_count(PROTO_XFER_NOTIFY), 2);
	fake_push_fault(&status);
	assert_true(becomes_readable(smmu_xfer_fd()));
	smmu_fini();
	assert_false(signal_pending());
}

/* Kinds and fields the library cannot deliver are EINVAL, before sending. */
static void test_notify_invalid(void **state)
{
	struct sigevent event = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 0};

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(smmu_xfer_notify(NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(smmu_xfer_notify(&event), -1);
	assert_int_equal(errno, EINVAL);
	event = (struct sigevent){.sigev_notify = SIGEV_THREAD};
	assert_int_equal(smmu_xfer_notify(&event), -1);
	assert_int_equal(errno, EINVAL);
	event = (struct sigevent){.sigev_notify = 12345};
	assert_int_equal(smmu_xfer_notify(&event), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fake_count(PROTO_XFER_NOTIFY), 0);
}

/* --- Broken connections -------------------------------------------------- */

/* A malformed reply fails the call with EBADMSG and drops the connection:
 * later calls get ENOTCONN, smmu_init refuses to pretend, and after the
 * last smmu_fini a new smmu_init connects afresh. */
static void test_malformed_reply_drops_connection(void **state)
{
	int fd;

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	fake.malformed_next = true;
	assert_null(smmu_obj_create(SOCF_NONE));
	assert_int_equal(errno, EBADMSG);
	assert_null(smmu_obj_create(SOCF_NONE));
	assert_int_equal(errno, ENOTCONN);
	assert_true(fake_wait_closed(1));
	/* The notification socket stays open until the last smmu_fini, and
	 * says the service's end is gone. */
	fd = smmu_xfer_fd();
	assert_true(fd >= 0);
	assert_int_equal(smmu_init(0), -1);
	assert_int_equal(errno, ENOTCONN);
	smmu_fini();
	assert_int_equal(smmu_xfer_fd(), -1);
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(fake_accepted(), 2);
	assert_int_equal(smmu_safety(), SMMUMAN_SAFETY_NO);
}

/* A service that closes the connection: ENOTCONN at once and after, and an
 * armed sigevent is delivered so that a listener learns of it. */
static void test_service_closed(void **state)
{
	struct sigevent event = {.sigev_notify = SIGEV_SIGNAL, .sigev_value.sival_int = 9};
	struct smmu_status got;

	(void)state;
	event.sigev_signo = SIGRTMIN;
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(smmu_xfer_notify(&event), 0);
	fake.close_next = true;
	assert_int_equal(smmu_xfer_status(&got), -1);
	assert_int_equal(errno, ENOTCONN);
	assert_int_equal(wait_signal(), 9);
	assert_true(readable(smmu_xfer_fd()));
	assert_int_equal(smmu_xfer_status(&got), -1);
	assert_int_equal(errno, ENOTCONN);
}

/* --- fork -------------------------------------------------------------- */

/* A forked child starts not initialised, without the parent's descriptors,
 * and may connect for itself; the parent's connection is untouched. */
static void test_fork_child_not_connected(void **state)
{
	static bool before[1024], after[1024];
	struct smmu_status status = {.fault_addr = 0x1000};
	struct sigevent event = {.sigev_notify = SIGEV_SIGNAL};
	int wstatus;
	pid_t pid;

	(void)state;
	event.sigev_signo = SIGRTMIN;
	open_fds(before);
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(smmu_xfer_notify(&event), 0); /* a waiter thread exists */
	open_fds(after);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		static bool child[1024];
		int bad = 0;

		open_fds(child);
		/* What the library opened in the parent (new since `before`,
		 * not the fake's: the fake is a thread of the parent) must not
		 * be open in the child. */
		for (int fd = 0; fd < 1024; fd++) {
			if (after[fd] && !before[fd] && child[fd] && !fake_owns_fd(fd)) {
				bad |= 1;
			}
		}
		if (smmu_xfer_fd() != -1 || errno != ENOTCONN) {
			bad |= 2;
		}
		if (smmu_obj_create(SOCF_NONE) != NULL || errno != ENOTCONN) {
			bad |= 4;
		}
		if (smmu_init(0) != 0 || smmu_safety() != SMMUMAN_SAFETY_NO) {
			bad |= 8;
		}
		smmu_fini();
		_exit(bad);
	}
	assert_int_equal(waitpid(pid, &wstatus, 0), pid);
	assert_true(WIFEXITED(wstatus));
	assert_int_equal(WEXITSTATUS(wstatus), 0);
	assert_int_equal(fake_accepted(), 2);
	assert_true(fake_wait_closed(1));
	/* The parent still works, and its waiter still delivers. */
	assert_int_equal(smmu_safety(), SMMUMAN_SAFETY_NO);
	fake_push_fault(&status);
	assert_int_equal(wait_signal(), 0);
}

/* --- Threads and the deprecated call ----------------------------------- */

static void *create_destroy_loop(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++) {
		struct smmu_object *sop = smmu_obj_create(SOCF_NONE);

		if (!sop) {
			return (void *)1;
		}
		smmu_obj_destroy(sop);
	}
	return NULL;
}

/* Four threads' exchanges never cross: every create gets its own reply. */
static void test_threads_share_the_connection(void **state)
{
	pthread_t threads[4];
	void *result;

	(void)state;
	assert_int_equal(smmu_init(0), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_create(&threads[i], NULL, create_destroy_loop, NULL), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(threads[i], &result), 0);
		assert_null(result);
	}
	assert_int_equal(fake_count(PROTO_OBJECT_CREATE), 800);
	assert_int_equal(fake_count(PROTO_OBJECT_DESTROY), 800);
}

/* smmu_safety passes the service's YES or NO through; any other value is a
 * malformed reply. */
static void test_safety(void **state)
{
	(void)state;
	assert_int_equal(smmu_init(0), 0);
	assert_int_equal(smmu_safety(), SMMUMAN_SAFETY_NO);
	fake.safety_result = SMMUMAN_SAFETY_YES;
	assert_int_equal(smmu_safety(), SMMUMAN_SAFETY_YES);
	fake.safety_result = 5;
	assert_int_equal(smmu_safety(), SMMUMAN_SAFETY_ERROR);
	assert_int_equal(errno, EBADMSG);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_without_service_enoent),
		T(test_init_stale_socket_econnrefused),
		T(test_init_flags_einval),
		T(test_calls_before_init_enotconn),
		T(test_init_refcount),
		T(test_hello_carries_notification_socket),
		T(test_init_eperm),
		T(test_object_create_destroy),
		T(test_object_create_refused),
		T(test_device_add_fields),
		T(test_device_add_results),
		T(test_device_add_bad_type),
		T(test_stale_object),
		T(test_mapping_split_advances_target),
		T(test_mapping_split_without_target),
		T(test_mapping_split_rollback),
		T(test_mapping_split_rollback_identity),
		T(test_mapping_split_removal_not_undone),
		T(test_mapping_split_checks_entries_first),
		T(test_mapping_arguments),
		T(test_report_reserved),
		T(test_xfer_status_drains_and_rearms),
		T(test_notify_signal_once_per_arm),
		T(test_notify_thread_once_per_arm),
		T(test_notify_none_never_delivers),
		T(test_notify_invalid),
		T(test_malformed_reply_drops_connection),
		T(test_service_closed),
		T(test_fork_child_not_connected),
		T(test_threads_share_the_connection),
		T(test_safety),
	};
	sigset_t set;

	/* Blocked in every thread (all are created later and inherit it), so
	 * that the tests take the library's signals with sigtimedwait. */
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
