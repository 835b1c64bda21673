/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Starting QEMU for a board: the command line DESIGN.md verified (the machine's own
 * arguments from its table entry, edu devices at fixed slots, guest RAM in a shared file, no
 * firmware, qtest on a unix socket), run as a child that dies with its parent
 * (PR_SET_PDEATHSIG), so that a board whose daemon is killed does not leave a QEMU behind.
 *
 * The same command line, without RAM file and qtest, also runs QEMU once to completion:
 * `-machine dumpdtb=FILE` writes the device tree and exits, and doubles as a cheap probe of
 * whether this QEMU accepts an option (arm-smmuv3's `stage` appeared after QEMU 7.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "board.h"
#include "common/compiler.h"
#include "common/strbuf.h"
#include "edu-regs.h"

/*
 * How long a run-once QEMU (dumpdtb) may take: it builds the machine and exits, about 0.1 s
 * on an idle machine; a hundredfold margin for a loaded CI host.
 */
#define BOARD_QEMU_ONCE_TIMEOUT_MS 30000
/* How much a run-once QEMU may say; it says one line when all is well. */
#define BOARD_QEMU_ONCE_OUTPUT_MAX 65536
/* What QEMU says when it does not know a -global property (qdev_prop_set_globals()). */
#define QEMU_NO_SUCH_PROPERTY "Property 'arm-smmuv3.stage' not found"
/* The device-tree file of the stage probe, in the board directory, removed right after. */
#define BOARD_PROBE_DTB_FILE "probe.dtb"

/* Strings for one command line; the argv points into them. */
struct qemu_cmdline {
	struct strbuf ram_object;
	struct strbuf machine;
	struct strbuf bios;
	struct strbuf qtest;
	struct strbuf stage;
	struct strbuf dumpdtb;
	struct strbuf edu[BOARD_MAX_EDU];
	const char *argv[48 + 2 * BOARD_MAX_EDU];
};

static void cmdline_fini(struct qemu_cmdline *c)
{
	strbuf_fini(&c->ram_object);
	strbuf_fini(&c->machine);
	strbuf_fini(&c->bios);
	strbuf_fini(&c->qtest);
	strbuf_fini(&c->stage);
	strbuf_fini(&c->dumpdtb);
	for (unsigned i = 0; i < BOARD_MAX_EDU; i++) {
		strbuf_fini(&c->edu[i]);
	}
}

static int cmdline_build(const struct board_qemu_cfg *cfg, struct qemu_cmdline *c)
{
	const struct board_machine *m = cfg->machine;
	bool once = cfg->dumpdtb_path != NULL;
	size_t n = 0;
	bool oom = false;

	strbuf_printf(&c->ram_object,
		      "memory-backend-file,id=board-ram,size=%u,mem-path=%s,share=on",
		      BOARD_RAM_SIZE, cfg->mem_path);
	/* Run once, QEMU gets plain RAM: the running board's file is not touched. */
	strbuf_printf(&c->machine, "%s%s", m->machine, once ? "" : ",memory-backend=board-ram");
	strbuf_printf(&c->bios, "%s/%s", cfg->dir, BOARD_BIOS_FILE);
	strbuf_printf(&c->qtest, "unix:%s/%s,server=on,wait=off", cfg->dir, BOARD_QEMU_SOCKET);
	strbuf_printf(&c->stage, "arm-smmuv3.stage=%u", cfg->smmu_stage);
	strbuf_printf(&c->dumpdtb, "dumpdtb=%s", once ? cfg->dumpdtb_path : "");
	oom = c->ram_object.oom || c->machine.oom || c->bios.oom || c->qtest.oom || c->stage.oom ||
	      c->dumpdtb.oom;

	c->argv[n++] = cfg->qemu;
	/* TCG is what DESIGN.md verified; KVM would change timing and is absent on CI. */
	c->argv[n++] = "-accel";
	c->argv[n++] = "tcg";
	c->argv[n++] = "-machine";
	c->argv[n++] = strbuf_str(&c->machine);
	c->argv[n++] = "-m";
	c->argv[n++] = "256M";
	if (!once) {
		c->argv[n++] = "-object";
		c->argv[n++] = strbuf_str(&c->ram_object);
	}
	for (const char *const *a = m->args; *a; a++) {
		c->argv[n++] = *a;
	}
	if (cfg->smmu_stage) {
		c->argv[n++] = "-global";
		c->argv[n++] = strbuf_str(&c->stage);
	}
	for (unsigned i = 0; i < cfg->edu_count; i++) {
		strbuf_printf(&c->edu[i], "edu,addr=%02x.0", i + 1);
		if (m->edu_dma_mask_bits == 64) {
			strbuf_puts(&c->edu[i], ",dma_mask=0xffffffffffffffff");
		} else if (m->edu_dma_mask_bits != EDU_DMA_MASK_BITS) {
			strbuf_printf(&c->edu[i], ",dma_mask=0x%llx",
				      (1ull << m->edu_dma_mask_bits) - 1);
		}
		oom |= c->edu[i].oom;
		c->argv[n++] = "-device";
		c->argv[n++] = strbuf_str(&c->edu[i]);
	}
	if (!once) {
		c->argv[n++] = "-bios";
		c->argv[n++] = strbuf_str(&c->bios);
	}
	c->argv[n++] = "-display";
	c->argv[n++] = "none";
	c->argv[n++] = "-nodefaults";
	if (once) {
		c->argv[n++] = "-machine";
		c->argv[n++] = strbuf_str(&c->dumpdtb);
	} else {
		c->argv[n++] = "-qtest";
		c->argv[n++] = strbuf_str(&c->qtest);
		/* Without a log file QEMU echoes every qtest command to stderr. */
		c->argv[n++] = "-qtest-log";
		c->argv[n++] = "/dev/null";
	}
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

static void describe_exec_failure(const struct board_qemu_cfg *cfg, int err, struct strbuf *why)
{
	strbuf_printf(why, "cannot run %s: %s", cfg->qemu, strerror(err));
	if (err == ENOENT) {
		strbuf_printf(why, " (install %s: scripts/install-deps.sh)",
			      cfg->machine->qemu_package);
	}
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
		describe_exec_failure(cfg, child_errno, why);
		/* The child has exited; the caller's SIGCHLD handling reaps it. */
		goto out_close_log;
	}
	*ret_pid = pid;
out_close_log:
	close(log_fd);
	cmdline_fini(&c);
	return r;
}

/* Collects a child's output until EOF or the deadline.  Return: 0, or -ETIMEDOUT. */
static int collect_output(int fd, struct strbuf *output)
{
	char buf[4096];
	int waited = 0;

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int n = poll(&pfd, 1, 100);

		if (n < 0 && errno != EINTR) {
			return -errno;
		}
		if (n > 0) {
			ssize_t got = read(fd, buf, sizeof(buf));

			if (got < 0 && errno == EINTR) {
				continue;
			}
			if (got <= 0) {
				return 0;
			}
			if (output->len < BOARD_QEMU_ONCE_OUTPUT_MAX) {
				strbuf_append(output, buf, (size_t)got);
			}
			continue;
		}
		waited += 100;
		if (waited >= BOARD_QEMU_ONCE_TIMEOUT_MS) {
			return -ETIMEDOUT;
		}
	}
}

/**
 * board_qemu_run_once() - run QEMU as `cfg` describes (cfg->dumpdtb_path set: no RAM file,
 * no qtest) until it exits, its stdout and stderr collected into `output`.
 * Return: 0 when QEMU exited 0; -ECHILD when it exited otherwise (`why` quotes `output`);
 * -ETIMEDOUT (it was killed); the fork or exec -errno; each with a sentence in `why`.
 */
int board_qemu_run_once(const struct board_qemu_cfg *cfg, struct strbuf *output, struct strbuf *why)
{
	struct qemu_cmdline c = {0};
	int out_pipe[2], status_pipe[2];
	int status = 0;
	int r = cmdline_build(cfg, &c);

	if (r < 0) {
		cmdline_fini(&c);
		strbuf_printf(why, "cannot build the QEMU command line: %s", strerror(-r));
		return r;
	}
	if (pipe2(out_pipe, O_CLOEXEC) < 0) {
		r = -errno;
		strbuf_printf(why, "pipe: %s", strerror(-r));
		goto out;
	}
	if (pipe2(status_pipe, O_CLOEXEC) < 0) {
		r = -errno;
		strbuf_printf(why, "pipe: %s", strerror(-r));
		goto out_close_out;
	}
	fflush(NULL);
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0) {
		r = -errno;
		strbuf_printf(why, "cannot fork QEMU: %s", strerror(-r));
		close(status_pipe[0]);
		close(status_pipe[1]);
		goto out_close_out;
	}
	if (pid == 0) {
		close(out_pipe[0]);
		close(status_pipe[0]);
		exec_child(&c, parent, out_pipe[1], status_pipe[1]);
	}
	close(out_pipe[1]);
	out_pipe[1] = -1;
	close(status_pipe[1]);
	int child_errno = 0;
	ssize_t n;

	do {
		n = read(status_pipe[0], &child_errno, sizeof(child_errno));
	} while (n < 0 && errno == EINTR);
	close(status_pipe[0]);
	if (n == (ssize_t)sizeof(child_errno)) {
		describe_exec_failure(cfg, child_errno, why);
		waitpid(pid, NULL, 0);
		r = -child_errno;
		goto out_close_out;
	}
	r = collect_output(out_pipe[0], output);
	if (r == -ETIMEDOUT) {
		kill(pid, SIGKILL);
		strbuf_printf(why, "QEMU did not exit within %d ms; killed it",
			      BOARD_QEMU_ONCE_TIMEOUT_MS);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
	}
	if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		r = -ECHILD;
		while (output->len && output->data[output->len - 1] == '\n') {
			output->data[--output->len] = '\0';
		}
		strbuf_printf(why, "%s failed (%s %d); it said: %s", cfg->qemu,
			      WIFEXITED(status) ? "exit status" : "signal",
			      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			      output->len ? strbuf_str(output) : "nothing");
	}
out_close_out:
	close(out_pipe[0]);
	if (out_pipe[1] >= 0) {
		close(out_pipe[1]);
	}
out:
	cmdline_fini(&c);
	return r;
}

/**
 * board_qemu_probe_smmu_stage() - whether `qemu` lets arm-smmuv3 run with `stage`, found by
 * building the machine once with the -global and seeing whether QEMU refuses it (QEMU 7.2
 * has no `stage` property; later ones take 1 or 2).  Uses DIR/probe.dtb and removes it.
 * Return: 0 supported; -EOPNOTSUPP when QEMU refused the property; another -errno when QEMU
 * could not be asked; each failure with a sentence in `why`.
 */
int board_qemu_probe_smmu_stage(const struct board_machine *machine, const char *qemu,
				const char *dir, unsigned stage, struct strbuf *why)
{
	struct strbuf output = STRBUF_INIT, failure = STRBUF_INIT;
	char dtb[4096];
	int r = board_path(dir, BOARD_PROBE_DTB_FILE, dtb, sizeof(dtb));
	struct board_qemu_cfg cfg = {
		.machine = machine,
		.qemu = qemu,
		.dir = dir,
		.smmu_stage = stage,
		.dumpdtb_path = dtb,
	};

	if (r < 0) {
		strbuf_printf(why, "board directory name too long: %s", dir);
		return r;
	}
	r = board_qemu_run_once(&cfg, &output, &failure);
	unlink(dtb);
	if (r == -ECHILD && strstr(strbuf_str(&output), QEMU_NO_SUCH_PROPERTY)) {
		strbuf_printf(why,
			      "%s has no SMMUv3 stage %u (its arm-smmuv3 lacks the \"stage\" "
			      "property, which QEMU gained after 7.2; 7.2 models stage 1 only)",
			      qemu, stage);
		r = -EOPNOTSUPP;
	} else if (r < 0) {
		strbuf_printf(why, "cannot ask QEMU whether it has SMMUv3 stage %u: %s", stage,
			      strbuf_str(&failure));
	}
	strbuf_fini(&output);
	strbuf_fini(&failure);
	return r;
}
