/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Starting QEMU for a board: the command line DESIGN.md verified (q35, intel-iommu, edu
 * devices at fixed slots, guest RAM in a shared file, no firmware, qtest on a unix socket),
 * run as a child that dies with its parent (PR_SET_PDEATHSIG), so that a board whose daemon
 * is killed does not leave a QEMU behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "board.h"
#include "common/compiler.h"
#include "common/strbuf.h"

/* Strings for one command line; the argv points into them. */
struct qemu_cmdline {
	struct strbuf ram_object;
	struct strbuf machine;
	struct strbuf bios;
	struct strbuf qtest;
	struct strbuf edu[BOARD_MAX_EDU];
	const char *argv[40 + 2 * BOARD_MAX_EDU];
};

static void cmdline_fini(struct qemu_cmdline *c)
{
	strbuf_fini(&c->ram_object);
	strbuf_fini(&c->machine);
	strbuf_fini(&c->bios);
	strbuf_fini(&c->qtest);
	for (unsigned i = 0; i < BOARD_MAX_EDU; i++) {
		strbuf_fini(&c->edu[i]);
	}
}

static int cmdline_build(const struct board_qemu_cfg *cfg, struct qemu_cmdline *c)
{
	size_t n = 0;
	bool oom = false;

	strbuf_printf(&c->ram_object,
		      "memory-backend-file,id=board-ram,size=%u,mem-path=%s,share=on",
		      BOARD_RAM_SIZE, cfg->mem_path);
	strbuf_puts(&c->machine, "q35,memory-backend=board-ram");
	strbuf_printf(&c->bios, "%s/%s", cfg->dir, BOARD_BIOS_FILE);
	strbuf_printf(&c->qtest, "unix:%s/%s,server=on,wait=off", cfg->dir, BOARD_QEMU_SOCKET);
	oom = c->ram_object.oom || c->machine.oom || c->bios.oom || c->qtest.oom;

	c->argv[n++] = cfg->qemu;
	/* TCG is what DESIGN.md verified; KVM would change timing and is absent on CI. */
	c->argv[n++] = "-accel";
	c->argv[n++] = "tcg";
	c->argv[n++] = "-machine";
	c->argv[n++] = strbuf_str(&c->machine);
	c->argv[n++] = "-m";
	c->argv[n++] = "256M";
	c->argv[n++] = "-object";
	c->argv[n++] = strbuf_str(&c->ram_object);
	/* The vIOMMU comes before the devices it translates for. */
	c->argv[n++] = "-device";
	c->argv[n++] = "intel-iommu";
	for (unsigned i = 0; i < cfg->edu_count; i++) {
		strbuf_printf(&c->edu[i], "edu,addr=%02x.0", i + 1);
		oom |= c->edu[i].oom;
		c->argv[n++] = "-device";
		c->argv[n++] = strbuf_str(&c->edu[i]);
	}
	c->argv[n++] = "-bios";
	c->argv[n++] = strbuf_str(&c->bios);
	c->argv[n++] = "-display";
	c->argv[n++] = "none";
	c->argv[n++] = "-nodefaults";
	c->argv[n++] = "-qtest";
	c->argv[n++] = strbuf_str(&c->qtest);
	/* Without a log file QEMU echoes every qtest command to stderr. */
	c->argv[n++] = "-qtest-log";
	c->argv[n++] = "/dev/null";
	c->argv[n] = NULL;
	return oom ? -ENOMEM : 0;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void exec_child(const struct qemu_cmdline *c, pid_t parent, int log_fd, int status_fd)
{
	sigset_t none;
	int devnull = open("/dev/null", O_RDONLY);
	int err;

	/* The board daemon owns QEMU: when it dies, so does QEMU. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) {
		_exit(127);
	}
	/* The daemon blocks signals for its signalfd; QEMU must not inherit that. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 ||
	    dup2(log_fd, STDERR_FILENO) < 0) {
		err = errno;
		(void)!write(status_fd, &err, sizeof(err));
		_exit(127);
	}
	execvp(c->argv[0], (char *const *)c->argv);
	err = errno;
	(void)!write(status_fd, &err, sizeof(err));
	_exit(127);
}

/**
 * board_qemu_spawn() - start QEMU for the board described by `cfg`, its output going to
 * DIR/qemu.log.  Returns once exec has succeeded or failed, not once QEMU is ready: the
 * caller waits for the qtest socket.
 * Return: 0 and *ret_pid; the fork or exec -errno with a sentence in `why` (a missing binary
 * names the package to install).
 */
int board_qemu_spawn(const struct board_qemu_cfg *cfg, pid_t *ret_pid, struct strbuf *why)
{
	struct qemu_cmdline c = {0};
	char log_path[4096];
	int status_pipe[2];
	int r = cmdline_build(cfg, &c);

	if (r == 0) {
		r = board_path(cfg->dir, BOARD_QEMU_LOG_FILE, log_path, sizeof(log_path));
	}
	if (r < 0) {
		cmdline_fini(&c);
		strbuf_printf(why, "cannot build the QEMU command line: %s", strerror(-r));
		return r;
	}
	int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (log_fd < 0) {
		r = -errno;
		strbuf_printf(why, "cannot create %s: %s", log_path, strerror(-r));
		cmdline_fini(&c);
		return r;
	}
	/* Close-on-exec: EOF on the read side means exec succeeded. */
	if (pipe2(status_pipe, O_CLOEXEC) < 0) {
		r = -errno;
		strbuf_printf(why, "pipe: %s", strerror(-r));
		goto out_close_log;
	}
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0) {
		r = -errno;
		strbuf_printf(why, "cannot fork QEMU: %s", strerror(-r));
		close(status_pipe[0]);
		close(status_pipe[1]);
		goto out_close_log;
	}
	if (pid == 0) {
		close(status_pipe[0]);
		exec_child(&c, parent, log_fd, status_pipe[1]);
	}
	close(status_pipe[1]);
	int child_errno = 0;
	ssize_t n;

	do {
		n = read(status_pipe[0], &child_errno, sizeof(child_errno));
	} while (n < 0 && errno == EINTR);
	close(status_pipe[0]);
	if (n == (ssize_t)sizeof(child_errno)) {
		r = -child_errno;
		strbuf_printf(why, "cannot run %s: %s%s", cfg->qemu, strerror(child_errno),
			      child_errno == ENOENT ? " (install qemu-system-x86: "
						      "scripts/install-deps.sh)"
						    : "");
		/* The child has exited; the caller's SIGCHLD handling reaps it. */
		goto out_close_log;
	}
	*ret_pid = pid;
out_close_log:
	close(log_fd);
	cmdline_fini(&c);
	return r;
}
