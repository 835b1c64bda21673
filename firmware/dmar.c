/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The DMAR decoder.  It walks the table twice: the first walk validates
 * every length and counts structures and scopes, the second fills arrays
 * allocated to exactly those counts.  So a malformed table is refused before
 * anything is allocated, and allocation failure is only possible between the
 * walks.  Nothing here is trusted: each field is read only after the length
 * that covers it has been checked against the end of its structure, and each
 * structure's length against the end of the table.
 */
#include "dmar.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "common/alloc.h"
#include "common/limits.h"
#include "firmware/fw-bytes.h"
#include "firmware/fw-walk.h"

/* 4 KiB: the granule of VT-d register sets (§10.4) and of RMRR bounds (§8.4). */
#define DMAR_PAGE_SIZE 4096u

struct dmar_walk {
	const uint8_t *table;
	uint32_t length;   /* of the table: the header's length field */
	struct fw_dmar *d; /* counts always; arrays written when `fill` */
	bool fill;
	struct fw_error *err;
};

/* Fixed part of each known structure type, indexed by type. */
static const uint16_t dmar_fixed_size[] = {
	[DMAR_TYPE_DRHD] = DMAR_DRHD_FIXED_SIZE, [DMAR_TYPE_RMRR] = DMAR_RMRR_FIXED_SIZE,
	[DMAR_TYPE_ATSR] = DMAR_ATSR_FIXED_SIZE, [DMAR_TYPE_RHSA] = DMAR_RHSA_FIXED_SIZE,
	[DMAR_TYPE_ANDD] = DMAR_ANDD_FIXED_SIZE, [DMAR_TYPE_SATC] = DMAR_SATC_FIXED_SIZE,
	[DMAR_TYPE_SIDP] = DMAR_SIDP_FIXED_SIZE,
};

static const char *const dmar_type_names[] = {
	[DMAR_TYPE_DRHD] = "DRHD", [DMAR_TYPE_RMRR] = "RMRR", [DMAR_TYPE_ATSR] = "ATSR",
	[DMAR_TYPE_RHSA] = "RHSA", [DMAR_TYPE_ANDD] = "ANDD", [DMAR_TYPE_SATC] = "SATC",
	[DMAR_TYPE_SIDP] = "SIDP",
};

static const char *const dmar_scope_type_names[] = {
	[DMAR_SCOPE_TYPE_PCI_ENDPOINT] = "PCI Endpoint Device",
	[DMAR_SCOPE_TYPE_PCI_SUB_HIERARCHY] = "PCI Sub-hierarchy",
	[DMAR_SCOPE_TYPE_IOAPIC] = "IOAPIC",
	[DMAR_SCOPE_TYPE_HPET] = "MSI-capable HPET",
	[DMAR_SCOPE_TYPE_ACPI_NAMESPACE] = "ACPI Namespace Device",
};

/* Returns the name of a remapping structure type, "unknown" for types after SIDP. */
const char *fw_dmar_type_name(uint16_t type)
{
	return type < ARRAY_SIZE(dmar_type_names) ? dmar_type_names[type] : "unknown";
}

/* Returns the name of a device scope type, "reserved" for 0 and types after 5. */
const char *fw_dmar_scope_type_name(uint8_t type)
{
	if (type < ARRAY_SIZE(dmar_scope_type_names) && dmar_scope_type_names[type]) {
		return dmar_scope_type_names[type];
	}
	return "reserved";
}

/*
 * Decodes the device scopes in [pos, end) of the structure at `struct_off`
 * and records where they are in *ret_range.
 */
static int dmar_walk_scopes(struct dmar_walk *w, uint32_t struct_off, uint32_t pos, uint32_t end,
			    struct fw_dmar_scope_range *ret_range)
{
	const char *name = fw_dmar_type_name(fw_get_le16(w->table + struct_off));
	struct fw_dmar_scope_range range = {.first = (uint32_t)w->d->scope_count};

	while (pos < end) {
		const uint8_t *s = w->table + pos;
		uint32_t left = end - pos;
		uint8_t length;
		size_t path_count;

		if (left < DMAR_SCOPE_HEADER_SIZE) {
			fw_error_set(w->err, pos,
				     "device scope header needs %d bytes, the %s at offset %u has "
				     "%u left",
				     DMAR_SCOPE_HEADER_SIZE, name, struct_off, left);
			return -EINVAL;
		}
		length = s[DMAR_SCOPE_LENGTH];
		if (length < DMAR_SCOPE_HEADER_SIZE + DMAR_SCOPE_PATH_ENTRY_SIZE) {
			fw_error_set(w->err, pos,
				     "device scope length %u is less than %d (header and one path "
				     "entry)",
				     length, DMAR_SCOPE_HEADER_SIZE + DMAR_SCOPE_PATH_ENTRY_SIZE);
			return -EINVAL;
		}
		if (length > left) {
			fw_error_set(w->err, pos,
				     "device scope length %u runs past the end of the %s at offset "
				     "%u (%u bytes left)",
				     length, name, struct_off, left);
			return -EINVAL;
		}
		if ((length - DMAR_SCOPE_HEADER_SIZE) % DMAR_SCOPE_PATH_ENTRY_SIZE != 0) {
			fw_error_set(w->err, pos, "device scope length %u leaves half a path entry",
				     length);
			return -EINVAL;
		}
		path_count = (length - DMAR_SCOPE_HEADER_SIZE) / DMAR_SCOPE_PATH_ENTRY_SIZE;
		if (path_count > SMMU_FW_DMAR_MAX_PATH) {
			fw_error_set(w->err, pos,
				     "device scope path of %zu entries exceeds the limit of %d",
				     path_count, SMMU_FW_DMAR_MAX_PATH);
			return -EINVAL;
		}
		if (w->d->scope_count >= SMMU_FW_DMAR_MAX_SCOPES) {
			fw_error_set(w->err, pos, "more than %d device scopes in the table",
				     SMMU_FW_DMAR_MAX_SCOPES);
			return -EINVAL;
		}
		if (w->fill) {
			struct fw_dmar_scope *scope = &w->d->scopes[w->d->scope_count];

			memset(scope, 0, sizeof(*scope));
			scope->offset = pos;
			scope->type = s[DMAR_SCOPE_TYPE];
			scope->length = length;
			scope->flags = s[DMAR_SCOPE_FLAGS];
			scope->enumeration_id = s[DMAR_SCOPE_ENUMERATION_ID];
			scope->start_bus = s[DMAR_SCOPE_START_BUS];
			scope->path_count = (uint8_t)path_count;
			for (size_t i = 0; i < path_count; i++) {
				const uint8_t *p =
					s + DMAR_SCOPE_PATH + i * DMAR_SCOPE_PATH_ENTRY_SIZE;

				scope->path[i].device = p[0];
				scope->path[i].function = p[1];
			}
		}
		w->d->scope_count++;
		range.count++;
		pos += length;
	}
	*ret_range = range;
	return 0;
}

static int dmar_walk_drhd(struct dmar_walk *w, uint32_t off, uint16_t length)
{
	const uint8_t *s = w->table + off;
	struct fw_dmar_drhd drhd = {
		.offset = off,
		.length = length,
		.flags = s[DMAR_DRHD_FLAGS],
		.size_field = s[DMAR_DRHD_SIZE],
		.segment = fw_get_le16(s + DMAR_DRHD_SEGMENT),
		.register_base = fw_get_le64(s + DMAR_DRHD_REGISTER_BASE),
	};
	int r;

	/* A unit at 0 or off a page boundary is a firmware bug that would send
	 * register writes to the wrong place (Linux refuses it too). */
	if (drhd.register_base == 0 || drhd.register_base % DMAR_PAGE_SIZE != 0) {
		fw_error_set(w->err, off + DMAR_DRHD_REGISTER_BASE,
			     "DRHD register base 0x%llx is not a non-zero multiple of 4 KiB",
			     (unsigned long long)drhd.register_base);
		return -EINVAL;
	}
	if (w->d->drhd_count >= SMMU_FW_DMAR_MAX_UNITS) {
		fw_error_set(w->err, off, "more than %d DRHD units in the table",
			     SMMU_FW_DMAR_MAX_UNITS);
		return -EINVAL;
	}
	r = dmar_walk_scopes(w, off, off + DMAR_DRHD_FIXED_SIZE, off + length, &drhd.scopes);
	if (r < 0) {
		return r;
	}
	if (w->fill) {
		w->d->drhds[w->d->drhd_count] = drhd;
	}
	return (int)w->d->drhd_count++;
}

static int dmar_walk_rmrr(struct dmar_walk *w, uint32_t off, uint16_t length)
{
	const uint8_t *s = w->table + off;
	struct fw_dmar_rmrr rmrr = {
		.offset = off,
		.length = length,
		.segment = fw_get_le16(s + DMAR_RMRR_SEGMENT),
		.start = fw_get_le64(s + DMAR_RMRR_BASE),
		.last = fw_get_le64(s + DMAR_RMRR_LIMIT),
	};
	int r;

	/* An inverted range cannot be reserved; Linux marks such tables as
	 * firmware bugs.  Unaligned bounds are kept: callers round outwards. */
	if (rmrr.last < rmrr.start) {
		fw_error_set(w->err, off + DMAR_RMRR_LIMIT,
			     "RMRR limit 0x%llx is below its base 0x%llx",
			     (unsigned long long)rmrr.last, (unsigned long long)rmrr.start);
		return -EINVAL;
	}
	r = dmar_walk_scopes(w, off, off + DMAR_RMRR_FIXED_SIZE, off + length, &rmrr.scopes);
	if (r < 0) {
		return r;
	}
	if (w->fill) {
		w->d->rmrrs[w->d->rmrr_count] = rmrr;
	}
	return (int)w->d->rmrr_count++;
}

static int dmar_walk_atsr(struct dmar_walk *w, uint32_t off, uint16_t length)
{
	const uint8_t *s = w->table + off;
	struct fw_dmar_atsr atsr = {
		.offset = off,
		.length = length,
		.flags = s[DMAR_ATSR_FLAGS],
		.segment = fw_get_le16(s + DMAR_ATSR_SEGMENT),
	};
	int r = dmar_walk_scopes(w, off, off + DMAR_ATSR_FIXED_SIZE, off + length, &atsr.scopes);

	if (r < 0) {
		return r;
	}
	if (w->fill) {
		w->d->atsrs[w->d->atsr_count] = atsr;
	}
	return (int)w->d->atsr_count++;
}

static int dmar_walk_rhsa(struct dmar_walk *w, uint32_t off, uint16_t length)
{
	const uint8_t *s = w->table + off;

	if (w->fill) {
		w->d->rhsas[w->d->rhsa_count] = (struct fw_dmar_rhsa){
			.offset = off,
			.length = length,
			.register_base = fw_get_le64(s + DMAR_RHSA_REGISTER_BASE),
			.proximity_domain = fw_get_le32(s + DMAR_RHSA_PROXIMITY_DOMAIN),
		};
	}
	return (int)w->d->rhsa_count++;
}

static int dmar_walk_andd(struct dmar_walk *w, uint32_t off, uint16_t length)
{
	const uint8_t *s = w->table + off;
	const char *name = (const char *)s + DMAR_ANDD_OBJECT_NAME;
	size_t name_len = strnlen(name, length - DMAR_ANDD_OBJECT_NAME);

	if (name_len > SMMU_FW_ACPI_MAX_NAME) {
		fw_error_set(w->err, off + DMAR_ANDD_OBJECT_NAME,
			     "ANDD object name of %zu bytes exceeds the limit of %d", name_len,
			     SMMU_FW_ACPI_MAX_NAME);
		return -EINVAL;
	}
	if (w->fill) {
		struct fw_dmar_andd *andd = &w->d->andds[w->d->andd_count];

		memset(andd, 0, sizeof(*andd));
		andd->offset = off;
		andd->length = length;
		andd->device_number = s[DMAR_ANDD_DEVICE_NUMBER];
		memcpy(andd->object_name, name, name_len);
	}
	return (int)w->d->andd_count++;
}

static int dmar_walk_satc(struct dmar_walk *w, uint32_t off, uint16_t length)
{
	const uint8_t *s = w->table + off;
	struct fw_dmar_satc satc = {
		.offset = off,
		.length = length,
		.flags = s[DMAR_SATC_FLAGS],
		.segment = fw_get_le16(s + DMAR_SATC_SEGMENT),
	};
	int r = dmar_walk_scopes(w, off, off + DMAR_SATC_FIXED_SIZE, off + length, &satc.scopes);

	if (r < 0) {
		return r;
	}
	if (w->fill) {
		w->d->satcs[w->d->satc_count] = satc;
	}
	return (int)w->d->satc_count++;
}

static int dmar_walk_sidp(struct dmar_walk *w, uint32_t off, uint16_t length)
{
	const uint8_t *s = w->table + off;
	struct fw_dmar_sidp sidp = {
		.offset = off,
		.length = length,
		.segment = fw_get_le16(s + DMAR_SIDP_SEGMENT),
	};
	int r = dmar_walk_scopes(w, off, off + DMAR_SIDP_FIXED_SIZE, off + length, &sidp.scopes);

	if (r < 0) {
		return r;
	}
	if (w->fill) {
		w->d->sidps[w->d->sidp_count] = sidp;
	}
	return (int)w->d->sidp_count++;
}

/* Returns the index of the structure in its type's array, or -EINVAL. */
static int dmar_walk_one(struct dmar_walk *w, uint16_t type, uint32_t off, uint16_t length)
{
	switch (type) {
	case DMAR_TYPE_DRHD:
		return dmar_walk_drhd(w, off, length);
	case DMAR_TYPE_RMRR:
		return dmar_walk_rmrr(w, off, length);
	case DMAR_TYPE_ATSR:
		return dmar_walk_atsr(w, off, length);
	case DMAR_TYPE_RHSA:
		return dmar_walk_rhsa(w, off, length);
	case DMAR_TYPE_ANDD:
		return dmar_walk_andd(w, off, length);
	case DMAR_TYPE_SATC:
		return dmar_walk_satc(w, off, length);
	case DMAR_TYPE_SIDP:
		return dmar_walk_sidp(w, off, length);
	}
	assert(!"dmar_walk_one: the caller passes known types only");
	return -EINVAL;
}

/* Walks the remapping structures after the 48-byte DMAR header. */
static int dmar_walk(struct dmar_walk *w)
{
	uint32_t off = DMAR_HEADER_SIZE;

	while (off < w->length) {
		const uint8_t *s = w->table + off;
		uint32_t left = w->length - off;
		uint16_t type, length, min_length;
		bool known;
		int index = 0;

		if (left < DMAR_STRUCT_HEADER_SIZE) {
			fw_error_set(w->err, off,
				     "remapping structure header needs %d bytes, the table has %u "
				     "left",
				     DMAR_STRUCT_HEADER_SIZE, left);
			return -EINVAL;
		}
		type = fw_get_le16(s + DMAR_STRUCT_TYPE);
		length = fw_get_le16(s + DMAR_STRUCT_LENGTH);
		known = type < ARRAY_SIZE(dmar_fixed_size);
		min_length = known ? dmar_fixed_size[type] : DMAR_STRUCT_HEADER_SIZE;
		/* A length below the header, 0 included, would loop forever. */
		if (length < min_length) {
			fw_error_set(w->err, off,
				     "%s (type %u) length %u is less than its %u-byte "
				     "fixed part",
				     fw_dmar_type_name(type), type, length, min_length);
			return -EINVAL;
		}
		if (length > left) {
			fw_error_set(w->err, off,
				     "%s (type %u) length %u runs past the end of the table (%u "
				     "bytes left)",
				     fw_dmar_type_name(type), type, length, left);
			return -EINVAL;
		}
		if (w->d->struct_count >= SMMU_FW_DMAR_MAX_STRUCTURES) {
			fw_error_set(w->err, off, "more than %d remapping structures in the table",
				     SMMU_FW_DMAR_MAX_STRUCTURES);
			return -EINVAL;
		}
		if (known) {
			index = dmar_walk_one(w, type, off, length);
			if (index < 0) {
				return index;
			}
		} else {
			w->d->unknown_count++;
		}
		if (w->fill) {
			w->d->structs[w->d->struct_count] = (struct fw_dmar_struct){
				.offset = off,
				.type = type,
				.length = length,
				.index = (uint32_t)index,
				.known = known,
			};
		}
		w->d->struct_count++;
		off += length;
	}
	return 0;
}

/* Allocates each array to the count the first walk found, and zeroes the counts. */
static int dmar_alloc(struct fw_dmar *d)
{
	int r = 0;

	d->structs = fw_walk_array(&d->struct_count, sizeof(*d->structs), &r);
	d->drhds = fw_walk_array(&d->drhd_count, sizeof(*d->drhds), &r);
	d->rmrrs = fw_walk_array(&d->rmrr_count, sizeof(*d->rmrrs), &r);
	d->atsrs = fw_walk_array(&d->atsr_count, sizeof(*d->atsrs), &r);
	d->rhsas = fw_walk_array(&d->rhsa_count, sizeof(*d->rhsas), &r);
	d->andds = fw_walk_array(&d->andd_count, sizeof(*d->andds), &r);
	d->satcs = fw_walk_array(&d->satc_count, sizeof(*d->satcs), &r);
	d->sidps = fw_walk_array(&d->sidp_count, sizeof(*d->sidps), &r);
	d->scopes = fw_walk_array(&d->scope_count, sizeof(*d->scopes), &r);
	d->unknown_count = 0;
	return r;
}

/*
 * Decodes the DMAR table in `table` (`size` bytes, untrusted, any alignment).
 * `flags`: FW_DMAR_ACCEPT_BAD_CHECKSUM decodes a table whose checksum is
 * wrong (header.checksum_ok tells); by default it is refused.
 *
 * Returns 0 and fills *ret_dmar, which the caller frees with fw_dmar_fini();
 * -EINVAL for a malformed table or one beyond a limit of common/limits.h,
 * with the offset and a message in `err` (may be NULL); -ENOMEM.  Nothing is
 * left allocated on failure.
 */
int fw_dmar_parse(const void *table, size_t size, unsigned flags, struct fw_dmar *ret_dmar,
		  struct fw_error *err)
{
	const uint8_t *t = table;
	struct fw_dmar d = {0};
	struct dmar_walk w = {.table = t, .d = &d, .err = err};
	int r;

	r = fw_acpi_table_check(table, size, "DMAR", DMAR_HEADER_SIZE, flags, &d.header, err);
	if (r < 0) {
		return r;
	}
	w.length = d.header.length;
	d.host_address_width = (uint8_t)(t[DMAR_HOST_ADDRESS_WIDTH] + 1u);
	d.flags = t[DMAR_FLAGS];
	for (size_t i = 0; i < DMAR_RESERVED_SIZE; i++) {
		d.reserved_nonzero |= t[DMAR_RESERVED + i] != 0;
	}
	/* The width field is the width minus one, so 0xff would wrap to 0. */
	if (d.host_address_width == 0) {
		fw_error_set(err, DMAR_HOST_ADDRESS_WIDTH, "host address width field 0x%02x",
			     t[DMAR_HOST_ADDRESS_WIDTH]);
		return -EINVAL;
	}

	r = dmar_walk(&w);
	if (r < 0) {
		return r;
	}
	r = dmar_alloc(&d);
	if (r < 0) {
		fw_error_set(err, 0, "out of memory for the decoded DMAR");
		goto err_fini;
	}
	w.fill = true;
	r = dmar_walk(&w);
	if (NEVER(r < 0)) {
		goto err_fini; /* the first walk accepted the same bytes */
	}
	*ret_dmar = d;
	return 0;

err_fini:
	fw_dmar_fini(&d);
	return r;
}

/* Frees what fw_dmar_parse() allocated; accepts NULL and half-built results.
 * The struct is zeroed afterwards. */
void fw_dmar_fini(struct fw_dmar *dmar)
{
	if (!dmar) {
		return;
	}
	smmu_free(dmar->structs);
	smmu_free(dmar->drhds);
	smmu_free(dmar->rmrrs);
	smmu_free(dmar->atsrs);
	smmu_free(dmar->rhsas);
	smmu_free(dmar->andds);
	smmu_free(dmar->satcs);
	smmu_free(dmar->sidps);
	smmu_free(dmar->scopes);
	memset(dmar, 0, sizeof(*dmar));
}
