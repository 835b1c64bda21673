/* SPDX-License-Identifier: Apache-2.0 */
#include "config/cfg-asinfo.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/limits.h"
#include "common/strbuf.h"
#include "config/cfg-number.h"

#define DEFAULT_DEVICETREE_ROOT "/proc/device-tree"
#define DEFAULT_IOMEM_PATH "/proc/iomem"

/* Devicetree Specification v0.4, 2.3.5: defaults when a node does not say. */
#define DT_DEFAULT_ADDRESS_CELLS 2
#define DT_DEFAULT_SIZE_CELLS 1

static const char *source_label(enum cfg_asinfo_kind kind)
{
	switch (kind) {
	case CFG_ASINFO_SYSPAGE:
		return "syspage file";
	case CFG_ASINFO_DEVICETREE:
		return "device tree";
	case CFG_ASINFO_IOMEM:
		return "iomem";
	}
	return "?";
}

static int add_source(struct cfg_asinfo *asinfo, enum cfg_asinfo_kind kind, const char *path)
{
	struct cfg_asinfo_source *source = &asinfo->sources[asinfo->source_count];

	source->kind = kind;
	source->path = smmu_strdup(path);
	if (!source->path) {
		return -ENOMEM;
	}
	asinfo->source_count++;
	return 0;
}

int cfg_asinfo_init(struct cfg_asinfo *asinfo, const struct cfg_parse_options *opts,
		    const struct cfg_system *system, struct cfg_diags *diags)
{
	const char *syspage = opts->syspage_path;
	int r;

	*asinfo = (struct cfg_asinfo){.system = system, .diags = diags};
	if (!syspage) {
		syspage = system->get_env(system->ctx, "SMMUMAN_SYSPAGE");
	}
	if (syspage && *syspage) {
		r = add_source(asinfo, CFG_ASINFO_SYSPAGE, syspage);
		if (r < 0) {
			return r;
		}
	}
	r = add_source(asinfo, CFG_ASINFO_DEVICETREE,
		       opts->devicetree_root ? opts->devicetree_root : DEFAULT_DEVICETREE_ROOT);
	if (r < 0) {
		return r;
	}
	return add_source(asinfo, CFG_ASINFO_IOMEM,
			  opts->iomem_path ? opts->iomem_path : DEFAULT_IOMEM_PATH);
}

void cfg_asinfo_fini(struct cfg_asinfo *asinfo)
{
	for (size_t i = 0; i < asinfo->source_count; i++) {
		struct cfg_asinfo_source *source = &asinfo->sources[i];

		for (size_t j = 0; j < source->entry_count; j++) {
			smmu_free(source->entries[j].name);
		}
		smmu_free(source->entries);
		smmu_free(source->path);
	}
	*asinfo = (struct cfg_asinfo){0};
}

static int add_entry(struct cfg_asinfo_source *source, const char *name, size_t name_len,
		     uint64_t start, uint64_t size)
{
	struct cfg_asinfo_entry *entries;
	char *copy;

	if (source->entry_count >= SMMU_ASINFO_MAX_ENTRIES) {
		return -E2BIG;
	}
	copy = smmu_strndup(name, name_len);
	if (!copy) {
		return -ENOMEM;
	}
	entries = smmu_reallocarray(source->entries, source->entry_count + 1, sizeof(*entries));
	if (!entries) {
		smmu_free(copy);
		return -ENOMEM;
	}
	source->entries = entries;
	entries[source->entry_count++] = (struct cfg_asinfo_entry){copy, start, size};
	return 0;
}

/* Reports a syspage file error at `col` of line `line_no` (1-based). */
static void syspage_error(struct cfg_asinfo *asinfo, const struct cfg_asinfo_source *source,
			  uint32_t line_no, const char *line, size_t col0, const char *what)
{
	cfg_diag_add(asinfo->diags, CFG_SEVERITY_ERROR, source->path, line_no, (uint32_t)col0 + 1,
		     line, "%s", what);
}

static int parse_number_field(struct cfg_asinfo *asinfo, const struct cfg_asinfo_source *source,
			      uint32_t line_no, const char *line, size_t field_start,
			      size_t field_len, enum cfg_number_kind kind, uint64_t *ret_value)
{
	struct cfg_number_error error;
	int r = cfg_number_parse(line + field_start, field_len, kind, ret_value, &error);

	if (r < 0) {
		syspage_error(asinfo, source, line_no, line, field_start + error.offset,
			      error.message);
	}
	return r;
}

/* One syspage line: `NAME START,LENGTH`, optional `#` comment. */
static int parse_syspage_line(struct cfg_asinfo *asinfo, struct cfg_asinfo_source *source,
			      uint32_t line_no, const char *line, size_t len)
{
	size_t name_start, name_end, value_start, value_end, comma;
	uint64_t start, size, last;
	size_t i = 0;
	int r;

	while (i < len && (line[i] == ' ' || line[i] == '\t')) {
		i++;
	}
	if (i == len || line[i] == '#') {
		return 0;
	}
	name_start = i;
	while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#') {
		i++;
	}
	name_end = i;
	while (i < len && (line[i] == ' ' || line[i] == '\t')) {
		i++;
	}
	value_start = i;
	while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#') {
		i++;
	}
	value_end = i;
	while (i < len && (line[i] == ' ' || line[i] == '\t')) {
		i++;
	}
	if (i < len && line[i] != '#') {
		syspage_error(asinfo, source, line_no, line, i,
			      "unexpected text after START,LENGTH");
		return -EINVAL;
	}
	if (memchr(line + name_start, '/', name_end - name_start)) {
		syspage_error(asinfo, source, line_no, line, name_start,
			      "an asinfo name is a leaf name and cannot contain '/'");
		return -EINVAL;
	}
	if (name_end - name_start > SMMU_ASINFO_MAX_NAME) {
		syspage_error(asinfo, source, line_no, line, name_start, "asinfo name too long");
		return -EINVAL;
	}
	if (value_start == value_end) {
		syspage_error(asinfo, source, line_no, line, value_start,
			      "expected START,LENGTH after the name");
		return -EINVAL;
	}
	comma = value_start;
	while (comma < value_end && line[comma] != ',') {
		comma++;
	}
	if (comma == value_end) {
		syspage_error(asinfo, source, line_no, line, value_end,
			      "expected ',LENGTH' after the start address");
		return -EINVAL;
	}
	r = parse_number_field(asinfo, source, line_no, line, value_start, comma - value_start,
			       CFG_NUMBER_ADDRESS, &start);
	if (r < 0) {
		return r;
	}
	r = parse_number_field(asinfo, source, line_no, line, comma + 1, value_end - comma - 1,
			       CFG_NUMBER_SIZE, &size);
	if (r < 0) {
		return r;
	}
	if (size == 0 || __builtin_add_overflow(start, size - 1, &last)) {
		syspage_error(asinfo, source, line_no, line, comma + 1,
			      size == 0 ? "length must not be zero"
					: "range goes past the end of the 64-bit address space");
		return -EINVAL;
	}
	r = add_entry(source, line + name_start, name_end - name_start, start, size);
	if (r == -E2BIG) {
		syspage_error(asinfo, source, line_no, line, name_start, "too many asinfo entries");
	}
	return r;
}

static int load_syspage(struct cfg_asinfo *asinfo, struct cfg_asinfo_source *source)
{
	const struct cfg_system *system = asinfo->system;
	char *canonical = NULL;
	char *text = NULL;
	size_t size = 0;
	size_t line_start = 0;
	uint32_t line_no = 0;
	int result = 0;
	int r;

	r = system->read_file(system->ctx, source->path, &canonical, &text, &size);
	if (r < 0) {
		cfg_diag_add(asinfo->diags, CFG_SEVERITY_ERROR, source->path, 0, 0, NULL,
			     "cannot read the syspage file: %s", strerror(-r));
		return r == -ENOMEM ? r : -EINVAL;
	}
	while (line_start < size) {
		const char *nl = memchr(text + line_start, '\n', size - line_start);
		size_t len = nl ? (size_t)(nl - (text + line_start)) : size - line_start;

		line_no++;
		if (memchr(text + line_start, '\0', len)) {
			syspage_error(asinfo, source, line_no, NULL, 0, "NUL byte in syspage file");
			result = -EINVAL;
			break;
		}
		/* parse_syspage_line reads `len` bytes; diagnostics copy up to '\n'. */
		r = parse_syspage_line(asinfo, source, line_no, text + line_start, len);
		if (r == -ENOMEM) {
			result = r;
			break;
		}
		if (r < 0) {
			result = -EINVAL;
		}
		line_start += len + 1;
	}
	smmu_free(canonical);
	smmu_free(text);
	return result;
}

/* Reads the first max_cells big-endian 32-bit cells of a device-tree
 * property; a longer property (a reg with several entries) is cut there. */
static int read_cells(const char *path, uint32_t *cells, size_t max_cells, size_t *ret_count)
{
	unsigned char bytes[64];
	size_t n;
	FILE *f = fopen(path, "rbe");

	if (!f) {
		return -errno;
	}
	n = fread(bytes, 1, max_cells * 4 < sizeof(bytes) ? max_cells * 4 : sizeof(bytes), f);
	fclose(f);
	if (n % 4 != 0) {
		return -EINVAL;
	}
	for (size_t i = 0; i < n / 4; i++) {
		cells[i] = (uint32_t)bytes[4 * i] << 24 | (uint32_t)bytes[4 * i + 1] << 16 |
			   (uint32_t)bytes[4 * i + 2] << 8 | bytes[4 * i + 3];
	}
	*ret_count = n / 4;
	return 0;
}

static uint32_t read_cell_count(const char *dir, const char *property, uint32_t fallback)
{
	struct strbuf path = STRBUF_INIT;
	uint32_t cell;
	size_t count = 0;
	int r;

	strbuf_printf(&path, "%s/%s", dir, property);
	r = path.oom ? -ENOMEM : read_cells(strbuf_str(&path), &cell, 1, &count);
	strbuf_fini(&path);
	return r == 0 && count == 1 ? cell : fallback;
}

static uint64_t cells_value(const uint32_t *cells, uint32_t count)
{
	uint64_t value = 0;

	for (uint32_t i = 0; i < count; i++) {
		value = value << 32 | cells[i];
	}
	return value;
}

/*
 * /reserved-memory children (Devicetree Specification v0.4, 3.5.2): only
 * nodes with a static `reg` have an address; nodes that ask the OS to allocate
 * (`size` without `reg`) are skipped.
 */
static int load_devicetree(struct cfg_asinfo_source *source)
{
	struct strbuf dir_path = STRBUF_INIT;
	struct strbuf reg_path = STRBUF_INIT;
	uint32_t address_cells, size_cells;
	struct dirent *entry;
	DIR *dir;
	int r = 0;

	strbuf_printf(&dir_path, "%s/reserved-memory", source->path);
	if (dir_path.oom) {
		return -ENOMEM;
	}
	dir = opendir(strbuf_str(&dir_path));
	if (!dir) {
		/* No device tree (x86) or no reserved memory: an empty source. */
		strbuf_fini(&dir_path);
		return 0;
	}
	address_cells =
		read_cell_count(strbuf_str(&dir_path), "#address-cells", DT_DEFAULT_ADDRESS_CELLS);
	size_cells = read_cell_count(strbuf_str(&dir_path), "#size-cells", DT_DEFAULT_SIZE_CELLS);
	while ((entry = readdir(dir)) != NULL) {
		uint32_t cells[16];
		size_t count = 0;
		size_t name_len;

		if (entry->d_name[0] == '.' || entry->d_name[0] == '#') {
			continue;
		}
		strbuf_reset(&reg_path);
		strbuf_printf(&reg_path, "%s/%s/reg", strbuf_str(&dir_path), entry->d_name);
		if (reg_path.oom) {
			r = -ENOMEM;
			break;
		}
		if (address_cells < 1 || address_cells > 2 || size_cells > 2 ||
		    read_cells(strbuf_str(&reg_path), cells, ARRAY_SIZE(cells), &count) < 0 ||
		    count < address_cells + size_cells) {
			continue;
		}
		name_len = strcspn(entry->d_name, "@");
		r = add_entry(source, entry->d_name, name_len, cells_value(cells, address_cells),
			      size_cells ? cells_value(cells + address_cells, size_cells) : 0);
		if (r < 0) {
			break;
		}
	}
	closedir(dir);
	strbuf_fini(&reg_path);
	strbuf_fini(&dir_path);
	return r;
}

/* Linux /proc/iomem: "  START-END : NAME", START and END hexadecimal, END
 * inclusive, two spaces of indent per nesting level. */
static int load_iomem(struct cfg_asinfo *asinfo, struct cfg_asinfo_source *source)
{
	const struct cfg_system *system = asinfo->system;
	char *canonical = NULL;
	char *text = NULL;
	size_t size = 0;
	size_t pos = 0;
	bool any_address = false;
	int r;

	r = system->read_file(system->ctx, source->path, &canonical, &text, &size);
	if (r < 0) {
		/* No /proc (a chroot, a container): an empty source. */
		return r == -ENOMEM ? r : 0;
	}
	smmu_free(canonical);
	while (pos < size && r == 0) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', size - pos);
		size_t len = nl ? (size_t)(nl - line) : size - pos;
		struct cfg_number_error error;
		uint64_t start, end;
		size_t i = 0, dash, sep;

		pos += len + 1;
		while (i < len && line[i] == ' ') {
			i++;
		}
		dash = i;
		while (dash < len && line[dash] != '-') {
			dash++;
		}
		sep = dash;
		while (sep + 2 < len && memcmp(line + sep, " : ", 3) != 0) {
			sep++;
		}
		if (dash >= len || sep + 3 > len ||
		    cfg_number_parse(line + i, dash - i, CFG_NUMBER_ADDRESS, &start, &error) < 0 ||
		    cfg_number_parse(line + dash + 1, sep - dash - 1, CFG_NUMBER_ADDRESS, &end,
				     &error) < 0 ||
		    end < start || sep + 3 == len) {
			continue;
		}
		any_address = any_address || end != 0;
		r = add_entry(source, line + sep + 3, len - sep - 3, start,
			      end - start == UINT64_MAX ? UINT64_MAX : end - start + 1);
	}
	smmu_free(text);
	/* Without CAP_SYS_ADMIN the kernel shows every range as 0-0. */
	source->addresses_hidden = source->entry_count > 0 && !any_address;
	return r == -E2BIG ? 0 : r;
}

static int load_source(struct cfg_asinfo *asinfo, struct cfg_asinfo_source *source)
{
	if (source->loaded) {
		return source->load_error;
	}
	source->loaded = true;
	switch (source->kind) {
	case CFG_ASINFO_SYSPAGE:
		source->load_error = load_syspage(asinfo, source);
		break;
	case CFG_ASINFO_DEVICETREE:
		source->load_error = load_devicetree(source);
		break;
	case CFG_ASINFO_IOMEM:
		source->load_error = load_iomem(asinfo, source);
		break;
	}
	return source->load_error;
}

int cfg_asinfo_lookup(struct cfg_asinfo *asinfo, const char *name,
		      const struct cfg_asinfo_entry **ret_entry, struct strbuf *why)
{
	for (size_t i = 0; i < asinfo->source_count; i++) {
		struct cfg_asinfo_source *source = &asinfo->sources[i];
		const struct cfg_asinfo_entry *found = NULL;
		size_t matches = 0;
		int r = load_source(asinfo, source);

		if (r == -ENOMEM) {
			return r;
		}
		if (r < 0) {
			strbuf_printf(why, "the %s %s has errors", source_label(source->kind),
				      source->path);
			return -EINVAL;
		}
		for (size_t j = 0; j < source->entry_count; j++) {
			if (strcmp(source->entries[j].name, name) == 0) {
				found = found ? found : &source->entries[j];
				matches++;
			}
		}
		if (matches > 1) {
			strbuf_printf(why,
				      "asinfo name '%s' is ambiguous: the %s %s has it %zu times",
				      name, source_label(source->kind), source->path, matches);
			return -ENOTUNIQ;
		}
		if (matches == 1 && source->addresses_hidden) {
			strbuf_printf(why,
				      "asinfo name '%s' found in %s, but the kernel hides its "
				      "addresses from this user (run as root or use --syspage)",
				      name, source->path);
			return -EACCES;
		}
		if (matches == 1) {
			*ret_entry = found;
			return 0;
		}
	}
	strbuf_printf(why, "no asinfo entry named '%s' (looked in", name);
	for (size_t i = 0; i < asinfo->source_count; i++) {
		const struct cfg_asinfo_source *source = &asinfo->sources[i];

		strbuf_printf(why, "%s the %s %s%s", i ? "," : "", source_label(source->kind),
			      source->path,
			      source->kind == CFG_ASINFO_DEVICETREE ? "/reserved-memory" : "");
	}
	strbuf_puts(why, ")");
	return -ENOENT;
}
