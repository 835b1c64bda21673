/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service suite: the real smmuman on the soft IOMMU, real libsmmu
 * clients in their own processes, and smmuctl's probe as the witness of
 * what a device can reach.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../unit/cmocka-all.h"
#include "proto/proto.h"
#include "service-harness.h"

/* The board every test starts from: four PCI functions behind one soft
 * unit; 0:1.0 may read an 8 KiB boot buffer from start-up; 0:3.0 has a
 * reserved region. */
#define BOARD                                                           \
	"smmu soft unit soft0 pci:0:1.0,pci:0:2.0,pci:0:3.0,pci:0:4.0 " \
	"allow boot 0x100000,8K,s device pci:0:1.0 boot "               \
	"device pci:0:3.0 reserved 0x300000,4K"

#define R SMMU_ACCESS_READ
#define W SMMU_ACCESS_WRITE

/* In a client: fail with the line, so the test's message says where. */
#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "client %d: line %d: %s (errno %s)\n", getpid(), __LINE__, \
				#cond, strerror(errno));                                           \
			return 1;                                                                  \
		}                                                                                  \
	} while (0)

static int map(struct smmu_object *object, unsigned flags, uint64_t start, uint64_t len,
	       uint64_t target)
{
	struct smmu_map_entry entry = {.phys = start, .len = len};

	return smmu_mapping_add(object, flags, 0, 1, &entry, target);
}

static int teardown(void **state)
{
	(void)state;
	harness_stop();
	return 0;
}

/* --- Start-up ---------------------------------------------------------- */

/* Before any client connects, each configured device reaches exactly its
 * startup mappings and reserved regions; every other device is blocked. */
static void test_startup_mappings(void **state)
{
	(void)state;
	harness_start(BOARD);
	assert_int_equal(harness_probe(0, 1, 0x100000, R), SMMU_REFUSAL_NONE);
	assert_int_equal(harness_probe(0, 1, 0x101fff, R), SMMU_REFUSAL_NONE);
	assert_int_equal(harness_probe(0, 1, 0x100000, W), SMMU_REFUSAL_READ_ONLY);
	assert_int_equal(harness_probe(0, 1, 0x102000, R), SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(harness_probe(0, 3, 0x300000, W), SMMU_REFUSAL_NONE);
	assert_int_equal(harness_probe(0, 2, 0x100000, R), SMMU_REFUSAL_BLOCKED);
}

/* --- Return codes ------------------------------------------------------ */

static int client_return_codes(void *arg)
{
	struct smmu_map_entry reserved[4];
	union smmu_devid unknown = {.pci = {SDT_PCI, 0, 9, 0}};
	union smmu_devid dev3 = {.pci = {SDT_PCI, 0, 3, 0}};
	struct smmu_object *object;

	(void)arg;
	EXPECT(smmu_obj_create(SOCF_NONE) == NULL && errno == ENOTCONN);
	EXPECT(smmu_init(1) == -1 && errno == EINVAL);
	EXPECT(smmu_init(0) == 0);
	EXPECT((object = smmu_obj_create(SOCF_NONE)) != NULL);
	EXPECT(smmu_device_add_pci(object, 0, 9, 0) == -1 && errno == ENOENT);
	EXPECT(smmu_device_add_pci(object, 0, 2, 0) == 0);
	EXPECT(smmu_device_add_pci(NULL, 0, 4, 0) == -1 && errno == ENOENT);
	EXPECT(map(object, SMF_READ | SMF_WRITE, 0x400000, 0x2000, 0) == 0);
	EXPECT(map(object, SMF_READ | SMF_WRITE, 0x400000, 0x2000, 0) == 0); /* identical */
	EXPECT(map(object, SMF_READ, 0x401000, 0x2000, 0) == -1 && errno == EEXIST);
	{
		struct smmu_map_entry entry = {.phys = 0x500000, .len = 0x1000};

		EXPECT(smmu_mapping_add(object, SMF_READ, 7, 1, &entry, 0) == -1 &&
		       errno == EINVAL);
	}
	EXPECT(smmu_device_report_reserved(&unknown, 0, reserved, 4) == UINT_MAX &&
	       errno == ENOENT);
	EXPECT(smmu_device_report_reserved(&dev3, 0, reserved, 4) == 1);
	EXPECT(reserved[0].phys == 0x300000 && reserved[0].len == 0x1000);
	EXPECT(smmu_device_report_reserved(&dev3, 1, reserved, 4) == 0);
	EXPECT(smmu_device_add_pci(NULL, 0, 2, 0) == 0);
	smmu_obj_destroy(object);
	smmu_fini();
	EXPECT(smmu_obj_create(SOCF_NONE) == NULL && errno == ENOTCONN);
	return 0;
}

/* Every documented return code of the client API, from a real client. */
static void test_return_codes(void **state)
{
	(void)state;
	harness_start(BOARD);
	assert_int_equal(harness_client_run(client_return_codes, NULL), 0);
}

/* --- Ownership --------------------------------------------------------- */

static int client_owner(void *arg)
{
	struct smmu_object *first, *second;

	(void)arg;
	EXPECT(smmu_init(0) == 0);
	EXPECT((first = smmu_obj_create(SOCF_NONE)) != NULL);
	EXPECT((second = smmu_obj_create(SOCF_NONE)) != NULL);
	EXPECT(smmu_device_add_pci(first, 0, 2, 0) == 0);
	EXPECT(map(first, SMF_READ, 0x600000, 0x1000, 0) == 0);
	EXPECT(map(second, SMF_WRITE, 0x700000, 0x1000, 0) == 0);
	harness_step_signal(); /* 0:2.0 is in `first` */
	harness_step_wait();
	/* The owner moves its device between its own objects. */
	EXPECT(smmu_device_add_pci(second, 0, 2, 0) == 0);
	harness_step_signal();
	harness_step_wait();
	smmu_fini();
	return 0;
}

static int client_rival(void *arg)
{
	struct smmu_object *object;

	(void)arg;
	EXPECT(smmu_init(0) == 0);
	EXPECT((object = smmu_obj_create(SOCF_NONE)) != NULL);
	EXPECT(smmu_device_add_pci(object, 0, 2, 0) == -1 && errno == EBUSY);
	EXPECT(smmu_device_add_pci(NULL, 0, 2, 0) == -1 && errno == ENOENT);
	smmu_fini();
	return 0;
}

/* One owner per device: a rival gets EBUSY and cannot remove it; the
 * owner moves it between its objects and the device follows. */
static void test_two_clients_compete(void **state)
{
	pid_t owner;

	(void)state;
	harness_start(BOARD);
	owner = harness_client_start(client_owner, NULL);
	harness_step_done();
	assert_int_equal(harness_probe(0, 2, 0x600000, R), SMMU_REFUSAL_NONE);
	assert_int_equal(harness_client_run(client_rival, NULL), 0);
	assert_int_equal(harness_probe(0, 2, 0x600000, R), SMMU_REFUSAL_NONE);
	harness_step_go();
	harness_step_done();
	assert_int_equal(harness_probe(0, 2, 0x600000, R), SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(harness_probe(0, 2, 0x700000, W), SMMU_REFUSAL_NONE);
	assert_int_equal(harness_probe(0, 2, 0x700000, R), SMMU_REFUSAL_WRITE_ONLY);
	harness_step_go();
	assert_int_equal(harness_client_wait(owner), 0);
}

/* --- Death of a client ------------------------------------------------- */

static int client_doomed(void *arg)
{
	struct smmu_object *object;

	(void)arg;
	EXPECT(smmu_init(0) == 0);
	EXPECT((object = smmu_obj_create(SOCF_NONE)) != NULL);
	EXPECT(smmu_device_add_pci(object, 0, 1, 0) == 0);
	EXPECT(smmu_device_add_pci(object, 0, 2, 0) == 0);
	EXPECT(map(object, SMF_READ | SMF_WRITE, 0x800000, 0x4000, 0) == 0);
	harness_step_signal();
	for (;;) {
		pause();
	}
}

/* kill -9 of a client revokes everything it had: its devices lose its
 * mappings (0:1.0 returns to its startup mappings, 0:2.0 is blocked) and
 * the service forgets the client and its object. */
static void test_kill9_revokes(void **state)
{
	pid_t doomed;
	const char *status;

	(void)state;
	harness_start(BOARD);
	doomed = harness_client_start(client_doomed, NULL);
	harness_step_done();
	assert_int_equal(harness_probe(0, 2, 0x803000, W), SMMU_REFUSAL_NONE);
	assert_int_equal(harness_probe(0, 1, 0x800000, R), SMMU_REFUSAL_NONE);
	assert_int_equal(harness_probe(0, 1, 0x100000, R), SMMU_REFUSAL_NOT_MAPPED);
	kill(doomed, SIGKILL);
	assert_int_equal(harness_client_wait(doomed), -1);
	assert_true(harness_wait_probe(0, 2, 0x803000, W, SMMU_REFUSAL_BLOCKED));
	assert_int_equal(harness_probe(0, 1, 0x800000, R), SMMU_REFUSAL_NOT_MAPPED);
	assert_int_equal(harness_probe(0, 1, 0x100000, R), SMMU_REFUSAL_NONE);
	status = harness_status_json();
	assert_non_null(strstr(status, "\"objects\":[]"));
	assert_non_null(strstr(status, "\"clients\":[]"));
}

/* --- Faults ------------------------------------------------------------ */

static int client_overflow(void *arg)
{
	struct pollfd pfd;
	struct smmu_status status;
	unsigned count = 0;

	(void)arg;
	EXPECT(smmu_init(0) == 0);
	{
		struct sigevent none = {.sigev_notify = SIGEV_NONE};

		EXPECT(smmu_xfer_notify(&none) == 0);
	}
	harness_step_signal();
	harness_step_wait(); /* the test made 70 refused probes */
	pfd = (struct pollfd){.fd = smmu_xfer_fd(), .events = POLLIN};
	EXPECT(poll(&pfd, 1, 10000) == 1);
	while (smmu_xfer_status(&status) == 1) {
		EXPECT(status.devid.type == SDT_PCI && status.devid.pci.dev == 2);
		EXPECT(status.fault_addr == 0x900000 + (uint64_t)count * 0x1000);
		count++;
		/* The newest record kept says records were lost after it. */
		EXPECT(!!(status.flags & SSF_DROPPED_FAULTS) == (count == 64));
	}
	EXPECT(count == 64);
	EXPECT(poll(&pfd, 1, 0) == 0); /* drained: no longer readable */
	smmu_fini();
	return 0;
}

/* 64 records per client; the flag marks the loss; the pollable
 * descriptor is readable exactly while records wait. */
static void test_fault_queue_overflow(void **state)
{
	pid_t client;

	(void)state;
	harness_start(BOARD);
	client = harness_client_start(client_overflow, NULL);
	harness_step_done();
	for (unsigned i = 0; i < 70; i++) {
		assert_int_equal(harness_probe(0, 2, 0x900000 + i * 0x1000, R),
				 SMMU_REFUSAL_BLOCKED);
	}
	harness_step_go();
	assert_int_equal(harness_client_wait(client), 0);
}

static int thread_calls;
static pthread_mutex_t thread_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t thread_cond = PTHREAD_COND_INITIALIZER;

static void on_fault_thread(union sigval value)
{
	pthread_mutex_lock(&thread_lock);
	thread_calls += value.sival_int;
	pthread_cond_broadcast(&thread_cond);
	pthread_mutex_unlock(&thread_lock);
}

/* Waits (bounded) until the notification of `kind` was delivered `want`
 * times in all; returns how many times it was. */
static int deliveries(int kind, int want)
{
	static int signals;
	struct timespec timeout = {.tv_sec = 10};

	if (kind == SIGEV_SIGNAL) {
		sigset_t set;
		siginfo_t info;

		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		while (signals < want && sigtimedwait(&set, &info, &timeout) == SIGUSR1) {
			signals += info.si_value.sival_int;
		}
		return signals;
	}
	pthread_mutex_lock(&thread_lock);
	while (thread_calls < want) {
		struct timespec deadline;

		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 10;
		if (pthread_cond_timedwait(&thread_cond, &thread_lock, &deadline) != 0) {
			break;
		}
	}
	want = thread_calls;
	pthread_mutex_unlock(&thread_lock);
	return want;
}

static int pending_signals(void)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, SIGUSR1);
}

static int client_notify(void *arg)
{
	int kind = *(int *)arg;
	struct sigevent event = {.sigev_notify = kind, .sigev_value.sival_int = 1};
	struct pollfd pfd;
	struct smmu_status status;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	event.sigev_signo = SIGUSR1;
	event.sigev_notify_function = on_fault_thread;
	EXPECT(smmu_init(0) == 0);
	EXPECT(smmu_xfer_notify(&event) == 0);
	pfd = (struct pollfd){.fd = smmu_xfer_fd(), .events = POLLIN};
	harness_step_signal();
	harness_step_wait(); /* one refused access */
	EXPECT(poll(&pfd, 1, 10000) == 1);
	if (kind != SIGEV_NONE) {
		EXPECT(deliveries(kind, 1) == 1);
	}
	harness_step_signal();
	harness_step_wait(); /* a second one: not armed, no delivery */
	EXPECT(smmu_xfer_status(&status) == 1);
	EXPECT(poll(&pfd, 1, 10000) == 1); /* the second record waits */
	EXPECT(kind != SIGEV_SIGNAL || !pending_signals());
	EXPECT(kind != SIGEV_THREAD || thread_calls == 1);
	/* Re-armed while a record waits: delivered at once. */
	EXPECT(smmu_xfer_notify(&event) == 0);
	if (kind != SIGEV_NONE) {
		EXPECT(deliveries(kind, 2) == 2);
	}
	EXPECT(smmu_xfer_status(&status) == 1);
	EXPECT(status.fault_addr == 0xa01000);
	EXPECT(smmu_xfer_status(&status) == 0);
	smmu_fini();
	return 0;
}

static void notify_round(int kind)
{
	pid_t client;

	harness_start(BOARD);
	client = harness_client_start(client_notify, &kind);
	harness_step_done();
	assert_int_equal(harness_probe(0, 2, 0xa00000, W), SMMU_REFUSAL_BLOCKED);
	harness_step_go();
	harness_step_done();
	assert_int_equal(harness_probe(0, 2, 0xa01000, W), SMMU_REFUSAL_BLOCKED);
	harness_step_go();
	assert_int_equal(harness_client_wait(client), 0);
}

/* Notification is one-shot and re-armed, with each sigevent kind. */
static void test_notify_signal(void **state)
{
	(void)state;
	notify_round(SIGEV_SIGNAL);
}

static void test_notify_thread(void **state)
{
	(void)state;
	notify_round(SIGEV_THREAD);
}

static void test_notify_none(void **state)
{
	(void)state;
	notify_round(SIGEV_NONE);
}

/* --- Reserved regions -------------------------------------------------- */

static int client_reserved(void *arg)
{
	struct smmu_object *managed, *manual;

	(void)arg;
	EXPECT(smmu_init(0) == 0);
	EXPECT((managed = smmu_obj_create(SOCF_NONE)) != NULL);
	EXPECT((manual = smmu_obj_create(SOCF_RESERVED_MANUAL)) != NULL);
	EXPECT(smmu_device_add_pci(managed, 0, 3, 0) == 0);
	harness_step_signal();
	harness_step_wait();
	EXPECT(smmu_device_add_pci(manual, 0, 3, 0) == 0);
	harness_step_signal();
	harness_step_wait();
	EXPECT(smmu_device_add_pci(NULL, 0, 3, 0) == 0);
	harness_step_signal();
	harness_step_wait();
	smmu_fini();
	return 0;
}

/* Reserved regions follow a device into an object unless the object
 * manages them itself, and come back with the startup state. */
static void test_reserved_regions(void **state)
{
	pid_t client;

	(void)state;
	harness_start(BOARD);
	client = harness_client_start(client_reserved, NULL);
	harness_step_done();
	assert_int_equal(harness_probe(0, 3, 0x300000, R), SMMU_REFUSAL_NONE);
	harness_step_go();
	harness_step_done();
	assert_int_equal(harness_probe(0, 3, 0x300000, R), SMMU_REFUSAL_NOT_MAPPED);
	harness_step_go();
	harness_step_done();
	assert_int_equal(harness_probe(0, 3, 0x300000, R), SMMU_REFUSAL_NONE);
	harness_step_go();
	assert_int_equal(harness_client_wait(client), 0);
}

/* --- Abilities --------------------------------------------------------- */

static int client_without_abilities(void *arg)
{
	(void)arg;
	EXPECT(harness_drop_privileges() == 0);
	EXPECT(smmu_init(0) == -1 && errno == EPERM);
	return 0;
}

static int client_attach_only(void *arg)
{
	struct smmu_object *object;

	(void)arg;
	EXPECT(harness_drop_privileges() == 0);
	EXPECT(smmu_init(0) == 0);
	EXPECT((object = smmu_obj_create(SOCF_NONE)) != NULL);
	EXPECT(smmu_device_add_pci(object, 0, 4, 0) == 0);
	EXPECT(map(object, SMF_READ, 0xb00000, 0x1000, 0) == 0);
	EXPECT(map(object, SMF_READ | SMF_TARGET, 0xc00000, 0x1000, 0xb00000) == -1 &&
	       errno == EPERM);
	smmu_fini();
	return 0;
}

/* A user the configuration does not name cannot attach. */
static void test_no_ability_no_attach(void **state)
{
	(void)state;
	harness_start_unpermitted(BOARD);
	assert_int_equal(harness_client_run(client_without_abilities, NULL), 0);
}

/* `permit attach` grants attach and not target. */
static void test_permit_attach_only(void **state)
{
	char config[512];

	(void)state;
	snprintf(config, sizeof(config), "%s permit attach uid:%ld", BOARD,
		 (long)harness_client_uid());
	harness_start_unpermitted(config);
	assert_int_equal(harness_client_run(client_attach_only, NULL), 0);
}

/* --- Bad clients -------------------------------------------------------- */

/* Garbage gets an error reply and a closed connection; the service goes on
 * serving everyone else. */
static void test_garbage_is_answered_and_cut(void **state)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	unsigned char reply[256];
	const char *path;
	int fd;

	(void)state;
	harness_start(BOARD);
	path = getenv("SMMUMAN_SOCKET");
	memcpy(addr.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(send(fd, "not a message at all", 20, 0), 20);
	assert_true(recv(fd, reply, sizeof(reply), 0) >=
		    (ssize_t)(sizeof(struct proto_header) + sizeof(struct proto_reply)));
	assert_int_equal(recv(fd, reply, sizeof(reply), 0), 0);
	close(fd);
	assert_int_equal(harness_probe(0, 1, 0x100000, R), SMMU_REFUSAL_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_startup_mappings, teardown),
		cmocka_unit_test_teardown(test_return_codes, teardown),
		cmocka_unit_test_teardown(test_two_clients_compete, teardown),
		cmocka_unit_test_teardown(test_kill9_revokes, teardown),
		cmocka_unit_test_teardown(test_fault_queue_overflow, teardown),
		cmocka_unit_test_teardown(test_notify_signal, teardown),
		cmocka_unit_test_teardown(test_notify_thread, teardown),
		cmocka_unit_test_teardown(test_notify_none, teardown),
		cmocka_unit_test_teardown(test_reserved_regions, teardown),
		cmocka_unit_test_teardown(test_no_ability_no_attach, teardown),
		cmocka_unit_test_teardown(test_permit_attach_only, teardown),
		cmocka_unit_test_teardown(test_garbage_is_answered_and_cut, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
