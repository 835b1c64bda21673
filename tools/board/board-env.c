/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The board's self-description: board.env in the board directory, which `start` also
 * prints.  One KEY=VALUE per line and nothing needs quoting (directory names are limited to
 * a safe alphabet), so a shell can `eval` it and C can parse it in a few lines:
 *
 *   SMMU_BOARD_DIR=/tmp/smmu-board.Ab12Cd      the board directory
 *   SMMU_BOARD_OWNS_DIR=1                       start created it; stop removes it
 *   SMMU_BOARD_PID=1234                         the daemon (multiplexer)
 *   SMMU_BOARD_QEMU_PID=1235
 *   SMMU_BOARD_MACHINE=q35                      or virt
 *   SMMU_BOARD_QEMU_BINARY=qemu-system-x86_64   the QEMU that runs it
 *   SMMU_BOARD_QTEST=/tmp/smmu-board.Ab12Cd/qtest.sock
 *   SMMU_BOARD_MEM=/dev/shm/smmu-board.Xy34Ef   guest RAM file
 *   SMMU_BOARD_RAM_BASE=0x0                     physical address of its first byte
 *   SMMU_BOARD_RAM_SIZE=268435456
 *   SMMU_BOARD_TABLES=0xc000000,0x4000000       RAM set aside for IOMMU tables
 *   SMMU_BOARD_VTD=0xfed90000                   q35: the VT-d unit's registers
 *   SMMU_BOARD_SMMUV3=0x9050000                 virt: the SMMUv3's registers, instead
 *   SMMU_BOARD_SMMU_STAGE=2                     virt: only with --smmu-stage 2
 *   SMMU_BOARD_ECAM=0x4010000000                virt: PCIe configuration space (ECAM)
 *   SMMU_BOARD_EDU=00:01.0,00:02.0              edu devices
 *   SMMU_BOARD_EDU_DMA_BITS=28                  the edus' DMA address width (64 on virt)
 *   SMMU_BOARD_HW=qtest:...                     the hw_open() spec for all of the above
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "common/alloc.h"
#include "common/strbuf.h"
#include "hw/hw-spec.h"

/* A board.env is a dozen short lines; anything bigger is not ours. */
#define BOARD_ENV_MAX_SIZE 65536

/**
 * board_path() - DIR/FILE into buf.  Return: 0, or -ENAMETOOLONG.
 */
int board_path(const char *dir, const char *file, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", dir, file);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/**
 * board_dir_name_ok() - whether a directory name is made of letters, digits and ._/+- only:
 * it ends up in a hw spec (',' separates fields there) and in eval-able output.
 */
bool board_dir_name_ok(const char *dir)
{
	if (!dir[0]) {
		return false;
	}
	for (const char *p = dir; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._/+-", *p))) {
			return false;
		}
	}
	return true;
}

/** board_env_format() - the KEY=VALUE lines describing a board.  Return: 0 or -ENOMEM. */
int board_env_format(const struct board_env *env, struct strbuf *out)
{
	const struct board_machine *m = board_machine_find(env->machine);

	strbuf_printf(out, "SMMU_BOARD_DIR=%s\n", env->dir);
	strbuf_printf(out, "SMMU_BOARD_OWNS_DIR=%d\n", env->owns_dir ? 1 : 0);
	strbuf_printf(out, "SMMU_BOARD_PID=%ld\n", (long)env->pid);
	strbuf_printf(out, "SMMU_BOARD_QEMU_PID=%ld\n", (long)env->qemu_pid);
	strbuf_printf(out, "SMMU_BOARD_MACHINE=%s\n", env->machine);
	strbuf_printf(out, "SMMU_BOARD_QEMU_BINARY=%s\n", env->qemu_binary);
	strbuf_printf(out, "SMMU_BOARD_QTEST=%s\n", env->qtest_socket);
	strbuf_printf(out, "SMMU_BOARD_MEM=%s\n", env->mem_path);
	strbuf_printf(out, "SMMU_BOARD_RAM_BASE=0x%" PRIx64 "\n", env->ram_base);
	strbuf_printf(out, "SMMU_BOARD_RAM_SIZE=%" PRIu64 "\n", env->ram_size);
	strbuf_printf(out, "SMMU_BOARD_TABLES=0x%" PRIx64 ",0x%" PRIx64 "\n", env->tables_pa,
		      env->tables_size);
	if (m) {
		strbuf_printf(out, "SMMU_BOARD_%s=0x%" PRIx64 "\n", m->iommu_key, env->iommu_base);
	}
	if (env->smmu_stage) {
		strbuf_printf(out, "SMMU_BOARD_SMMU_STAGE=%u\n", env->smmu_stage);
	}
	if (env->ecam_base) {
		strbuf_printf(out, "SMMU_BOARD_ECAM=0x%" PRIx64 "\n", env->ecam_base);
	}
	strbuf_puts(out, "SMMU_BOARD_EDU=");
	for (unsigned i = 0; i < env->edu_count; i++) {
		strbuf_printf(out, "%s00:%02x.0", i ? "," : "", i + 1);
	}
	if (m) {
		strbuf_printf(out, "\nSMMU_BOARD_EDU_DMA_BITS=%u", m->edu_dma_mask_bits);
	}
	strbuf_printf(out, "\nSMMU_BOARD_HW=%s\n", env->hw_spec);
	return out->oom ? -ENOMEM : 0;
}

/**
 * board_env_write() - write board.env into env->dir, atomically (a reader never sees half a
 * file).  Return: 0 or -errno with a sentence in `why`.
 */
int board_env_write(const struct board_env *env, struct strbuf *why)
{
	char path[4096], tmp[4096];
	struct strbuf text = STRBUF_INIT;
	int r = board_path(env->dir, BOARD_ENV_FILE, path, sizeof(path));

	if (r == 0) {
		r = board_path(env->dir, BOARD_ENV_FILE ".tmp", tmp, sizeof(tmp));
	}
	if (r == 0) {
		r = board_env_format(env, &text);
	}
	if (r < 0) {
		strbuf_fini(&text);
		strbuf_printf(why, "cannot describe the board: %s", strerror(-r));
		return r;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text.data, text.len) != (ssize_t)text.len || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		r = -errno;
		strbuf_printf(why, "cannot write %s: %s", path, strerror(-r));
		unlink(tmp);
	}
	strbuf_fini(&text);
	return r;
}

static int take_string(const char *value, char **ret)
{
	char *copy = smmu_strdup(value);

	if (!copy) {
		return -ENOMEM;
	}
	smmu_free(*ret);
	*ret = copy;
	return 0;
}

static int parse_line(struct board_env *env, char *line, unsigned *seen)
{
	char *eq = strchr(line, '=');
	uint64_t n;

	if (!eq) {
		return -EINVAL;
	}
	*eq = '\0';
	const char *key = line;
	const char *value = eq + 1;

#define IS(k) (strcmp(key, "SMMU_BOARD_" k) == 0)
	if (IS("DIR")) {
		*seen |= 1u << 0;
		return take_string(value, &env->dir);
	}
	if (IS("OWNS_DIR")) {
		env->owns_dir = strcmp(value, "1") == 0;
		return 0;
	}
	if (IS("PID") || IS("QEMU_PID")) {
		if (hw_parse_u64(value, &n) < 0 || n == 0 || n > INT32_MAX) {
			return -EINVAL;
		}
		if (IS("PID")) {
			env->pid = (pid_t)n;
			*seen |= 1u << 1;
		} else {
			env->qemu_pid = (pid_t)n;
		}
		return 0;
	}
	if (IS("MACHINE")) {
		return take_string(value, &env->machine);
	}
	if (IS("QEMU_BINARY")) {
		return take_string(value, &env->qemu_binary);
	}
	if (IS("SMMU_STAGE")) {
		if (hw_parse_u64(value, &n) < 0 || n > 2) {
			return -EINVAL;
		}
		env->smmu_stage = (unsigned)n;
		return 0;
	}
	if (IS("ECAM")) {
		return hw_parse_u64(value, &env->ecam_base);
	}
	if (IS("QTEST")) {
		return take_string(value, &env->qtest_socket);
	}
	if (IS("MEM")) {
		*seen |= 1u << 2;
		return take_string(value, &env->mem_path);
	}
	if (IS("RAM_BASE")) {
		return hw_parse_u64(value, &env->ram_base);
	}
	if (IS("RAM_SIZE")) {
		return hw_parse_u64(value, &env->ram_size);
	}
	if (IS("VTD") || IS("SMMUV3")) {
		return hw_parse_u64(value, &env->iommu_base);
	}
	if (IS("TABLES")) {
		char pa[32];
		const char *comma = strchr(value, ',');

		if (!comma || (size_t)(comma - value) >= sizeof(pa)) {
			return -EINVAL;
		}
		memcpy(pa, value, (size_t)(comma - value));
		pa[comma - value] = '\0';
		int r = hw_parse_u64(pa, &env->tables_pa);

		return r < 0 ? r : hw_parse_u64(comma + 1, &env->tables_size);
	}
	if (IS("EDU")) {
		env->edu_count = 0;
		for (const char *p = value; *p; p++) {
			env->edu_count += p == value || *p == ',';
		}
		return 0;
	}
	if (IS("HW")) {
		*seen |= 1u << 3;
		return take_string(value, &env->hw_spec);
	}
#undef IS
	return 0; /* a key from a newer board: ignore it */
}

/**
 * board_env_read() - parse DIR/board.env.
 * Return: 0 and *ret_env; -ENOENT when there is no board in DIR; -EINVAL for a file that is
 * not a board description; with a sentence in `why`.
 */
int board_env_read(const char *dir, struct board_env *ret_env, struct strbuf *why)
{
	char path[4096];
	char *text = smmu_malloc(BOARD_ENV_MAX_SIZE + 1);
	struct board_env env = {0};
	unsigned seen = 0;
	int r = board_path(dir, BOARD_ENV_FILE, path, sizeof(path));

	if (!text) {
		return -ENOMEM;
	}
	if (r < 0) {
		strbuf_printf(why, "board directory name too long: %s", dir);
		goto out;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		r = -errno;
		strbuf_printf(why, "%s: %s%s", path, strerror(-r),
			      r == -ENOENT ? " (no board runs in this directory)" : "");
		goto out;
	}
	ssize_t n = read(fd, text, BOARD_ENV_MAX_SIZE + 1);

	close(fd);
	if (n < 0 || n > BOARD_ENV_MAX_SIZE) {
		r = n < 0 ? -errno : -EFBIG;
		strbuf_printf(why, "cannot read %s", path);
		goto out;
	}
	text[n] = '\0';
	char *save = NULL;

	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		r = parse_line(&env, line, &seen);
		if (r < 0) {
			strbuf_printf(why, "%s: malformed line \"%.80s\"", path, line);
			goto out;
		}
	}
	if (seen != 0xf) {
		r = -EINVAL;
		strbuf_printf(why, "%s lacks DIR, PID, MEM or HW: not a board description", path);
		goto out;
	}
	*ret_env = env;
	env = (struct board_env){0};
	r = 0;
out:
	board_env_fini(&env);
	smmu_free(text);
	return r;
}

/** board_env_fini() - free the strings.  Accepts a zeroed env. */
void board_env_fini(struct board_env *env)
{
	smmu_free(env->dir);
	smmu_free(env->machine);
	smmu_free(env->qemu_binary);
	smmu_free(env->qtest_socket);
	smmu_free(env->mem_path);
	smmu_free(env->hw_spec);
	*env = (struct board_env){0};
}

/**
 * board_open_bus() - connect to the board running in DIR through its hw spec.
 * ret_env may be NULL.  Return: 0; board_env_read()'s or hw_open()'s error with a sentence.
 */
int board_open_bus(const char *dir, struct hw_bus **ret_bus, struct board_env *ret_env,
		   struct strbuf *why)
{
	struct board_env env;
	int r = board_env_read(dir, &env, why);

	if (r < 0) {
		return r;
	}
	r = hw_open(env.hw_spec, ret_bus, why);
	if (r == 0 && ret_env) {
		*ret_env = env;
	} else {
		board_env_fini(&env);
	}
	return r;
}
