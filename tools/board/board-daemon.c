/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board daemon: owns QEMU (its child) and QEMU's single qtest connection, and serves
 * clients on the board socket through the multiplexer (board-mux.c).
 *
 * Life cycle:
 *   starting  spawn QEMU, wait for its qtest socket, check it answers, unlink that socket
 *             (nobody else may connect), listen on the board socket, write board.env and
 *             board.pid, tell `start` "ok"
 *   serving   one poll loop: signals (signalfd), new clients, client packets, QEMU's socket
 *   stopping  on SIGTERM/SIGINT/SIGHUP: QEMU gets SIGTERM (SIGKILL if it lingers), every
 *             file of the board is removed;
 *             when QEMU dies on its own: the same, but the logs and board.env stay so that
 *             someone can read why; `smmu-board stop` removes them.
 * A failure while starting is reported to `start` through the ready pipe and leaves nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "board.h"
#include "common/alloc.h"
#include "common/compiler.h"
#include "common/strbuf.h"
#include "hw/qtest-conn.h"

/* Clients at once: a service, a test and a few tools; each costs one descriptor. */
#define BOARD_MAX_CLIENTS 64
/*
 * How long QEMU may take to open its qtest socket.  It takes about 0.3 s under TCG on an idle
 * machine; a hundredfold margin covers a loaded CI host without hanging forever.
 */
#define BOARD_QEMU_START_TIMEOUT_MS 30000
/* QEMU exits within milliseconds of SIGTERM; after this long it gets SIGKILL. */
#define BOARD_QEMU_EXIT_TIMEOUT_MS 10000
/* How much of qemu.log a start-up failure quotes. */
#define BOARD_LOG_EXCERPT 1024

struct daemon {
	struct board_daemon_cfg *cfg;
	struct board_env *env;
	pid_t qemu_pid;
	bool qemu_exited;
	int qemu_status;
	struct hw_qtest_conn *qemu;
	int signal_fd;
	int listen_fd;
	int clients[BOARD_MAX_CLIENTS];
	unsigned client_count;
	char *packet;
};

static void log_line(const char *fmt, ...) SMMU_PRINTF(1, 2);

static void log_line(const char *fmt, ...)
{
	va_list ap;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "[%lld.%03ld] board: ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

/* Appends the start of qemu.log to `why`, which is where QEMU explains a failed start. */
static void quote_qemu_log(const char *dir, struct strbuf *why)
{
	char path[4096], text[BOARD_LOG_EXCERPT + 1];

	if (board_path(dir, BOARD_QEMU_LOG_FILE, path, sizeof(path)) < 0) {
		return;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return;
	}
	ssize_t n = read(fd, text, BOARD_LOG_EXCERPT);

	close(fd);
	if (n > 0) {
		text[n] = '\0';
		while (n > 0 && text[n - 1] == '\n') {
			text[--n] = '\0';
		}
		strbuf_printf(why, "; QEMU said: %s", text);
	}
}

static bool reap_qemu(struct daemon *d)
{
	int status;

	if (d->qemu_exited || d->qemu_pid <= 0) {
		return d->qemu_exited;
	}
	if (waitpid(d->qemu_pid, &status, WNOHANG) == d->qemu_pid) {
		d->qemu_exited = true;
		d->qemu_status = status;
	}
	return d->qemu_exited;
}

static void describe_exit(int status, struct strbuf *out)
{
	if (WIFEXITED(status)) {
		strbuf_printf(out, "exit status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		strbuf_printf(out, "signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else {
		strbuf_puts(out, "an unknown status");
	}
}

/* SIGTERM, then SIGKILL if QEMU has not gone after BOARD_QEMU_EXIT_TIMEOUT_MS. */
static void stop_qemu(struct daemon *d)
{
	if (d->qemu_pid <= 0 || reap_qemu(d)) {
		return;
	}
	kill(d->qemu_pid, SIGTERM);
	for (long waited = 0; waited < BOARD_QEMU_EXIT_TIMEOUT_MS; waited += 10) {
		if (reap_qemu(d)) {
			return;
		}
		sleep_ms(10);
	}
	log_line("QEMU (pid %ld) ignored SIGTERM for %d ms; killing it", (long)d->qemu_pid,
		 BOARD_QEMU_EXIT_TIMEOUT_MS);
	kill(d->qemu_pid, SIGKILL);
	waitpid(d->qemu_pid, &d->qemu_status, 0);
	d->qemu_exited = true;
}

static int connect_qemu(struct daemon *d, struct strbuf *why)
{
	char path[4096];
	int r = board_path(d->env->dir, BOARD_QEMU_SOCKET, path, sizeof(path));

	if (r < 0) {
		strbuf_printf(why, "board directory name too long");
		return r;
	}
	for (long waited = 0;; waited += 10) {
		struct strbuf ignored = STRBUF_INIT;

		r = hw_qtest_conn_open(path, &d->qemu, &ignored);
		strbuf_fini(&ignored);
		if (r == 0) {
			break;
		}
		if (reap_qemu(d)) {
			strbuf_puts(why, "QEMU exited while starting (");
			describe_exit(d->qemu_status, why);
			strbuf_putc(why, ')');
			quote_qemu_log(d->env->dir, why);
			return -ECHILD;
		}
		if (waited >= BOARD_QEMU_START_TIMEOUT_MS) {
			strbuf_printf(why, "QEMU did not open its qtest socket %s within %d ms",
				      path, BOARD_QEMU_START_TIMEOUT_MS);
			quote_qemu_log(d->env->dir, why);
			return -ETIMEDOUT;
		}
		sleep_ms(10);
	}
	/* One harmless command proves the socket is QEMU's qtest and that it answers. */
	struct hw_qtest_command probe = {.op = HW_QTEST_ENDIANNESS};
	struct hw_qtest_reply reply;

	r = hw_qtest_conn_exchange(d->qemu, &probe, 1, &reply, why);
	if (r == 0 && (reply.kind != HW_QTEST_REPLY_OK || !reply.arg ||
		       reply.arg_len != strlen("little") || memcmp(reply.arg, "little", 6))) {
		r = -EPROTO;
		strbuf_printf(why,
			      "QEMU's qtest answered \"%.*s\" to endianness, expected "
			      "\"OK little\"",
			      (int)reply.line_len, reply.line);
	}
	if (r < 0) {
		return r;
	}
	/* QEMU serves one connection; with the path gone nobody can try to be a second. */
	unlink(path);
	return 0;
}

static int listen_board(struct daemon *d, struct strbuf *why)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	char path[4096];
	int r = board_path(d->env->dir, BOARD_SOCKET, path, sizeof(path));

	if (r < 0 || strlen(path) >= sizeof(addr.sun_path)) {
		strbuf_printf(why, "board socket path %s is longer than a unix socket allows (%zu)",
			      path, sizeof(addr.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	d->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (d->listen_fd < 0 || bind(d->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(d->listen_fd, 16) < 0) {
		r = -errno;
		strbuf_printf(why, "cannot listen on %s: %s", path, strerror(-r));
		return r;
	}
	d->env->qtest_socket = smmu_strdup(path);
	return d->env->qtest_socket ? 0 : -ENOMEM;
}

static int write_pid_file(const char *dir, struct strbuf *why)
{
	char path[4096];
	char text[32];
	int len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	int r = board_path(dir, BOARD_PID_FILE, path, sizeof(path));
	int fd = r < 0 ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, (size_t)len) != len || close(fd) < 0) {
		r = -errno;
		strbuf_printf(why, "cannot write %s: %s", path, strerror(-r));
		return r;
	}
	return 0;
}

static int describe_board(struct daemon *d, struct strbuf *why)
{
	struct board_env *env = d->env;
	const struct board_machine *m = d->cfg->machine;
	struct strbuf spec = STRBUF_INIT;

	env->pid = getpid();
	env->qemu_pid = d->qemu_pid;
	env->ram_base = m->ram_base;
	env->ram_size = BOARD_RAM_SIZE;
	env->tables_pa = m->tables_pa;
	env->tables_size = m->tables_size;
	env->iommu_base = m->iommu_base;
	env->ecam_base = m->has_ecam ? m->ecam_base : 0;
	strbuf_printf(&spec, "qtest:%s,mem=%s,ram-base=0x%" PRIx64 ",ram-size=0x%x",
		      env->qtest_socket, env->mem_path, m->ram_base, BOARD_RAM_SIZE);
	if (m->has_ecam) {
		strbuf_printf(&spec, ",ecam=0x%" PRIx64, m->ecam_base);
	}
	strbuf_printf(&spec, ",tables=0x%" PRIx64 ",0x%" PRIx64, m->tables_pa, m->tables_size);
	env->hw_spec = strbuf_take(&spec);
	if (!env->hw_spec) {
		return -ENOMEM;
	}
	int r = board_env_write(env, why);

	return r < 0 ? r : write_pid_file(env->dir, why);
}

static void tell_start(struct daemon *d, const char *text)
{
	size_t len = strlen(text);

	if (d->cfg->ready_fd < 0) {
		return;
	}
	(void)!write(d->cfg->ready_fd, text, len);
	close(d->cfg->ready_fd);
	d->cfg->ready_fd = -1;
}

static void drop_client(struct daemon *d, unsigned i)
{
	close(d->clients[i]);
	d->clients[i] = d->clients[--d->client_count];
}

static void accept_clients(struct daemon *d)
{
	for (;;) {
		int fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				log_line("accept: %s", strerror(errno));
			}
			return;
		}
		if (d->client_count == BOARD_MAX_CLIENTS) {
			log_line("refusing a client: already %d", BOARD_MAX_CLIENTS);
			close(fd);
			continue;
		}
		d->clients[d->client_count++] = fd;
	}
}

/*
 * Serves one packet of client i, dropping the client when it has gone or does not read its
 * replies.  Returns 0, or the -errno of QEMU's connection when QEMU failed.
 */
static int serve_client(struct daemon *d, unsigned i, struct strbuf *why)
{
	struct iovec iov = {.iov_base = d->packet, .iov_len = HW_QTEST_MAX_PACKET};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct strbuf reply = STRBUF_INIT;
	ssize_t n = recvmsg(d->clients[i], &msg, 0);
	int r = 0;

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			drop_client(d, i);
		}
		return 0;
	}
	if (msg.msg_flags & MSG_TRUNC) {
		strbuf_printf(&reply, "ERR packet larger than %d bytes\n", HW_QTEST_MAX_PACKET);
	} else {
		r = board_mux_serve(d->qemu, d->packet, (size_t)n, &reply, why);
	}
	if (r == 0 && !reply.oom &&
	    send(d->clients[i], reply.data, reply.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* A client that does not read its replies is dropped, not waited for. */
		drop_client(d, i);
	}
	strbuf_fini(&reply);
	return r;
}

enum stop_reason {
	STOP_SIGNAL,
	STOP_QEMU_GONE,
};

static enum stop_reason serve(struct daemon *d)
{
	struct pollfd fds[3 + BOARD_MAX_CLIENTS];

	for (;;) {
		unsigned nfds = 0;

		fds[nfds++] = (struct pollfd){.fd = d->signal_fd, .events = POLLIN};
		fds[nfds++] = (struct pollfd){.fd = hw_qtest_conn_fd(d->qemu), .events = POLLIN};
		fds[nfds++] = (struct pollfd){.fd = d->listen_fd, .events = POLLIN};
		for (unsigned i = 0; i < d->client_count; i++) {
			fds[nfds++] = (struct pollfd){.fd = d->clients[i], .events = POLLIN};
		}
		if (poll(fds, nfds, -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			log_line("poll: %s", strerror(errno));
			return STOP_SIGNAL;
		}
		if (fds[0].revents) {
			struct signalfd_siginfo info;

			if (read(d->signal_fd, &info, sizeof(info)) == sizeof(info) &&
			    info.ssi_signo != SIGCHLD) {
				log_line("stopping on signal %u (%s)", info.ssi_signo,
					 strsignal((int)info.ssi_signo));
				return STOP_SIGNAL;
			}
			if (reap_qemu(d)) {
				return STOP_QEMU_GONE;
			}
		}
		if (fds[1].revents) {
			struct strbuf why = STRBUF_INIT;

			if (hw_qtest_conn_drain(d->qemu, &why) < 0) {
				log_line("QEMU's qtest socket: %s", strbuf_str(&why));
				strbuf_fini(&why);
				return STOP_QEMU_GONE;
			}
			strbuf_fini(&why);
		}
		/* Clients from the back, so that dropping one does not skip another. */
		for (unsigned k = nfds; k-- > 3;) {
			unsigned i = k - 3;
			struct strbuf why = STRBUF_INIT;

			if (!fds[k].revents || i >= d->client_count) {
				continue;
			}
			if (serve_client(d, i, &why) < 0) {
				log_line("QEMU failed: %s", strbuf_str(&why));
				strbuf_fini(&why);
				return STOP_QEMU_GONE;
			}
			strbuf_fini(&why);
		}
		if (fds[2].revents) {
			accept_clients(d);
		}
	}
}

static void release(struct daemon *d, bool keep_logs)
{
	for (unsigned i = 0; i < d->client_count; i++) {
		close(d->clients[i]);
	}
	d->client_count = 0;
	if (d->listen_fd >= 0) {
		close(d->listen_fd);
		d->listen_fd = -1;
	}
	hw_qtest_conn_close(d->qemu);
	d->qemu = NULL;
	stop_qemu(d);
	board_teardown(d->env->dir, d->env, keep_logs);
}

/**
 * board_daemon_run() - run a board until it is told to stop or QEMU dies.  Called in the
 * detached child of `start`, with stdout and stderr going to board.log.
 * Return: the exit status for the daemon process (0 after a requested stop).
 */
int board_daemon_run(struct board_daemon_cfg *cfg)
{
	struct daemon d = {.cfg = cfg, .env = &cfg->env, .signal_fd = -1, .listen_fd = -1};
	struct strbuf why = STRBUF_INIT;
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d.packet = smmu_malloc(HW_QTEST_MAX_PACKET);
	if (d.signal_fd < 0 || !d.packet) {
		r = -errno;
		strbuf_printf(&why, "cannot set up the daemon: %s", strerror(errno));
		goto err_start;
	}
	struct board_qemu_cfg qcfg = {
		.machine = cfg->machine,
		.qemu = cfg->qemu,
		.dir = cfg->env.dir,
		.mem_path = cfg->env.mem_path,
		.edu_count = cfg->env.edu_count,
		.smmu_stage = cfg->env.smmu_stage,
	};

	r = board_qemu_spawn(&qcfg, &d.qemu_pid, &why);
	if (r == 0) {
		r = connect_qemu(&d, &why);
	}
	if (r == 0) {
		r = listen_board(&d, &why);
	}
	if (r == 0) {
		r = describe_board(&d, &why);
	}
	if (r < 0) {
		goto err_start;
	}
	log_line("ready: QEMU pid %ld, %u edu, socket %s", (long)d.qemu_pid, cfg->env.edu_count,
		 cfg->env.qtest_socket);
	tell_start(&d, "ok\n");

	enum stop_reason reason = serve(&d);

	if (reason == STOP_QEMU_GONE) {
		struct strbuf status = STRBUF_INIT;

		/* Its socket may close a moment before the kernel reports the exit. */
		for (long waited = 0; !reap_qemu(&d) && waited < 1000; waited += 10) {
			sleep_ms(10);
		}
		if (d.qemu_exited) {
			describe_exit(d.qemu_status, &status);
		} else {
			strbuf_puts(&status, "its qtest socket closed");
		}
		log_line("QEMU stopped on its own (%s); the board is gone, logs kept in %s",
			 strbuf_str(&status), cfg->env.dir);
		strbuf_fini(&status);
	}
	release(&d, reason == STOP_QEMU_GONE);
	close(d.signal_fd);
	smmu_free(d.packet);
	strbuf_fini(&why);
	return reason == STOP_SIGNAL ? 0 : 1;

err_start:
	log_line("start failed: %s", strbuf_str(&why));
	{
		struct strbuf msg = STRBUF_INIT;

		strbuf_printf(&msg, "error: %s\n", strbuf_str(&why));
		tell_start(&d, strbuf_str(&msg));
		strbuf_fini(&msg);
	}
	release(&d, false);
	if (d.signal_fd >= 0) {
		close(d.signal_fd);
	}
	smmu_free(d.packet);
	strbuf_fini(&why);
	return 1;
}
