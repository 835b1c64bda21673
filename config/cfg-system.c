/* SPDX-License-Identifier: Apache-2.0 */
#include "config/cfg-system.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/limits.h"
#include "common/strbuf.h"

int cfg_system_read_file(void *ctx, const char *path, char **ret_canonical, char **ret_text,
			 size_t *ret_size)
{
	struct strbuf text = STRBUF_INIT;
	char chunk[4096];
	struct stat st;
	char *canonical;
	int fd;
	int r = 0;

	(void)ctx;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto err_close;
	}
	if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		goto err_close;
	}
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			r = -errno;
			goto err_close;
		}
		if (n == 0) {
			break;
		}
		if (text.len + (size_t)n > SMMU_CFG_MAX_FILE_SIZE) {
			r = -EFBIG;
			goto err_close;
		}
		strbuf_append(&text, chunk, (size_t)n);
	}
	close(fd);
	canonical = realpath(path, NULL);
	if (!canonical) {
		r = -errno;
		goto err_free;
	}
	*ret_canonical = smmu_strdup(canonical);
	free(canonical);
	*ret_size = text.len;
	*ret_text = strbuf_take(&text);
	if (!*ret_canonical || !*ret_text) {
		smmu_free(*ret_canonical);
		smmu_free(*ret_text);
		return -ENOMEM;
	}
	return 0;

err_close:
	close(fd);
err_free:
	strbuf_fini(&text);
	return r;
}

static const char *real_get_env(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

void cfg_system_complete(struct cfg_system *system)
{
	if (!system->read_file) {
		system->read_file = cfg_system_read_file;
	}
	if (!system->get_env) {
		system->get_env = real_get_env;
	}
}
