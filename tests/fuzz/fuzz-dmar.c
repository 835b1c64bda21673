/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the DMAR decoder.  The input is a table; it is
 * decoded from an odd address (so no field is ever aligned), once accepting a
 * bad checksum (mutations rarely keep the checksum, and the walk is what needs
 * exploring) and once strictly.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks what a caller
 * relies on: the strict decode succeeds exactly when the lenient one does and
 * the checksum is right; structures tile the body in order; every scope lies
 * inside its structure and so inside the table, with a path that fills its
 * length; each typed entry points back at its structure; a failure names an
 * offset inside the bytes given; and scope paths resolve with a fake bridge
 * reader to a valid device.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/dmar.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x)) {      \
			abort(); \
		}                \
	} while (0)

static int fake_secondary_bus(void *ctx, struct fw_pci_bdf bridge, uint8_t *ret_bus)
{
	(void)ctx;
	*ret_bus = (uint8_t)(bridge.bus + 1u);
	return 0;
}

/* The scopes of the structure [start, end) lie in it and follow each other. */
static void check_scopes(const struct fw_dmar *d, struct fw_dmar_scope_range range,
			 uint32_t first_scope, uint32_t end)
{
	uint32_t pos = first_scope;

	CHECK(range.first <= d->scope_count && range.count <= d->scope_count - range.first);
	for (uint32_t i = 0; i < range.count; i++) {
		const struct fw_dmar_scope *s = &d->scopes[range.first + i];
		struct fw_pci_bdf bdf;
		int r;

		CHECK(s->offset == pos);
		CHECK(s->length >= 8 && s->offset + s->length <= end);
		CHECK(s->path_count >= 1 && s->path_count <= SMMU_FW_DMAR_MAX_PATH);
		CHECK(s->length == 6 + 2 * s->path_count);
		pos += s->length;

		r = fw_dmar_scope_resolve(s, 7, fake_secondary_bus, NULL, &bdf);
		CHECK(r == 0 || r == -EINVAL || r == -ENODEV);
		if (r == 0) {
			CHECK(bdf.segment == 7 && bdf.device <= 31 && bdf.function <= 7);
			CHECK(bdf.device == s->path[s->path_count - 1].device);
		}
	}
	CHECK(pos == end);
}

static void check_dmar(const struct fw_dmar *d, size_t size)
{
	uint32_t pos = DMAR_HEADER_SIZE;
	size_t known = 0;

	CHECK(d->header.length <= size && d->header.length >= DMAR_HEADER_SIZE);
	CHECK(d->struct_count <= SMMU_FW_DMAR_MAX_STRUCTURES);
	CHECK(d->drhd_count <= SMMU_FW_DMAR_MAX_UNITS);
	CHECK(d->scope_count <= SMMU_FW_DMAR_MAX_SCOPES);
	for (size_t i = 0; i < d->struct_count; i++) {
		const struct fw_dmar_struct *st = &d->structs[i];
		uint32_t end = st->offset + st->length;

		CHECK(st->offset == pos && st->length >= 4 && end <= d->header.length);
		pos = end;
		if (!st->known) {
			continue;
		}
		known++;
		switch (st->type) {
		case DMAR_TYPE_DRHD:
			CHECK(st->index < d->drhd_count &&
			      d->drhds[st->index].offset == st->offset);
			CHECK(d->drhds[st->index].register_base != 0);
			check_scopes(d, d->drhds[st->index].scopes, st->offset + 16, end);
			break;
		case DMAR_TYPE_RMRR:
			CHECK(st->index < d->rmrr_count &&
			      d->rmrrs[st->index].offset == st->offset);
			CHECK(d->rmrrs[st->index].start <= d->rmrrs[st->index].last);
			check_scopes(d, d->rmrrs[st->index].scopes, st->offset + 24, end);
			break;
		case DMAR_TYPE_ATSR:
			CHECK(st->index < d->atsr_count &&
			      d->atsrs[st->index].offset == st->offset);
			check_scopes(d, d->atsrs[st->index].scopes, st->offset + 8, end);
			break;
		case DMAR_TYPE_RHSA:
			CHECK(st->index < d->rhsa_count &&
			      d->rhsas[st->index].offset == st->offset);
			break;
		case DMAR_TYPE_ANDD:
			CHECK(st->index < d->andd_count &&
			      d->andds[st->index].offset == st->offset);
			CHECK(strlen(d->andds[st->index].object_name) <= st->length - 8u);
			break;
		case DMAR_TYPE_SATC:
			CHECK(st->index < d->satc_count &&
			      d->satcs[st->index].offset == st->offset);
			check_scopes(d, d->satcs[st->index].scopes, st->offset + 8, end);
			break;
		case DMAR_TYPE_SIDP:
			CHECK(st->index < d->sidp_count &&
			      d->sidps[st->index].offset == st->offset);
			check_scopes(d, d->sidps[st->index].scopes, st->offset + 8, end);
			break;
		default:
			abort();
		}
	}
	CHECK(pos == d->header.length);
	CHECK(known + d->unknown_count == d->struct_count);
	CHECK(known == d->drhd_count + d->rmrr_count + d->atsr_count + d->rhsa_count +
			       d->andd_count + d->satc_count + d->sidp_count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size + 1);
	struct fw_dmar lenient, strict;
	struct fw_error err;
	int r_lenient, r_strict;

	if (!copy) {
		return 0;
	}
	memcpy(copy + 1, data, size);

	r_lenient = fw_dmar_parse(copy + 1, size, FW_DMAR_ACCEPT_BAD_CHECKSUM, &lenient, &err);
	CHECK(r_lenient == 0 || r_lenient == -EINVAL);
	if (r_lenient < 0) {
		CHECK(err.offset <= size && strstr(err.message, "offset ") == err.message);
	} else {
		check_dmar(&lenient, size);
	}

	r_strict = fw_dmar_parse(copy + 1, size, 0, &strict, &err);
	CHECK((r_strict == 0) == (r_lenient == 0 && lenient.header.checksum_ok));
	if (r_strict == 0) {
		CHECK(strict.struct_count == lenient.struct_count &&
		      strict.scope_count == lenient.scope_count);
		fw_dmar_fini(&strict);
	}
	if (r_lenient == 0) {
		fw_dmar_fini(&lenient);
	}
	free(copy);
	return 0;
}
