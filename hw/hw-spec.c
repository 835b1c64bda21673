/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Parser of provider spec strings (grammar in hw.h).  The text comes from a command line or
 * a configuration file, so every malformed spec is an error with a sentence that quotes the
 * offending field; nothing is opened here.
 */
#include "hw/hw-spec.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "common/alloc.h"
#include "common/compiler.h"
#include "common/strbuf.h"

/* Page size of IOMMU table memory: the table range must be whole 4 KiB pages. */
#define HW_SPEC_TABLE_PAGE 4096u

/* One PCIe bus occupies 1 MiB of ECAM (PCIe 6.0 §7.2.2, Table 7-1). */
#define HW_SPEC_ECAM_BUS_SIZE (1u << 20)

SMMU_PRINTF(2, 3) static int spec_fail(struct strbuf *why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		strbuf_vprintf(why, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/**
 * hw_parse_u64() - a number as the spec grammar writes it: 0x... hexadecimal or decimal, then
 * an optional K, M, G or T multiplying by a power of 1024.  The whole text must be the number.
 * Return: 0, -EINVAL (not a number), -ERANGE (does not fit 64 bits).
 */
int hw_parse_u64(const char *text, uint64_t *ret_value)
{
	const char *p = text;
	unsigned base = 10;
	uint64_t value = 0;
	size_t digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++, digits++) {
		unsigned d;

		if (*p >= '0' && *p <= '9') {
			d = (unsigned)(*p - '0');
		} else if (base == 16 && *p >= 'a' && *p <= 'f') {
			d = (unsigned)(*p - 'a' + 10);
		} else if (base == 16 && *p >= 'A' && *p <= 'F') {
			d = (unsigned)(*p - 'A' + 10);
		} else {
			break;
		}
		if (__builtin_mul_overflow(value, base, &value) ||
		    __builtin_add_overflow(value, d, &value)) {
			return -ERANGE;
		}
	}
	if (digits == 0) {
		return -EINVAL;
	}
	unsigned shift = 0;

	switch (*p) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	default:
		break;
	}
	if (shift) {
		p++;
		if (value > (UINT64_MAX >> shift)) {
			return -ERANGE;
		}
		value <<= shift;
	}
	if (*p != '\0') {
		return -EINVAL;
	}
	*ret_value = value;
	return 0;
}

static int parse_number(const char *key, const char *text, uint64_t *ret_value, struct strbuf *why)
{
	int r = hw_parse_u64(text, ret_value);

	if (r == -ERANGE) {
		return spec_fail(why, "%s=%s: the number does not fit in 64 bits", key, text);
	}
	if (r < 0) {
		return spec_fail(why,
				 "%s=%s: not a number (write 0x... or decimal, optionally followed "
				 "by K, M, G or T)",
				 key, text);
	}
	return 0;
}

enum spec_key {
	KEY_MEM,
	KEY_SYSFS,
	KEY_RAM_BASE,
	KEY_RAM_SIZE,
	KEY_ECAM,
	KEY_TABLES,
	KEY_COUNT,
};

struct spec_key_info {
	const char *name;
	unsigned providers; /* bit per enum hw_provider */
};

#define FOR_QTEST (1u << HW_PROVIDER_QTEST)
#define FOR_DEVMEM (1u << HW_PROVIDER_DEVMEM)

static const struct spec_key_info spec_keys[KEY_COUNT] = {
	[KEY_MEM] = {"mem", FOR_QTEST | FOR_DEVMEM},
	[KEY_SYSFS] = {"sysfs", FOR_DEVMEM},
	[KEY_RAM_BASE] = {"ram-base", FOR_QTEST},
	[KEY_RAM_SIZE] = {"ram-size", FOR_QTEST},
	[KEY_ECAM] = {"ecam", FOR_QTEST},
	[KEY_TABLES] = {"tables", FOR_QTEST | FOR_DEVMEM},
};

static const char *const provider_keys[] = {
	[HW_PROVIDER_QTEST] = "mem, ram-base, ram-size, ecam, tables",
	[HW_PROVIDER_DEVMEM] = "mem, sysfs, tables",
};

static int key_lookup(const char *name, size_t len)
{
	for (int k = 0; k < KEY_COUNT; k++) {
		if (strlen(spec_keys[k].name) == len && memcmp(spec_keys[k].name, name, len) == 0) {
			return k;
		}
	}
	return -1;
}

/* A path value: non-empty; the spec's separators cannot appear in it by construction. */
static int take_path(const char *key, const char *value, char **ret_path, struct strbuf *why)
{
	if (value[0] == '\0') {
		return spec_fail(why, "%s= needs a path", key);
	}
	char *copy = smmu_strdup(value);

	if (!copy) {
		return -ENOMEM;
	}
	smmu_free(*ret_path);
	*ret_path = copy;
	return 0;
}

static int check_tables(const struct hw_spec *s, struct strbuf *why)
{
	uint64_t end;

	if (s->tables_size == 0) {
		return spec_fail(why, "tables=: the size is 0");
	}
	if (__builtin_add_overflow(s->tables_pa, s->tables_size, &end)) {
		return spec_fail(why, "tables=0x%llx,0x%llx runs past the end of the address space",
				 (unsigned long long)s->tables_pa,
				 (unsigned long long)s->tables_size);
	}
	if (s->tables_pa % HW_SPEC_TABLE_PAGE || s->tables_size % HW_SPEC_TABLE_PAGE) {
		return spec_fail(why,
				 "tables=0x%llx,0x%llx: start and size must be multiples of 4 KiB "
				 "(tables are whole pages)",
				 (unsigned long long)s->tables_pa,
				 (unsigned long long)s->tables_size);
	}
	return 0;
}

static int check_spec(const struct hw_spec *s, const bool *seen, struct strbuf *why)
{
	if (seen[KEY_TABLES]) {
		int r = check_tables(s, why);

		if (r < 0) {
			return r;
		}
	}
	if (s->provider != HW_PROVIDER_QTEST) {
		return 0;
	}
	if ((seen[KEY_RAM_BASE] || seen[KEY_RAM_SIZE]) && !seen[KEY_MEM]) {
		return spec_fail(why, "ram-base= and ram-size= describe the mem= file, which is "
				      "missing");
	}
	if (seen[KEY_RAM_SIZE]) {
		uint64_t end;

		if (s->ram_size == 0) {
			return spec_fail(why, "ram-size=0: the window would be empty");
		}
		if (__builtin_add_overflow(s->ram_base, s->ram_size, &end)) {
			return spec_fail(why,
					 "ram-base + ram-size runs past the end of the address "
					 "space");
		}
	}
	if (seen[KEY_ECAM] && s->ecam_base % HW_SPEC_ECAM_BUS_SIZE) {
		return spec_fail(why, "ecam=0x%llx is not a multiple of 1 MiB (one bus's worth)",
				 (unsigned long long)s->ecam_base);
	}
	return 0;
}

/* Applies one KEY=VALUE field; `second` is the next field for two-valued keys. */
static int apply_field(struct hw_spec *s, int key, const char *value, const char *second,
		       struct strbuf *why)
{
	const char *name = spec_keys[key].name;

	switch ((enum spec_key)key) {
	case KEY_MEM:
		return take_path(name, value, &s->mem_path, why);
	case KEY_SYSFS:
		return take_path(name, value, &s->sysfs_path, why);
	case KEY_RAM_BASE:
		return parse_number(name, value, &s->ram_base, why);
	case KEY_RAM_SIZE:
		s->has_ram_size = true;
		return parse_number(name, value, &s->ram_size, why);
	case KEY_ECAM:
		s->has_ecam = true;
		return parse_number(name, value, &s->ecam_base, why);
	case KEY_TABLES: {
		int r = parse_number(name, value, &s->tables_pa, why);

		if (r < 0) {
			return r;
		}
		s->has_tables = true;
		return parse_number(name, second, &s->tables_size, why);
	}
	case KEY_COUNT:
		break;
	}
	return spec_fail(why, "internal error: key %d", key);
}

static int parse_fields(struct hw_spec *s, char *fields, struct strbuf *why)
{
	bool seen[KEY_COUNT] = {false};
	char *save = NULL;
	char *field = fields ? strtok_r(fields, ",", &save) : NULL;

	if (s->provider == HW_PROVIDER_QTEST) {
		if (!field || strchr(field, '=')) {
			return spec_fail(why,
					 "qtest: the first field must be the socket path, as in "
					 "qtest:/path/to/qtest.sock");
		}
		int r = take_path("socket", field, &s->socket_path, why);

		if (r < 0) {
			return r;
		}
		field = strtok_r(NULL, ",", &save);
	}
	for (; field; field = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(field, '=');

		if (!eq) {
			return spec_fail(why, "\"%s\" is not KEY=VALUE", field);
		}
		int key = key_lookup(field, (size_t)(eq - field));

		*eq = '\0';
		if (key < 0 || !(spec_keys[key].providers & (1u << s->provider))) {
			return spec_fail(why, "unknown key \"%s\" (this provider knows: %s)", field,
					 provider_keys[s->provider]);
		}
		if (seen[key]) {
			return spec_fail(why, "%s= given twice", field);
		}
		seen[key] = true;
		const char *second = NULL;

		if (key == KEY_TABLES) {
			second = strtok_r(NULL, ",", &save);
			if (!second || strchr(second, '=')) {
				return spec_fail(why, "tables= takes two values: tables=ADDR,SIZE");
			}
		}
		int r = apply_field(s, key, eq + 1, second, why);

		if (r < 0) {
			return r;
		}
	}
	return check_spec(s, seen, why);
}

static int set_default_path(char **path, const char *value)
{
	if (*path) {
		return 0;
	}
	*path = smmu_strdup(value);
	return *path ? 0 : -ENOMEM;
}

/**
 * hw_spec_parse() - parse a provider spec (grammar in hw.h) into *ret_spec.
 * Return: 0; -EINVAL with a sentence in `why` (may be NULL) for a malformed spec; -ENOMEM.
 * On failure *ret_spec is untouched.
 */
int hw_spec_parse(const char *text, struct hw_spec *ret_spec, struct strbuf *why)
{
	struct hw_spec s = {0};
	size_t len = text ? strnlen(text, HW_SPEC_MAX_LEN + 1) : 0;
	int r;

	if (len == 0) {
		return spec_fail(why, "the hardware spec is empty (expected qtest:SOCKET,... or "
				      "devmem:...)");
	}
	if (len > HW_SPEC_MAX_LEN) {
		return spec_fail(why, "the hardware spec is longer than %d bytes", HW_SPEC_MAX_LEN);
	}
	char *copy = smmu_strdup(text);

	if (!copy) {
		return -ENOMEM;
	}
	char *colon = strchr(copy, ':');
	char *fields = NULL;

	if (colon) {
		*colon = '\0';
		fields = colon + 1;
	}
	if (strcmp(copy, "qtest") == 0) {
		s.provider = HW_PROVIDER_QTEST;
	} else if (strcmp(copy, "devmem") == 0) {
		s.provider = HW_PROVIDER_DEVMEM;
	} else {
		r = spec_fail(why, "unknown hardware provider \"%.64s\" (known: qtest, devmem)",
			      copy);
		goto err_free_copy;
	}
	if (fields && (fields[0] == ',' || strstr(fields, ",,") ||
		       (fields[0] && fields[strlen(fields) - 1] == ','))) {
		r = spec_fail(why, "empty field in \"%s\"", fields);
		goto err_free_copy;
	}
	r = parse_fields(&s, fields, why);
	if (r < 0) {
		goto err_free_spec;
	}
	if (s.provider == HW_PROVIDER_DEVMEM) {
		r = set_default_path(&s.mem_path, "/dev/mem");
		if (r == 0) {
			r = set_default_path(&s.sysfs_path, "/sys/bus/pci/devices");
		}
		if (r < 0) {
			goto err_free_spec;
		}
	}
	smmu_free(copy);
	*ret_spec = s;
	return 0;

err_free_spec:
	hw_spec_fini(&s);
err_free_copy:
	smmu_free(copy);
	return r;
}

/** hw_spec_fini() - free the strings of a parsed spec.  Accepts a zeroed spec. */
void hw_spec_fini(struct hw_spec *spec)
{
	smmu_free(spec->socket_path);
	smmu_free(spec->mem_path);
	smmu_free(spec->sysfs_path);
	*spec = (struct hw_spec){0};
}
