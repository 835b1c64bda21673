/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the configuration parser.  The input is the text of
 * a file named fuzz.smmu; an optional second part after a line "===" is the
 * syspage file.  Files and environment are in memory, so includes of
 * fuzz.smmu (cycles), of sys.txt, and of missing files are all reachable.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks a property:
 * whatever parses without errors dumps to text that parses to the same dump.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"
#include "config/config.h"

static const char *file_text;
static size_t file_size;
static const char *syspage_text;
static size_t syspage_size;

static const char iomem_text[] = "00001000-00001fff : System RAM\n"
				 "  00001000-000017ff : Kernel code\n"
				 "00002000-00002fff : System RAM\n"
				 "fed90000-fed90fff : dmar0\n";

static int copy_out(const char *path, const char *text, size_t size, char **ret_canonical,
		    char **ret_text, size_t *ret_size)
{
	*ret_canonical = smmu_strdup(path);
	*ret_text = smmu_malloc(size + 1);
	if (!*ret_canonical || !*ret_text) {
		smmu_free(*ret_canonical);
		smmu_free(*ret_text);
		return -ENOMEM;
	}
	memcpy(*ret_text, text, size);
	(*ret_text)[size] = '\0';
	*ret_size = size;
	return 0;
}

static int fuzz_read_file(void *ctx, const char *path, char **ret_canonical, char **ret_text,
			  size_t *ret_size)
{
	(void)ctx;
	if (strcmp(path, "fuzz.smmu") == 0) {
		return copy_out(path, file_text, file_size, ret_canonical, ret_text, ret_size);
	}
	if (strcmp(path, "sys.txt") == 0) {
		return copy_out(path, syspage_text, syspage_size, ret_canonical, ret_text,
				ret_size);
	}
	if (strcmp(path, "iomem") == 0) {
		return copy_out(path, iomem_text, sizeof(iomem_text) - 1, ret_canonical, ret_text,
				ret_size);
	}
	return -ENOENT;
}

static const char *fuzz_get_env(void *ctx, const char *name)
{
	(void)ctx;
	if (strcmp(name, "LEVEL") == 0) {
		return "2";
	}
	if (strcmp(name, "WORDS") == 0) {
		return "smmu vtd require";
	}
	if (strcmp(name, "HASH") == 0) {
		return "a#b";
	}
	return NULL;
}

static const struct cfg_parse_options options = {
	.syspage_path = "sys.txt",
	.devicetree_root = "/nonexistent-devicetree",
	.iomem_path = "iomem",
	.system = {.read_file = fuzz_read_file, .get_env = fuzz_get_env},
};

/* Parses `input` as a command line; on success returns the dump. */
static char *parse_and_dump(char *input, bool *ret_ok)
{
	struct cfg_config cfg = {0};
	struct cfg_diags diags = {0};
	struct strbuf out = STRBUF_INIT;
	struct strbuf messages = STRBUF_INIT;
	char *argv[] = {input};
	int r = cfg_parse_args(&cfg, 1, argv, &options, &diags);

	*ret_ok = r == 0;
	if (r == 0) {
		cfg_dump(&cfg, &out);
	}
	/* Formatting every diagnostic exercises the caret code too; the
	 * messages name lines, so they are not part of the comparison. */
	for (size_t i = 0; i < diags.count; i++) {
		cfg_diag_format(&diags.items[i], &messages);
	}
	strbuf_fini(&messages);
	cfg_diags_fini(&diags);
	cfg_config_fini(&cfg);
	return strbuf_take(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *split = NULL;
	char *first, *second;
	bool ok;

	for (size_t i = 0; i + 5 <= size; i++) {
		if (memcmp(text + i, "\n===\n", 5) == 0) {
			split = text + i;
			break;
		}
	}
	file_text = text;
	file_size = split ? (size_t)(split - text) : size;
	syspage_text = split ? split + 5 : "buf 1000,4K\n";
	syspage_size = split ? size - file_size - 5 : strlen(syspage_text);

	first = parse_and_dump((char *)"@fuzz.smmu", &ok);
	if (ok && first) {
		struct strbuf dump_file = STRBUF_INIT;
		bool again;

		/* Reparse the dump through the same in-memory file. */
		strbuf_puts(&dump_file, first);
		file_text = strbuf_str(&dump_file);
		file_size = dump_file.len;
		second = parse_and_dump((char *)"@fuzz.smmu", &again);
		if (!again || !second || strcmp(first, second) != 0) {
			abort(); /* the dump is not a fixed point */
		}
		smmu_free(second);
		strbuf_fini(&dump_file);
	}
	smmu_free(first);
	return 0;
}
