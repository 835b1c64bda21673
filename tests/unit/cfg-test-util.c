/* SPDX-License-Identifier: Apache-2.0 */
#include "cfg-test-util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"

#define MAX_FILES 64
#define MAX_VARS 16

static struct {
	const char *path;
	const char *text;
	size_t size;
} files[MAX_FILES];
static size_t file_count;

static struct {
	const char *name;
	const char *value;
} vars[MAX_VARS];
static size_t var_count;

static struct cfg_parse_options options;

static int fake_read_file(void *ctx, const char *path, char **ret_canonical, char **ret_text,
			  size_t *ret_size)
{
	(void)ctx;
	for (size_t i = 0; i < file_count; i++) {
		if (strcmp(files[i].path, path) != 0) {
			continue;
		}
		*ret_canonical = smmu_strdup(path);
		*ret_text = smmu_malloc(files[i].size + 1);
		if (!*ret_canonical || !*ret_text) {
			smmu_free(*ret_canonical);
			smmu_free(*ret_text);
			return -ENOMEM;
		}
		memcpy(*ret_text, files[i].text, files[i].size);
		(*ret_text)[files[i].size] = '\0';
		*ret_size = files[i].size;
		return 0;
	}
	return -ENOENT;
}

static const char *fake_get_env(void *ctx, const char *name)
{
	(void)ctx;
	for (size_t i = 0; i < var_count; i++) {
		if (strcmp(vars[i].name, name) == 0) {
			return vars[i].value;
		}
	}
	return NULL;
}

int cfg_test_reset(void **state)
{
	(void)state;
	file_count = 0;
	var_count = 0;
	options = (struct cfg_parse_options){
		.devicetree_root = "/nonexistent-devicetree",
		.iomem_path = "iomem",
		.system = {.read_file = fake_read_file, .get_env = fake_get_env},
	};
	smmu_alloc_fail_after(-1);
	return 0;
}

void cfg_test_file_bytes(const char *path, const char *bytes, size_t size)
{
	assert_true(file_count < MAX_FILES);
	files[file_count].path = path;
	files[file_count].text = bytes;
	files[file_count++].size = size;
}

void cfg_test_file(const char *path, const char *text)
{
	cfg_test_file_bytes(path, text, strlen(text));
}

void cfg_test_env(const char *name, const char *value)
{
	assert_true(var_count < MAX_VARS);
	vars[var_count].name = name;
	vars[var_count++].value = value;
}

struct cfg_parse_options *cfg_test_options(void)
{
	return &options;
}

int cfg_test_parse(const char *command_line, struct cfg_config *cfg, struct cfg_diags *diags)
{
	char *argv[] = {(char *)command_line};

	return cfg_parse_args(cfg, 1, argv, &options, diags);
}

char *cfg_test_format_diags(const struct cfg_diags *diags)
{
	struct strbuf out = STRBUF_INIT;

	for (size_t i = 0; i < diags->count; i++) {
		cfg_diag_format(&diags->items[i], &out);
	}
	return strbuf_take(&out);
}

char *cfg_test_dump(const char *command_line)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};
	struct strbuf out = STRBUF_INIT;
	int r = cfg_test_parse(command_line, &cfg, &diags);

	if (r != 0 || diags.error_count) {
		char *text = cfg_test_format_diags(&diags);

		print_error("unexpected errors for '%s':\n%s", command_line, text);
		smmu_free(text);
		fail();
	}
	cfg_dump(&cfg, &out);
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
	return strbuf_take(&out);
}

void cfg_test_assert_dump(const char *command_line, const char *expected)
{
	char *dump = cfg_test_dump(command_line);

	assert_string_equal(dump, expected);
	smmu_free(dump);
}

void cfg_test_expect_error(const char *command_line, const char *expected)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};
	int r = cfg_test_parse(command_line, &cfg, &diags);
	char *text = cfg_test_format_diags(&diags);
	bool found = false;

	assert_int_equal(r, -EINVAL);
	for (size_t i = 0; i < diags.count && !found; i++) {
		struct strbuf header = STRBUF_INIT;

		if (diags.items[i].severity != CFG_SEVERITY_ERROR) {
			continue;
		}
		cfg_diag_format(&diags.items[i], &header);
		found = strncmp(strbuf_str(&header), expected, strlen(expected)) == 0;
		strbuf_fini(&header);
		break; /* only the first error counts */
	}
	if (!found) {
		print_error("input:    %s\nexpected: %s\ngot:\n%s", command_line, expected, text);
	}
	smmu_free(text);
	cfg_config_fini(&cfg);
	cfg_diags_fini(&diags);
	assert_true(found);
}
