/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `smmu-board start`: prepare the board directory, the guest RAM file and the firmware
 * image, detach a daemon that runs the board (board-daemon.c), and return once the daemon
 * says the board answers, printing board.env for the caller to eval or parse.  What differs
 * between q35 and virt comes from the machine table (board-machine.c).
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "board.h"
#include "common/alloc.h"
#include "common/strbuf.h"
#include "hw/hw-spec.h"

/*
 * How long `start` waits for the daemon.  Longer than the daemon's own wait for QEMU, so
 * that a slow QEMU is reported by the daemon with QEMU's words, not as a bare timeout here.
 */
#define BOARD_START_TIMEOUT_MS 60000
/* The firmware image: 64 KiB of the machine's waiting instructions, from the reset vector. */
#define BOARD_BIOS_SIZE 65536

struct start_opts {
	const struct board_machine *machine;
	unsigned edu_count;
	unsigned smmu_stage;
	const char *dir;
	const char *qemu;
};

static int usage(void)
{
	fprintf(stderr, "usage: smmu-board start [--machine q35|virt] [--edu N] [--dir DIR] "
			"[--qemu BINARY] [--smmu-stage 1|2]\n");
	return 2;
}

static int parse_opts(int argc, char **argv, struct start_opts *o)
{
	static const struct option longopts[] = {
		{"machine", required_argument, NULL, 'm'},
		{"edu", required_argument, NULL, 'e'},
		{"dir", required_argument, NULL, 'd'},
		{"qemu", required_argument, NULL, 'q'},
		{"smmu-stage", required_argument, NULL, 's'},
		{0},
	};
	const char *machine = "q35";
	uint64_t n;
	int c;

	*o = (struct start_opts){.edu_count = 1};
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			machine = optarg;
			break;
		case 's':
			if (hw_parse_u64(optarg, &n) < 0 || n < 1 || n > 2) {
				fprintf(stderr, "smmu-board start: --smmu-stage %s: give 1 or 2\n",
					optarg);
				return -EINVAL;
			}
			/* Stage 1 is every model's default: asking for it needs no property. */
			o->smmu_stage = n == 2 ? 2 : 0;
			break;
		case 'e':
			if (hw_parse_u64(optarg, &n) < 0 || n > BOARD_MAX_EDU) {
				fprintf(stderr,
					"smmu-board start: --edu %s: give 0 to %d devices\n",
					optarg, BOARD_MAX_EDU);
				return -EINVAL;
			}
			o->edu_count = (unsigned)n;
			break;
		case 'd':
			o->dir = optarg;
			break;
		case 'q':
			o->qemu = optarg;
			break;
		default:
			return -EINVAL;
		}
	}
	if (optind != argc) {
		return -EINVAL;
	}
	o->machine = board_machine_find(machine);
	if (!o->machine) {
		fprintf(stderr, "smmu-board start: --machine %s: this tool knows %s\n", machine,
			board_machine_names());
		return -EINVAL;
	}
	if (o->smmu_stage && !o->machine->has_smmu_stage) {
		fprintf(stderr, "smmu-board start: --smmu-stage: machine %s has no SMMUv3\n",
			machine);
		return -EINVAL;
	}
	/* $SMMU_BOARD_QEMU names the binary of the default machine, q35, as it always did. */
	const char *from_env = getenv("SMMU_BOARD_QEMU");

	if (!o->qemu) {
		o->qemu = strcmp(o->machine->name, "q35") == 0 && from_env && from_env[0]
				  ? from_env
				  : o->machine->qemu;
	}
	return 0;
}

/* Absolute, safe-alphabet directory; created unless it exists.  Sets env->dir, owns_dir. */
static int prepare_dir(const char *requested, struct board_env *env, struct strbuf *why)
{
	struct strbuf dir = STRBUF_INIT;

	if (requested) {
		if (requested[0] != '/') {
			char cwd[4096];

			if (!getcwd(cwd, sizeof(cwd))) {
				strbuf_printf(why, "getcwd: %s", strerror(errno));
				return -errno;
			}
			strbuf_printf(&dir, "%s/", cwd);
		}
		strbuf_puts(&dir, requested);
	} else {
		const char *tmp = getenv("TMPDIR");

		strbuf_printf(&dir, "%s/smmu-board.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	}
	env->dir = strbuf_take(&dir);
	if (!env->dir) {
		return -ENOMEM;
	}
	/* The longest path in the directory must fit a unix socket address (108 bytes). */
	if (!board_dir_name_ok(env->dir) ||
	    strlen(env->dir) + sizeof("/" BOARD_QEMU_SOCKET) > 108) {
		strbuf_printf(why,
			      "board directory %s: use letters, digits and ._/+- only, at most %zu "
			      "characters (it becomes part of socket paths and the hw spec)",
			      env->dir, 108 - sizeof("/" BOARD_QEMU_SOCKET));
		return -EINVAL;
	}
	if (!requested) {
		if (!mkdtemp(env->dir)) {
			strbuf_printf(why, "cannot create a directory like %s: %s", env->dir,
				      strerror(errno));
			return -errno;
		}
		env->owns_dir = true;
		return 0;
	}
	if (mkdir(env->dir, 0700) == 0) {
		env->owns_dir = true;
		return 0;
	}
	if (errno != EEXIST) {
		strbuf_printf(why, "cannot create %s: %s", env->dir, strerror(errno));
		return -errno;
	}
	char path[4096];

	if (board_path(env->dir, BOARD_ENV_FILE, path, sizeof(path)) == 0 &&
	    access(path, F_OK) == 0) {
		strbuf_printf(why,
			      "%s already holds a board (running or crashed); run smmu-board stop "
			      "--dir %s first",
			      env->dir, env->dir);
		return -EBUSY;
	}
	return 0;
}

static int create_ram_file(struct board_env *env, struct strbuf *why)
{
	char path[] = "/dev/shm/smmu-board.XXXXXX";
	int fd = mkostemp(path, O_CLOEXEC);

	if (fd < 0) {
		strbuf_printf(why, "cannot create the guest RAM file %s: %s", path,
			      strerror(errno));
		return -errno;
	}
	env->mem_path = smmu_strdup(path);
	if (ftruncate(fd, BOARD_RAM_SIZE) < 0 || !env->mem_path) {
		int r = env->mem_path ? -errno : -ENOMEM;

		strbuf_printf(why, "cannot size %s: %s", path, strerror(-r));
		close(fd);
		unlink(path);
		return r;
	}
	close(fd);
	return 0;
}

static int write_bios(const char *dir, const struct board_machine *m, struct strbuf *why)
{
	static unsigned char image[BOARD_BIOS_SIZE];
	char path[4096];
	int r = board_path(dir, BOARD_BIOS_FILE, path, sizeof(path));

	static_assert(BOARD_BIOS_SIZE % 8 == 0, "the image holds whole waiting sequences");
	for (size_t at = 0; at + m->bios_word_size <= sizeof(image); at += m->bios_word_size) {
		memcpy(image + at, m->bios_word, m->bios_word_size);
	}
	int fd = r < 0 ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, image, sizeof(image)) != (ssize_t)sizeof(image) || close(fd) < 0) {
		strbuf_printf(why, "cannot write %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* In the forked child: detach, log to board.log, run the board.  Never returns. */
static void become_daemon(struct board_daemon_cfg *cfg)
{
	char log_path[4096];
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int log_fd = -1;

	if (board_path(cfg->env.dir, BOARD_LOG_FILE, log_path, sizeof(log_path)) == 0) {
		log_fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	}
	if (setsid() < 0 || devnull < 0 || log_fd < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
	    dup2(log_fd, STDOUT_FILENO) < 0 || dup2(log_fd, STDERR_FILENO) < 0 || chdir("/") < 0) {
		dprintf(cfg->ready_fd, "error: cannot detach the board daemon: %s\n",
			strerror(errno));
		_exit(1);
	}
	close(devnull);
	close(log_fd);
	/* Descriptors the caller let us inherit (a pipe it reads to EOF) must not stay open. */
	close_range(STDERR_FILENO + 1, (unsigned)cfg->ready_fd - 1, 0);
	close_range((unsigned)cfg->ready_fd + 1, ~0u, 0);
	exit(board_daemon_run(cfg));
}

/* Reads the daemon's one message ("ok" or "error: ..."), waiting at most the timeout. */
static int wait_ready(int fd, pid_t daemon, struct strbuf *msg)
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

			if (got <= 0) {
				return 0;
			}
			strbuf_append(msg, buf, (size_t)got);
			continue;
		}
		waited += 100;
		if (waited >= BOARD_START_TIMEOUT_MS) {
			kill(daemon, SIGTERM);
			return -ETIMEDOUT;
		}
	}
}

static int print_board(const char *dir)
{
	struct board_env env;
	struct strbuf why = STRBUF_INIT, text = STRBUF_INIT;
	int r = board_env_read(dir, &env, &why);

	if (r == 0) {
		r = board_env_format(&env, &text);
		fputs(strbuf_str(&text), stdout);
		fflush(stdout);
		board_env_fini(&env);
	} else {
		fprintf(stderr, "smmu-board start: %s\n", strbuf_str(&why));
	}
	strbuf_fini(&text);
	strbuf_fini(&why);
	return r;
}

/* Tells why a start failed; called once the daemon has said so, died or timed out. */
static void report_daemon_failure(int r, const struct strbuf *msg)
{
	if (r == -ETIMEDOUT) {
		fprintf(stderr,
			"smmu-board start: the board did not become ready within %d ms; stopped "
			"it\n",
			BOARD_START_TIMEOUT_MS);
	} else if (strncmp(strbuf_str(msg), "error: ", 7) == 0) {
		fprintf(stderr, "smmu-board start: %s", strbuf_str(msg) + 7);
	} else {
		fprintf(stderr, "smmu-board start: the board daemon died while starting\n");
	}
}

/* Forks the daemon and waits for its word.  Return: 0 when the board is ready. */
static int launch(struct board_daemon_cfg *cfg, struct strbuf *why)
{
	int ready[2];

	if (pipe2(ready, O_CLOEXEC) < 0) {
		strbuf_printf(why, "pipe: %s", strerror(errno));
		return -errno;
	}
	fflush(NULL);
	pid_t daemon = fork();

	if (daemon < 0) {
		strbuf_printf(why, "cannot fork the board daemon: %s", strerror(errno));
		close(ready[0]);
		close(ready[1]);
		return -errno;
	}
	if (daemon == 0) {
		close(ready[0]);
		cfg->ready_fd = ready[1];
		become_daemon(cfg);
	}
	close(ready[1]);

	struct strbuf msg = STRBUF_INIT;
	int r = wait_ready(ready[0], daemon, &msg);

	close(ready[0]);
	if (r == 0 && strcmp(strbuf_str(&msg), "ok\n") == 0) {
		strbuf_fini(&msg);
		return 0;
	}
	report_daemon_failure(r, &msg);
	strbuf_fini(&msg);
	/* The daemon cleans up after itself; reap it so that its files are gone. */
	waitpid(daemon, NULL, 0);
	return r < 0 ? r : -EIO;
}

/**
 * board_cmd_start() - `smmu-board start [--machine q35|virt] [--edu N] [--dir DIR]
 * [--qemu BIN] [--smmu-stage 1|2]`.
 * Prints board.env on success.  Return: exit status (0 ready, 1 failed, 2 usage,
 * BOARD_EXIT_UNSUPPORTED when the QEMU binary lacks the SMMUv3 stage asked for).
 */
int board_cmd_start(int argc, char **argv)
{
	struct start_opts opts;
	struct board_daemon_cfg cfg = {.ready_fd = -1};
	struct strbuf why = STRBUF_INIT;
	int status = 1;
	int r = parse_opts(argc, argv, &opts);

	if (r < 0) {
		return usage();
	}
	cfg.qemu = opts.qemu;
	cfg.machine = opts.machine;
	cfg.env.edu_count = opts.edu_count;
	cfg.env.smmu_stage = opts.smmu_stage;
	cfg.env.machine = smmu_strdup(opts.machine->name);
	cfg.env.qemu_binary = smmu_strdup(opts.qemu);
	r = cfg.env.machine && cfg.env.qemu_binary ? prepare_dir(opts.dir, &cfg.env, &why)
						   : -ENOMEM;
	if (r < 0) {
		fprintf(stderr, "smmu-board start: %s\n", strbuf_str(&why));
		goto out;
	}
	if (opts.smmu_stage) {
		/* Asked before anything else starts, so that "unsupported" is told apart. */
		r = board_qemu_probe_smmu_stage(opts.machine, opts.qemu, cfg.env.dir,
						opts.smmu_stage, &why);
		if (r < 0) {
			fprintf(stderr, "smmu-board start: %s\n", strbuf_str(&why));
			board_teardown(cfg.env.dir, &cfg.env, false);
			status = r == -EOPNOTSUPP ? BOARD_EXIT_UNSUPPORTED : 1;
			goto out;
		}
	}
	r = create_ram_file(&cfg.env, &why);
	if (r == 0) {
		r = write_bios(cfg.env.dir, opts.machine, &why);
	}
	if (r < 0) {
		fprintf(stderr, "smmu-board start: %s\n", strbuf_str(&why));
		board_teardown(cfg.env.dir, &cfg.env, false);
		goto out;
	}
	r = launch(&cfg, &why);
	if (r < 0) {
		if (why.len) {
			fprintf(stderr, "smmu-board start: %s\n", strbuf_str(&why));
		}
		/* Whatever a dead daemon could not remove. */
		board_teardown(cfg.env.dir, &cfg.env, false);
		goto out;
	}
	status = print_board(cfg.env.dir) == 0 ? 0 : 1;
out:
	board_env_fini(&cfg.env);
	strbuf_fini(&why);
	return status;
}
