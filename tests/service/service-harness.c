/* SPDX-License-Identifier: Apache-2.0 */
#include "service-harness.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../unit/cmocka-all.h"
#include "common/strbuf.h"
#include "ctl-client.h"

static struct {
	char dir[64];
	char socket_path[96];
	pid_t service;
	int to_child[2]; /* test -> child steps */
	int to_test[2];	 /* child -> test steps */
	char status[1 << 20];
} harness;

pid_t harness_service_pid(void)
{
	return harness.service;
}

static void make_pipes(void)
{
	assert_int_equal(pipe(harness.to_child), 0);
	assert_int_equal(pipe(harness.to_test), 0);
}

static void close_pipes(void)
{
	close(harness.to_child[0]);
	close(harness.to_child[1]);
	close(harness.to_test[0]);
	close(harness.to_test[1]);
}

static void start(const char *config, bool permit_own_uid)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char notify_path[128], ready[256], permit[64];
	char *words = NULL, *argv[512], *save = NULL;
	size_t argc = 0;
	int notify_fd;

	snprintf(harness.dir, sizeof(harness.dir), "/tmp/smmu-service.XXXXXX");
	assert_non_null(mkdtemp(harness.dir));
	/* Clients that drop to another uid must reach the socket (0666). */
	assert_int_equal(chmod(harness.dir, 0755), 0);
	snprintf(harness.socket_path, sizeof(harness.socket_path), "%s/smmuman.sock", harness.dir);
	snprintf(notify_path, sizeof(notify_path), "%s/notify", harness.dir);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memcpy(addr.sun_path, notify_path, strlen(notify_path) + 1);
	assert_int_equal(bind(notify_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	make_pipes();

	argv[argc++] = SMMUMAN_PATH;
	argv[argc++] = "-f";
	argv[argc++] = "--socket";
	argv[argc++] = harness.socket_path;
	argv[argc++] = "--libdir";
	argv[argc++] = SOFT_MODULE_DIR;
	words = strdup(config);
	for (char *w = strtok_r(words, " ", &save); w && argc < 500;
	     w = strtok_r(NULL, " ", &save)) {
		argv[argc++] = w;
	}
	if (geteuid() != 0 && permit_own_uid) {
		snprintf(permit, sizeof(permit), "uid:%ld", (long)getuid());
		argv[argc++] = "permit";
		argv[argc++] = "attach:target";
		argv[argc++] = permit;
	}
	argv[argc] = NULL;
	setenv("SMMUMAN_SOCKET", harness.socket_path, 1);
	harness.service = fork();
	assert_true(harness.service >= 0);
	if (harness.service == 0) {
		setenv("NOTIFY_SOCKET", notify_path, 1);
		execv(SMMUMAN_PATH, argv);
		_exit(127);
	}
	free(words);
	/* READY=1 is the service's word that every configured device is
	 * protected; a service that dies first fails the test here. */
	for (;;) {
		struct timeval timeout = {.tv_sec = 10};
		ssize_t n;

		setsockopt(notify_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
		n = recv(notify_fd, ready, sizeof(ready) - 1, 0);
		assert_true(n > 0);
		ready[n] = '\0';
		if (strstr(ready, "READY=1")) {
			break;
		}
	}
	close(notify_fd);
	unlink(notify_path);
}

void harness_start(const char *config)
{
	start(config, true);
}

void harness_start_unpermitted(const char *config)
{
	start(config, false);
}

void harness_stop(void)
{
	struct stat st;
	int status;

	assert_int_equal(kill(harness.service, SIGTERM), 0);
	assert_int_equal(waitpid(harness.service, &status, 0), harness.service);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(stat(harness.socket_path, &st), -1);
	close_pipes();
	assert_int_equal(rmdir(harness.dir), 0);
}

static struct ctl_client observer(void)
{
	struct ctl_client client;

	assert_int_equal(ctl_connect(&client, harness.socket_path), 0);
	return client;
}

unsigned harness_probe(unsigned bus, unsigned dev, uint64_t iova, unsigned access)
{
	struct ctl_client client = observer();
	union smmu_devid devid = {.pci = {SDT_PCI, bus, dev, 0}};
	unsigned refusal;
	uint64_t pa;

	assert_int_equal(ctl_probe(&client, &devid, iova, access, &pa, &refusal), 0);
	ctl_close(&client);
	return refusal;
}

bool harness_wait_probe(unsigned bus, unsigned dev, uint64_t iova, unsigned access,
			unsigned refusal)
{
	/* The service learns of a death when it reads the socket's hang-up,
	 * after the test's waitpid(): poll, bounded so a bug fails. */
	for (int i = 0; i < 500; i++) {
		if (harness_probe(bus, dev, iova, access) == refusal) {
			return true;
		}
		usleep(10 * 1000);
	}
	return false;
}

const char *harness_status_json(void)
{
	struct ctl_client client = observer();
	struct strbuf out = STRBUF_INIT;

	assert_int_equal(ctl_status(&client, true, &out), 0);
	assert_true(out.len < sizeof(harness.status));
	memcpy(harness.status, strbuf_str(&out), out.len + 1);
	strbuf_fini(&out);
	ctl_close(&client);
	return harness.status;
}

pid_t harness_client_start(int (*body)(void *arg), void *arg)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		_exit(body(arg));
	}
	return pid;
}

int harness_client_wait(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int harness_client_run(int (*body)(void *arg), void *arg)
{
	return harness_client_wait(harness_client_start(body, arg));
}

static void step_write(int fd)
{
	if (write(fd, "s", 1) != 1) {
		abort();
	}
}

static void step_read(int fd)
{
	char byte;

	if (read(fd, &byte, 1) != 1) {
		abort();
	}
}

void harness_step_signal(void)
{
	step_write(harness.to_test[1]);
}

void harness_step_done(void)
{
	step_read(harness.to_test[0]);
}

void harness_step_go(void)
{
	step_write(harness.to_child[1]);
}

void harness_step_wait(void)
{
	step_read(harness.to_child[0]);
}

int harness_drop_privileges(void)
{
	if (geteuid() != 0) {
		return 0;
	}
	if (setgroups(0, NULL) < 0 || setgid(HARNESS_UNPRIVILEGED_UID) < 0 ||
	    setuid(HARNESS_UNPRIVILEGED_UID) < 0) {
		return -errno;
	}
	return 0;
}

uid_t harness_client_uid(void)
{
	return geteuid() == 0 ? HARNESS_UNPRIVILEGED_UID : getuid();
}
