/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The client API's cost against what the kernel alone costs, on the soft
 * backend: a real smmuman process, a real libsmmu client.
 *
 *  - map_unmap_N: smmu_mapping_add() of N separate 4 KiB pages and their
 *    removal (SMF_NONE), per pair of calls; the baseline is a raw
 *    SOCK_SEQPACKET ping-pong with another process, twice, with messages
 *    of the same sizes.  For N > 1 a per-entry figure is printed as well.
 *  - startup_64dev: exec of smmuman to READY=1 (every configured device
 *    protected) for 64 devices and 256 allow ranges; the baseline is exec
 *    to exit of `smmuman --version`, the cost of starting any process.
 *  - rss_idle, rss_1m_pages: the service's resident memory idle and with a
 *    million 4 KiB pages mapped; the baseline is the resident memory of a
 *    process that has only started (`sleep`), what any process costs.
 *
 * Everything runs on one CPU (the benchmark pins itself first; children
 * inherit it): on the project's virtual machines a wake-up on another CPU
 * costs about 50 us, which would swamp both the figure and its baseline.
 *
 * Usage: bench-client SMMUMAN LIBDIR.  Output: one line per figure,
 * "metric=NAME value=V unit=U baseline=B ratio=R".  Figures are medians.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <smmu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto/proto.h"

#define REPS 9

static const char *smmuman_path;
static const char *libdir;
static char work_dir[] = "/tmp/smmu-bench.XXXXXX";

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), compare_double);
	return v[n / 2];
}

static void pin_to_one_cpu(void)
{
	cpu_set_t allowed, one;

	CPU_ZERO(&one);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) == 0) {
		for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
			if (CPU_ISSET(cpu, &allowed)) {
				CPU_SET(cpu, &one);
				sched_setaffinity(0, sizeof(one), &one);
				return;
			}
		}
	}
}

static void report(const char *metric, double value, const char *unit, double baseline)
{
	printf("metric=%s value=%.2f unit=%s baseline=%.2f ratio=%.2f\n", metric, value, unit,
	       baseline, baseline > 0 ? value / baseline : 0.0);
	fflush(stdout);
}

static void die(const char *what)
{
	fprintf(stderr, "bench-client: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* --- The raw baseline: a ping-pong through the kernel. ------------------ */

/* A child that answers every message on fds[1] with `reply_size` bytes,
 * until the other end closes. */
static pid_t start_echo(const int fds[2], size_t reply_size)
{
	pid_t pid = fork();

	if (pid == 0) {
		static unsigned char buf[PROTO_MAX_MESSAGE];
		int fd = fds[1];

		close(fds[0]);

		memset(buf, 0, reply_size);
		while (recv(fd, buf, sizeof(buf), 0) > 0) {
			if (send(fd, buf, reply_size, 0) < 0) {
				break;
			}
		}
		_exit(0);
	}
	return pid;
}

/* ns per request/reply of `request_size` and `reply_size` bytes. */
static double raw_round_trip(size_t request_size, size_t reply_size, unsigned iterations)
{
	static unsigned char buf[PROTO_MAX_MESSAGE];
	double samples[REPS];
	int fds[2];
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) < 0) {
		die("socketpair");
	}
	child = start_echo(fds, reply_size);
	close(fds[1]);
	for (int rep = 0; rep < REPS; rep++) {
		double start = now_ns();

		for (unsigned i = 0; i < iterations; i++) {
			if (send(fds[0], buf, request_size, 0) < 0 ||
			    recv(fds[0], buf, sizeof(buf), 0) < 0) {
				die("ping-pong");
			}
		}
		samples[rep] = (now_ns() - start) / iterations;
	}
	close(fds[0]);
	waitpid(child, NULL, 0);
	return median(samples, REPS);
}

/* --- The service. ------------------------------------------------------ */

/* Starts smmuman in the foreground with `config` words; returns its pid
 * once READY=1 arrived, and the time that took. */
static pid_t start_service(char **config, size_t config_count, double *ret_ns)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char socket_path[64], notify_path[64], ready[256];
	char *argv[16 + 2048];
	size_t argc = 0;
	double start;
	pid_t pid;
	int notify_fd;

	snprintf(socket_path, sizeof(socket_path), "%s/smmuman.sock", work_dir);
	snprintf(notify_path, sizeof(notify_path), "%s/notify", work_dir);
	unlink(notify_path);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memcpy(addr.sun_path, notify_path, strlen(notify_path) + 1);
	if (notify_fd < 0 || bind(notify_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		die("notify socket");
	}
	argv[argc++] = (char *)smmuman_path;
	argv[argc++] = "-f";
	argv[argc++] = "--socket";
	argv[argc++] = socket_path;
	argv[argc++] = "--libdir";
	argv[argc++] = (char *)libdir;
	for (size_t i = 0; i < config_count; i++) {
		argv[argc++] = config[i];
	}
	argv[argc] = NULL;
	setenv("SMMUMAN_SOCKET", socket_path, 1);
	start = now_ns();
	pid = fork();
	if (pid == 0) {
		setenv("NOTIFY_SOCKET", notify_path, 1);
		execv(smmuman_path, argv);
		_exit(127);
	}
	/* A service that fails to start must fail the benchmark, not hang it. */
	setsockopt(notify_fd, SOL_SOCKET, SO_RCVTIMEO, &(struct timeval){.tv_sec = 30},
		   sizeof(struct timeval));
	for (;;) {
		ssize_t n = recv(notify_fd, ready, sizeof(ready) - 1, 0);

		if (n < 0) {
			die("waiting for READY=1 (see smmuman's messages above)");
		}
		ready[n] = '\0';
		if (strstr(ready, "READY=1")) {
			break;
		}
	}
	*ret_ns = now_ns() - start;
	close(notify_fd);
	return pid;
}

static void stop_service(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench-client: smmuman did not stop cleanly\n");
		exit(1);
	}
}

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	if (!f) {
		die(path);
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) {
			break;
		}
	}
	fclose(f);
	return kib;
}

/* The pages of a batch are one page apart, so that no two merge. */
static void fill_entries(struct smmu_map_entry *entries, unsigned count, uint64_t base)
{
	for (unsigned i = 0; i < count; i++) {
		entries[i] =
			(struct smmu_map_entry){.phys = base + (uint64_t)i * 0x2000, .len = 0x1000};
	}
}

static void bench_map_unmap(struct smmu_object *object, unsigned count)
{
	static struct smmu_map_entry entries[256];
	size_t request = sizeof(struct proto_header) + sizeof(struct proto_mapping_add) +
			 count * sizeof(struct proto_map_entry);
	size_t reply = sizeof(struct proto_header) + sizeof(struct proto_reply);
	unsigned iterations = count == 1 ? 2000 : count == 16 ? 1000 : 200;
	double samples[REPS], value, baseline;
	char name[64];

	fill_entries(entries, count, 0x10000000);
	for (int rep = 0; rep < REPS; rep++) {
		double start = now_ns();

		for (unsigned i = 0; i < iterations; i++) {
			if (smmu_mapping_add(object, SMF_READ | SMF_WRITE, 0, count, entries, 0) <
				    0 ||
			    smmu_mapping_add(object, SMF_NONE, 0, count, entries, 0) < 0) {
				die("smmu_mapping_add");
			}
		}
		samples[rep] = (now_ns() - start) / iterations;
	}
	value = median(samples, REPS);
	/* Two exchanges: the add and the removal. */
	baseline = 2 * raw_round_trip(request, reply, iterations);
	snprintf(name, sizeof(name), "map_unmap_%u", count);
	report(name, value, "ns", baseline);
	if (count > 1) {
		snprintf(name, sizeof(name), "map_unmap_%u_per_entry", count);
		report(name, value / count, "ns", baseline / count);
	}
}

static void bench_million_pages(pid_t service, struct smmu_object *object, long baseline_kib)
{
	static struct smmu_map_entry entries[4096];

	for (unsigned batch = 0; batch < 256; batch++) {
		fill_entries(entries, 4096, 0x100000000ull + (uint64_t)batch * 4096 * 0x2000);
		if (smmu_mapping_add(object, SMF_READ, 0, 4096, entries, 0) < 0) {
			die("mapping a million pages");
		}
	}
	report("rss_1m_pages", (double)rss_kib(service), "KiB", (double)baseline_kib);
}

/* RSS of a process that has only started. */
static long baseline_rss(void)
{
	pid_t pid = fork();
	long kib;

	if (pid == 0) {
		execlp("sleep", "sleep", "10", (char *)NULL);
		_exit(127);
	}
	usleep(100 * 1000);
	kib = rss_kib(pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return kib;
}

static double exec_baseline(void)
{
	double samples[REPS];

	for (int rep = 0; rep < REPS; rep++) {
		double start = now_ns();
		pid_t pid = fork();

		if (pid == 0) {
			int null_fd = open("/dev/null", O_WRONLY);

			dup2(null_fd, 1);
			execl(smmuman_path, smmuman_path, "--version", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
		samples[rep] = now_ns() - start;
	}
	return median(samples, REPS);
}

/* 64 devices behind one soft unit, 256 allow ranges (4 per device), in a
 * configuration file as an integrator would write it. */
static char **big_config(size_t *ret_count)
{
	static char path[96], include[100];
	static char *words[] = {include};
	FILE *f;

	snprintf(path, sizeof(path), "%s/board.smmu", work_dir);
	snprintf(include, sizeof(include), "@%s", path);
	f = fopen(path, "w");
	if (!f) {
		die(path);
	}
	fprintf(f, "smmu soft\nunit soft0 none\n");
	for (unsigned a = 0; a < 256; a++) {
		fprintf(f, "allow buf%u 0x%x,4K,st\n", a / 4, 0x1000000 + a * 0x10000);
	}
	for (unsigned d = 0; d < 64; d++) {
		fprintf(f, "device pci:%u:%u.0 buf%u\nuse soft0\n", 1 + d / 32, d % 32, d);
	}
	if (fclose(f) != 0) {
		die(path);
	}
	*ret_count = 1;
	return words;
}

int main(int argc, char **argv)
{
	char *small[] = {"smmu", "soft", "unit", "soft0", "pci:0:1.0", "device", "pci:0:1.0"};
	union smmu_devid devid = {.pci = {SDT_PCI, 0, 1, 0}};
	double samples[REPS], startup, base_exec;
	struct smmu_object *object = NULL;
	size_t big_count;
	char **big;
	long base_kib;
	pid_t service;

	if (argc != 3) {
		fprintf(stderr, "usage: bench-client SMMUMAN LIBDIR\n");
		return 2;
	}
	smmuman_path = argv[1];
	libdir = argv[2];
	pin_to_one_cpu();
	if (!mkdtemp(work_dir)) {
		die("mkdtemp");
	}

	big = big_config(&big_count);
	base_exec = exec_baseline();
	for (int rep = 0; rep < REPS; rep++) {
		stop_service(start_service(big, big_count, &samples[rep]));
	}
	startup = median(samples, REPS);
	report("startup_64dev", startup, "ns", base_exec);

	service = start_service(small, sizeof(small) / sizeof(small[0]), &startup);
	base_kib = baseline_rss();
	report("rss_idle", (double)rss_kib(service), "KiB", (double)base_kib);
	if (smmu_init(0) < 0 || !(object = smmu_obj_create(SOCF_NONE)) ||
	    smmu_device_add_generic(object, &devid) < 0) {
		die("connecting to smmuman");
	}
	bench_map_unmap(object, 1);
	bench_map_unmap(object, 16);
	bench_map_unmap(object, 256);
	bench_million_pages(service, object, base_kib);
	smmu_obj_destroy(object);
	smmu_fini();
	stop_service(service);
	{
		char path[96];

		snprintf(path, sizeof(path), "%s/board.smmu", work_dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/notify", work_dir);
		unlink(path);
	}
	rmdir(work_dir);
	return 0;
}
