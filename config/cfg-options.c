/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The option keywords of the configuration language and what each does to
 * struct cfg_config.  Options that only make sense once take the last value
 * given; options that describe things (units, devices, allow ranges,
 * permits) accumulate, as QNX smmuman does.
 *
 * Arity: each option has required and optional arguments on the same line.
 * A required argument takes the next word whatever it is (so that `allow
 * device ...` says "'device' is a keyword" instead of "missing name"); an
 * optional one is taken only when the next word is not a keyword or @FILE.
 */
#include "config/cfg-parser.h"

#include <errno.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"

/* The Linux limit on sockaddr_un.sun_path, less the terminating NUL. */
#define UNIX_PATH_MAX_LEN 107
#define NAME_MAX_LEN 63

struct cfg_option {
	const char *keyword;
	uint8_t min_args;
	uint8_t max_args;
	const char *usage;
	/* `args` holds arg_count words; `at` is the keyword. */
	void (*handle)(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
		       struct cfg_word *args, size_t arg_count);
};

/* A comma- or colon-separated piece of a word. */
struct field {
	const char *text;
	size_t len;
	size_t offset; /* into line->text */
};

/* Splits `word` at `sep` into at most max fields; reports too many. */
static int split_fields(struct cfg_parser *p, const struct cfg_line *line,
			const struct cfg_word *word, char sep, struct field *fields, size_t max,
			size_t *ret_count)
{
	size_t count = 0;
	size_t start = 0;

	for (size_t i = 0; i <= word->len; i++) {
		if (i < word->len && word->text[i] != sep) {
			continue;
		}
		if (count == max) {
			cfg_error(p, line, word->offset + start - 1,
				  "too many '%c'-separated fields", sep);
			return -EINVAL;
		}
		fields[count++] =
			(struct field){word->text + start, i - start, word->offset + start};
		start = i + 1;
	}
	*ret_count = count;
	return 0;
}

static int parse_number(struct cfg_parser *p, const struct cfg_line *line,
			const struct field *field, enum cfg_number_kind kind, const char *what,
			uint64_t *ret_value)
{
	struct cfg_number_error error;
	int r = cfg_number_parse(field->text, field->len, kind, ret_value, &error);

	if (r < 0) {
		cfg_error(p, line, field->offset + error.offset, "%s: %s", what, error.message);
	}
	return r;
}

/* Parses fields[0..2) as START,LEN: an address and a non-zero size whose
 * last byte fits in 64 bits. */
static int parse_range(struct cfg_parser *p, const struct cfg_line *line,
		       const struct field *fields, uint64_t *ret_start, uint64_t *ret_size)
{
	uint64_t start, size, last;

	if (parse_number(p, line, &fields[0], CFG_NUMBER_ADDRESS, "start address", &start) < 0 ||
	    parse_number(p, line, &fields[1], CFG_NUMBER_SIZE, "length", &size) < 0) {
		return -EINVAL;
	}
	if (size == 0) {
		cfg_error(p, line, fields[1].offset, "length must not be zero");
		return -EINVAL;
	}
	if (__builtin_add_overflow(start, size - 1, &last)) {
		cfg_error(p, line, fields[1].offset,
			  "range goes past the end of the 64-bit address space");
		return -EINVAL;
	}
	*ret_start = start;
	*ret_size = size;
	return 0;
}

/* Splits a START,LEN word with `extra` more optional fields. */
static int split_range(struct cfg_parser *p, const struct cfg_line *line,
		       const struct cfg_word *word, struct field *fields, size_t extra,
		       size_t *ret_count)
{
	if (split_fields(p, line, word, ',', fields, 2 + extra, ret_count) < 0) {
		return -EINVAL;
	}
	if (*ret_count < 2) {
		cfg_error(p, line, word->offset + word->len, "expected START,LEN");
		return -EINVAL;
	}
	return 0;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

/* Names of allow sets, units, support libraries and platforms. */
static int check_name(struct cfg_parser *p, const struct cfg_line *line,
		      const struct cfg_word *word, const char *what)
{
	if (cfg_is_keyword(word->text)) {
		cfg_error(p, line, word->offset, "'%s' is an option keyword and cannot be %s",
			  word->text, what);
		return -EINVAL;
	}
	if (word->len > NAME_MAX_LEN) {
		cfg_error(p, line, word->offset, "%s is longer than %d characters", what,
			  NAME_MAX_LEN);
		return -EINVAL;
	}
	for (size_t i = 0; i < word->len; i++) {
		if (!is_name_char(word->text[i])) {
			cfg_error(p, line, word->offset + i,
				  "'%c' cannot appear in %s (letters, digits, '_', '-', '.')",
				  word->text[i], what);
			return -EINVAL;
		}
	}
	return 0;
}

static bool set_string(struct cfg_parser *p, char **slot, const char *value)
{
	char *copy = value ? smmu_strdup(value) : NULL;

	if (value && !copy) {
		cfg_oom(p);
		return false;
	}
	smmu_free(*slot);
	*slot = copy;
	return true;
}

/* Records a location: the interned file name outlives the line. */
static struct cfg_loc loc_of(const struct cfg_line *line, const struct cfg_word *word)
{
	return cfg_line_loc(line, word->offset);
}

static struct cfg_device *current_device(struct cfg_parser *p, const struct cfg_line *line,
					 const struct cfg_word *at)
{
	if (p->current_device < 0) {
		cfg_error(p, line, at->offset,
			  "'%s' applies to the current device: put it after a 'device' option",
			  at->text);
		return NULL;
	}
	return &p->cfg->devices[p->current_device];
}

static void handle_debug(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			 struct cfg_word *args, size_t arg_count)
{
	struct field field = {args[0].text, args[0].len, args[0].offset};
	uint64_t level;

	(void)at;
	(void)arg_count;
	if (parse_number(p, line, &field, CFG_NUMBER_DECIMAL, "debug level", &level) < 0) {
		return;
	}
	if (level > 2) {
		cfg_error(p, line, args[0].offset, "debug level must be 0, 1 or 2");
		return;
	}
	p->cfg->debug = (unsigned)level;
	p->cfg->debug_set = true;
}

static void handle_foreground(struct cfg_parser *p, struct cfg_line *line,
			      const struct cfg_word *at, struct cfg_word *args, size_t arg_count)
{
	(void)line;
	(void)at;
	(void)args;
	(void)arg_count;
	p->cfg->foreground = true;
}

static void handle_safety(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			  struct cfg_word *args, size_t arg_count)
{
	static const struct {
		const char *word;
		enum cfg_safety value;
	} levels[] = {
		{"none", CFG_SAFETY_NONE},
		{"warn", CFG_SAFETY_WARN},
		{"required", CFG_SAFETY_REQUIRED},
	};

	(void)at;
	(void)arg_count;
	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		if (strcmp(args[0].text, levels[i].word) == 0) {
			p->cfg->safety = levels[i].value;
			return;
		}
	}
	cfg_error(p, line, args[0].offset, "safety must be none, warn or required");
}

/* `smmu TYPE [PARAMS]` and `platform NAME [PARAMS]`: last one wins. */
static void set_choice(struct cfg_parser *p, struct cfg_line *line, struct cfg_choice *choice,
		       struct cfg_word *args, size_t arg_count, const char *what)
{
	struct cfg_choice next = {.loc = loc_of(line, &args[0])};

	if (check_name(p, line, &args[0], what) < 0) {
		return;
	}
	if (!set_string(p, &next.name, args[0].text) ||
	    (arg_count > 1 && !set_string(p, &next.params, args[1].text))) {
		smmu_free(next.name);
		return;
	}
	smmu_free(choice->name);
	smmu_free(choice->params);
	*choice = next;
}

static void handle_smmu(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			struct cfg_word *args, size_t arg_count)
{
	(void)at;
	set_choice(p, line, &p->cfg->smmu, args, arg_count, "a support library type");
}

static void handle_platform(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			    struct cfg_word *args, size_t arg_count)
{
	(void)at;
	set_choice(p, line, &p->cfg->platform, args, arg_count, "a platform name");
}

static void handle_socket(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			  struct cfg_word *args, size_t arg_count)
{
	(void)at;
	(void)arg_count;
	if (args[0].len > UNIX_PATH_MAX_LEN) {
		cfg_error(p, line, args[0].offset,
			  "socket path is longer than the %d bytes a Unix socket address holds",
			  UNIX_PATH_MAX_LEN);
		return;
	}
	set_string(p, &p->cfg->socket_path, args[0].text);
}

static void handle_libdir(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			  struct cfg_word *args, size_t arg_count)
{
	(void)line;
	(void)at;
	(void)arg_count;
	set_string(p, &p->cfg->libdir, args[0].text);
}

static void handle_unit(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			struct cfg_word *args, size_t arg_count)
{
	struct cfg_config *cfg = p->cfg;
	struct cfg_unit *unit;

	(void)at;
	(void)arg_count;
	if (check_name(p, line, &args[0], "a unit name") < 0) {
		return;
	}
	for (size_t i = 0; i < cfg->unit_count; i++) {
		if (strcmp(cfg->units[i].name, args[0].text) == 0) {
			cfg_error(p, line, args[0].offset, "unit '%s' is already declared at %s:%u",
				  args[0].text, cfg->units[i].loc.file, cfg->units[i].loc.line);
			return;
		}
	}
	unit = cfg_array_push(p, line, at->offset, (void **)&cfg->units, &cfg->unit_count,
			      sizeof(*unit), "units");
	if (!unit) {
		return;
	}
	unit->loc = loc_of(line, &args[0]);
	unit->origin = CFG_ORIGIN_USER;
	if (!set_string(p, &unit->name, args[0].text) ||
	    !set_string(p, &unit->params, args[1].text)) {
		return;
	}
}

/* `pci:[SEG:]BUS:DEV.FUNC`, numbers decimal unless prefixed. */
static int parse_pci_id(struct cfg_parser *p, const struct cfg_line *line,
			const struct cfg_word *word, struct cfg_device_id *ret_id)
{
	static const struct {
		const char *what;
		uint64_t max;
	} limits[] = {
		{"PCI segment", 0xffff},
		{"PCI bus", 255},
		{"PCI device", 31},
		{"PCI function", 7},
	};
	struct cfg_word rest = {word->text + 4, word->len - 4, word->offset + 4};
	struct field parts[3];
	struct field numbers[4];
	struct field devfn[2];
	uint64_t values[4] = {0};
	size_t count, devfn_count, first;

	if (split_fields(p, line, &rest, ':', parts, 3, &count) < 0) {
		return -EINVAL;
	}
	if (count < 2) {
		cfg_error(p, line, word->offset,
			  "PCI device needs bus, device and function: pci:BUS:DEV.FUNC");
		return -EINVAL;
	}
	{
		struct cfg_word last = {(char *)parts[count - 1].text, parts[count - 1].len,
					parts[count - 1].offset};

		if (split_fields(p, line, &last, '.', devfn, 2, &devfn_count) < 0) {
			return -EINVAL;
		}
		if (devfn_count != 2) {
			cfg_error(p, line, last.offset + last.len,
				  "expected DEV.FUNC after the bus: pci:BUS:DEV.FUNC");
			return -EINVAL;
		}
	}
	/* With a segment the fields are SEG, BUS, DEV, FUNC; without, BUS, DEV, FUNC. */
	first = count == 3 ? 0 : 1;
	if (count == 3) {
		numbers[0] = parts[0];
	}
	numbers[1] = parts[count - 2];
	numbers[2] = devfn[0];
	numbers[3] = devfn[1];
	for (size_t i = first; i < 4; i++) {
		if (parse_number(p, line, &numbers[i], CFG_NUMBER_DECIMAL, limits[i].what,
				 &values[i]) < 0) {
			return -EINVAL;
		}
		if (values[i] > limits[i].max) {
			cfg_error(p, line, numbers[i].offset, "%s must be at most %llu",
				  limits[i].what, (unsigned long long)limits[i].max);
			return -EINVAL;
		}
	}
	*ret_id = (struct cfg_device_id){.kind = CFG_DEVICE_PCI};
	ret_id->pci.segment = (uint16_t)values[0];
	ret_id->pci.bus = (uint8_t)values[1];
	ret_id->pci.dev = (uint8_t)values[2];
	ret_id->pci.func = (uint8_t)values[3];
	return 0;
}

/* `mem:PADDR[,LEN]`: an MMIO device named by its register base. */
static int parse_mem_id(struct cfg_parser *p, const struct cfg_line *line,
			const struct cfg_word *word, struct cfg_device_id *ret_id)
{
	struct cfg_word rest = {word->text + 4, word->len - 4, word->offset + 4};
	struct field fields[2];
	uint64_t paddr, size = 0;
	size_t count;

	if (split_fields(p, line, &rest, ',', fields, 2, &count) < 0) {
		return -EINVAL;
	}
	if (count == 2) {
		if (parse_range(p, line, fields, &paddr, &size) < 0) {
			return -EINVAL;
		}
	} else if (parse_number(p, line, &fields[0], CFG_NUMBER_ADDRESS, "device address", &paddr) <
		   0) {
		return -EINVAL;
	}
	*ret_id = (struct cfg_device_id){.kind = CFG_DEVICE_MEM};
	ret_id->mem.paddr = paddr;
	ret_id->mem.size = size;
	return 0;
}

static int parse_device_id(struct cfg_parser *p, const struct cfg_line *line,
			   const struct cfg_word *word, struct cfg_device_id *ret_id)
{
	if (strncmp(word->text, "pci:", 4) == 0) {
		return parse_pci_id(p, line, word, ret_id);
	}
	if (strncmp(word->text, "mem:", 4) == 0) {
		return parse_mem_id(p, line, word, ret_id);
	}
	cfg_error(p, line, word->offset,
		  "unknown device '%s': use pci:BUS:DEV.FUNC, pci:SEG:BUS:DEV.FUNC or "
		  "mem:PADDR[,LEN]",
		  word->text);
	return -EINVAL;
}

static bool same_device(const struct cfg_device_id *a, const struct cfg_device_id *b)
{
	if (a->kind != b->kind) {
		return false;
	}
	if (a->kind == CFG_DEVICE_PCI) {
		return a->pci.segment == b->pci.segment && a->pci.bus == b->pci.bus &&
		       a->pci.dev == b->pci.dev && a->pci.func == b->pci.func;
	}
	return a->mem.paddr == b->mem.paddr;
}

/* Finds or adds the device; naming a device again makes it current again. */
static ssize_t find_or_add_device(struct cfg_parser *p, const struct cfg_line *line,
				  const struct cfg_word *word, const struct cfg_device_id *id)
{
	struct cfg_config *cfg = p->cfg;
	struct cfg_device *device;

	for (size_t i = 0; i < cfg->device_count; i++) {
		struct cfg_device *existing = &cfg->devices[i];

		if (!same_device(&existing->id, id)) {
			continue;
		}
		if (id->kind == CFG_DEVICE_MEM && id->mem.size &&
		    id->mem.size != existing->id.mem.size) {
			if (existing->id.mem.size) {
				cfg_error(p, line, word->offset,
					  "this device was given another length at %s:%u",
					  existing->loc.file, existing->loc.line);
				return -EINVAL;
			}
			existing->id.mem.size = id->mem.size;
		}
		return (ssize_t)i;
	}
	device = cfg_array_push(p, line, word->offset, (void **)&cfg->devices, &cfg->device_count,
				sizeof(*device), "devices");
	if (!device) {
		return -EINVAL;
	}
	device->id = *id;
	device->loc = loc_of(line, word);
	device->origin = CFG_ORIGIN_USER;
	return (ssize_t)(cfg->device_count - 1);
}

static void handle_device(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			  struct cfg_word *args, size_t arg_count)
{
	struct cfg_device_id id;
	struct cfg_device *device;
	struct cfg_allow_ref *ref;
	ssize_t index;

	(void)at;
	/* A bad device line leaves no current device, so that the `use` and
	 * `reserved` lines after it do not land on the previous one. */
	p->current_device = -1;
	if (parse_device_id(p, line, &args[0], &id) < 0) {
		return;
	}
	if (arg_count > 1 && check_name(p, line, &args[1], "an allow set name") < 0) {
		return;
	}
	index = find_or_add_device(p, line, &args[0], &id);
	if (index < 0) {
		return;
	}
	p->current_device = index;
	if (arg_count < 2) {
		return;
	}
	device = &p->cfg->devices[index];
	for (size_t i = 0; i < device->allow_ref_count; i++) {
		if (strcmp(device->allow_refs[i].name, args[1].text) == 0) {
			return;
		}
	}
	ref = cfg_array_push(p, line, args[1].offset, (void **)&device->allow_refs,
			     &device->allow_ref_count, sizeof(*ref), "allow sets of a device");
	if (!ref) {
		return;
	}
	ref->loc = loc_of(line, &args[1]);
	set_string(p, &ref->name, args[1].text);
}

static void handle_use(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
		       struct cfg_word *args, size_t arg_count)
{
	struct cfg_device *device = current_device(p, line, at);
	const char *param = arg_count > 1 ? args[1].text : NULL;
	struct cfg_use *use;

	if (!device || check_name(p, line, &args[0], "a unit name") < 0) {
		return;
	}
	for (size_t i = 0; i < device->use_count; i++) {
		const struct cfg_use *old = &device->uses[i];

		if (strcmp(old->unit, args[0].text) == 0 &&
		    ((!old->param && !param) ||
		     (old->param && param && strcmp(old->param, param) == 0))) {
			return;
		}
	}
	use = cfg_array_push(p, line, at->offset, (void **)&device->uses, &device->use_count,
			     sizeof(*use), "units of a device");
	if (!use) {
		return;
	}
	use->loc = loc_of(line, &args[0]);
	use->origin = CFG_ORIGIN_USER;
	if (set_string(p, &use->unit, args[0].text) && param) {
		set_string(p, &use->param, param);
	}
}

static void handle_reserved(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			    struct cfg_word *args, size_t arg_count)
{
	struct cfg_device *device = current_device(p, line, at);
	struct field fields[2];
	struct cfg_range *range;
	uint64_t start, size;
	size_t count;

	(void)arg_count;
	if (!device || split_range(p, line, &args[0], fields, 0, &count) < 0 ||
	    parse_range(p, line, fields, &start, &size) < 0) {
		return;
	}
	for (size_t i = 0; i < device->reserved_count; i++) {
		if (device->reserved[i].start == start && device->reserved[i].size == size) {
			return;
		}
	}
	range = cfg_array_push(p, line, at->offset, (void **)&device->reserved,
			       &device->reserved_count, sizeof(*range), "reserved regions");
	if (range) {
		*range = (struct cfg_range){start, size, loc_of(line, &args[0]), CFG_ORIGIN_USER};
	}
}

static int parse_perms(struct cfg_parser *p, const struct cfg_line *line, const struct field *field,
		       unsigned *ret_perms)
{
	unsigned perms = 0;

	if (field->len == 0) {
		cfg_error(p, line, field->offset,
			  "empty permissions: use s (device reads), t (device writes) or st");
		return -EINVAL;
	}
	for (size_t i = 0; i < field->len; i++) {
		unsigned bit = field->text[i] == 's'   ? CFG_PERM_SOURCE
			       : field->text[i] == 't' ? CFG_PERM_TARGET
						       : 0;

		if (!bit) {
			cfg_error(p, line, field->offset + i,
				  "unknown permission '%c': use s (device reads), t (device "
				  "writes) or st",
				  field->text[i]);
			return -EINVAL;
		}
		if (perms & bit) {
			cfg_error(p, line, field->offset + i, "permission '%c' given twice",
				  field->text[i]);
			return -EINVAL;
		}
		perms |= bit;
	}
	*ret_perms = perms;
	return 0;
}

static void handle_allow(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			 struct cfg_word *args, size_t arg_count)
{
	struct cfg_config *cfg = p->cfg;
	unsigned perms = CFG_PERM_BOTH;
	struct field fields[3];
	struct cfg_allow *allow;
	uint64_t start, size;
	size_t count;

	(void)arg_count;
	if (check_name(p, line, &args[0], "an allow set name") < 0 ||
	    split_range(p, line, &args[1], fields, 1, &count) < 0 ||
	    parse_range(p, line, fields, &start, &size) < 0 ||
	    (count == 3 && parse_perms(p, line, &fields[2], &perms) < 0)) {
		return;
	}
	allow = cfg_array_push(p, line, at->offset, (void **)&cfg->allows, &cfg->allow_count,
			       sizeof(*allow), "allow ranges");
	if (!allow) {
		return;
	}
	*allow = (struct cfg_allow){
		.start = start,
		.size = size,
		.perms = perms,
		.loc = loc_of(line, &args[0]),
		.origin = CFG_ORIGIN_USER,
	};
	set_string(p, &allow->name, args[0].text);
}

static int parse_principal(struct cfg_parser *p, const struct cfg_line *line,
			   const struct field *field, struct cfg_permit *ret)
{
	static const struct {
		const char *prefix;
		enum cfg_principal_kind kind;
	} kinds[] = {
		{"uid:", CFG_PRINCIPAL_UID},
		{"gid:", CFG_PRINCIPAL_GID},
		{"user:", CFG_PRINCIPAL_USER},
		{"group:", CFG_PRINCIPAL_GROUP},
	};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t plen = strlen(kinds[i].prefix);
		struct field value = {field->text + plen, field->len - plen, field->offset + plen};
		uint64_t id;

		if (field->len < plen || memcmp(field->text, kinds[i].prefix, plen) != 0) {
			continue;
		}
		ret->kind = kinds[i].kind;
		if (ret->kind == CFG_PRINCIPAL_UID || ret->kind == CFG_PRINCIPAL_GID) {
			if (parse_number(p, line, &value, CFG_NUMBER_DECIMAL, "id", &id) < 0) {
				return -EINVAL;
			}
			if (id >= UINT32_MAX) {
				cfg_error(p, line, value.offset, "id must be below 4294967295");
				return -EINVAL;
			}
			ret->id = (uint32_t)id;
			return 0;
		}
		for (size_t j = 0; j < value.len; j++) {
			if (!is_name_char(value.text[j])) {
				cfg_error(p, line, value.offset + j,
					  "'%c' cannot appear in a user or group name",
					  value.text[j]);
				return -EINVAL;
			}
		}
		if (value.len == 0 || value.len > NAME_MAX_LEN) {
			cfg_error(p, line, value.offset, "bad user or group name");
			return -EINVAL;
		}
		ret->name = smmu_strndup(value.text, value.len);
		return ret->name ? 0 : cfg_oom(p);
	}
	cfg_error(p, line, field->offset, "expected uid:N, gid:N, user:NAME or group:NAME");
	return -EINVAL;
}

static bool same_permit(const struct cfg_permit *a, const struct cfg_permit *b)
{
	if (a->ability != b->ability || a->kind != b->kind) {
		return false;
	}
	if (a->kind == CFG_PRINCIPAL_UID || a->kind == CFG_PRINCIPAL_GID) {
		return a->id == b->id;
	}
	return strcmp(a->name, b->name) == 0;
}

/* `permit ABILITY[:ABILITY] WHO[,WHO...]`: one record per ability and
 * principal, duplicates dropped. */
static void handle_permit(struct cfg_parser *p, struct cfg_line *line, const struct cfg_word *at,
			  struct cfg_word *args, size_t arg_count)
{
	struct cfg_config *cfg = p->cfg;
	struct field abilities[CFG_ABILITY_COUNT];
	struct field who[16];
	bool wanted[CFG_ABILITY_COUNT] = {false};
	size_t ability_count, who_count;

	(void)at;
	(void)arg_count;
	if (split_fields(p, line, &args[0], ':', abilities, ARRAY_SIZE(abilities), &ability_count) <
		    0 ||
	    split_fields(p, line, &args[1], ',', who, ARRAY_SIZE(who), &who_count) < 0) {
		return;
	}
	for (size_t i = 0; i < ability_count; i++) {
		if (abilities[i].len == 6 && memcmp(abilities[i].text, "attach", 6) == 0) {
			wanted[CFG_ABILITY_ATTACH] = true;
		} else if (abilities[i].len == 6 && memcmp(abilities[i].text, "target", 6) == 0) {
			wanted[CFG_ABILITY_TARGET] = true;
		} else {
			cfg_error(p, line, abilities[i].offset,
				  "unknown ability: use attach, target or attach:target");
			return;
		}
	}
	for (size_t w = 0; w < who_count; w++) {
		struct cfg_permit principal = {.loc = cfg_line_loc(line, who[w].offset)};

		if (parse_principal(p, line, &who[w], &principal) < 0) {
			return;
		}
		for (unsigned a = 0; a < CFG_ABILITY_COUNT; a++) {
			struct cfg_permit *permit;
			bool duplicate = false;

			principal.ability = (enum cfg_ability)a;
			for (size_t i = 0; wanted[a] && i < cfg->permit_count; i++) {
				duplicate = duplicate || same_permit(&cfg->permits[i], &principal);
			}
			if (!wanted[a] || duplicate) {
				continue;
			}
			permit = cfg_array_push(p, line, who[w].offset, (void **)&cfg->permits,
						&cfg->permit_count, sizeof(*permit), "permits");
			if (!permit) {
				break;
			}
			*permit = principal;
			permit->name = NULL; /* each record owns its own copy */
			if (principal.name && !set_string(p, &permit->name, principal.name)) {
				break;
			}
		}
		smmu_free(principal.name);
	}
}

static const struct cfg_option options[] = {
	{"allow", 2, 2, "allow NAME START,LEN[,PERMS]", handle_allow},
	{"debug", 1, 1, "debug LEVEL", handle_debug},
	{"device", 1, 2, "device SPEC [ALLOW_NAME]", handle_device},
	{"foreground", 0, 0, "foreground", handle_foreground},
	{"libdir", 1, 1, "libdir DIRECTORY", handle_libdir},
	{"permit", 2, 2, "permit ABILITY[:ABILITY] WHO[,WHO...]", handle_permit},
	{"platform", 1, 2, "platform NAME [PARAMS]", handle_platform},
	{"reserved", 1, 1, "reserved START,LEN", handle_reserved},
	{"safety", 1, 1, "safety none|warn|required", handle_safety},
	{"smmu", 1, 2, "smmu TYPE [PARAMS]", handle_smmu},
	{"socket", 1, 1, "socket PATH", handle_socket},
	{"unit", 2, 2, "unit NAME PARAMS", handle_unit},
	{"use", 1, 2, "use UNIT [PARAM]", handle_use},
};

static const struct cfg_option *find_option(const char *word)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		if (strcmp(options[i].keyword, word) == 0) {
			return &options[i];
		}
	}
	return NULL;
}

bool cfg_is_keyword(const char *word)
{
	return find_option(word) != NULL;
}

void cfg_options_run(struct cfg_parser *p, struct cfg_line *line, struct cfg_word *words,
		     size_t count)
{
	size_t i = 0;

	while (i < count && !p->stopped) {
		const struct cfg_word *at = &words[i];
		const struct cfg_option *option;
		size_t arg_count = 0;

		if (at->text[0] == '@') {
			cfg_include(p, line, at);
			i++;
			continue;
		}
		option = find_option(at->text);
		if (!option) {
			/* Without the keyword the arity is unknown: skip the line. */
			cfg_error(p, line, at->offset, "unknown option '%s'", at->text);
			return;
		}
		while (arg_count < option->min_args && i + 1 + arg_count < count &&
		       words[i + 1 + arg_count].text[0] != '@') {
			arg_count++;
		}
		if (arg_count < option->min_args) {
			const struct cfg_word *last = &words[i + arg_count];

			cfg_error(p, line, last->offset + last->len, "missing argument: %s",
				  option->usage);
			i += 1 + arg_count;
			continue;
		}
		while (arg_count < option->max_args && i + 1 + arg_count < count &&
		       words[i + 1 + arg_count].text[0] != '@' &&
		       !cfg_is_keyword(words[i + 1 + arg_count].text)) {
			arg_count++;
		}
		option->handle(p, line, at, &words[i + 1], arg_count);
		i += 1 + arg_count;
	}
}

static bool allow_set_exists(const struct cfg_config *cfg, const char *name)
{
	return cfg_allow_next(cfg, name, 0) < cfg->allow_count;
}

void cfg_options_finish(struct cfg_parser *p)
{
	const struct cfg_config *cfg = p->cfg;

	for (size_t d = 0; d < cfg->device_count; d++) {
		const struct cfg_device *device = &cfg->devices[d];

		for (size_t r = 0; r < device->allow_ref_count; r++) {
			const struct cfg_allow_ref *ref = &device->allow_refs[r];

			if (!allow_set_exists(cfg, ref->name)) {
				cfg_error_loc(p, &ref->loc,
					      "no 'allow %s ...' option defines this set",
					      ref->name);
			}
		}
	}
	for (size_t a = 0; a < cfg->allow_count; a++) {
		const struct cfg_allow *allow = &cfg->allows[a];
		bool used = false;

		if (cfg_allow_next(cfg, allow->name, 0) != a) {
			continue; /* warn once per set, at its first range */
		}
		for (size_t d = 0; d < cfg->device_count && !used; d++) {
			for (size_t r = 0; r < cfg->devices[d].allow_ref_count; r++) {
				used = used ||
				       strcmp(cfg->devices[d].allow_refs[r].name, allow->name) == 0;
			}
		}
		if (!used) {
			cfg_warning_loc(p, &allow->loc,
					"allow set '%s' is given to no device (add 'device SPEC "
					"%s')",
					allow->name, allow->name);
		}
	}
}
