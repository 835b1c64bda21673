/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the device-tree decoder.  The input is a blob,
 * decoded from an odd address so that nothing relies on the caller's
 * alignment.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks what a caller
 * relies on: counts within the limits; every index range inside its array
 * and the ranges of hosts and devices tiling map entries and streams in
 * order; every SMMU index valid and agreeing with the phandle it came from;
 * paths absolute and terminated; SMMU registers translated; no region that
 * wraps; node offsets inside the blob; a failure names an offset inside the
 * bytes given; requester IDs map to StreamIDs inside the entry used; and
 * reserved-memory regions tile their iommu-addresses, which name real
 * devices and do not wrap.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "firmware/fdt-iommu.h"

#define CHECK(x)                 \
	do {                     \
		if (!(x)) {      \
			abort(); \
		}                \
	} while (0)

static void check_path(const char *path)
{
	CHECK(memchr(path, '\0', SMMU_FW_FDT_MAX_PATH) != NULL);
	CHECK(path[0] == '/');
}

static void check_reg(const struct fw_fdt_reg *reg)
{
	CHECK(reg->state == FW_FDT_REG_OK || reg->state == FW_FDT_REG_ABSENT ||
	      reg->state == FW_FDT_REG_UNTRANSLATABLE);
	if (reg->state == FW_FDT_REG_OK && reg->size > 0) {
		CHECK(reg->start + (reg->size - 1) >= reg->start);
	}
}

/* The IOMMU an entry names is the SMMU of that phandle, or not an SMMU. */
static void check_iommu_ref(const struct fw_fdt_iommu *d, uint32_t phandle, uint32_t smmu_index)
{
	CHECK(phandle != 0);
	if (smmu_index == FW_FDT_OTHER_IOMMU) {
		for (size_t i = 0; i < d->smmu_count; i++) {
			CHECK(d->smmus[i].phandle != phandle);
		}
		return;
	}
	CHECK(smmu_index < d->smmu_count && d->smmus[smmu_index].phandle == phandle);
}

static void check_host(const struct fw_fdt_iommu *d, const struct fw_fdt_pci_host *h,
		       uint32_t *next_map)
{
	static const uint32_t rids[] = {0, 8, 0xff, 0x100, 0xffff, 0x10000, UINT32_MAX};

	check_path(h->path);
	check_reg(&h->reg);
	CHECK(h->offset < d->total_size);
	CHECK(h->bus_start <= h->bus_last);
	CHECK(h->has_iommu_map || (h->map.count == 0 && !h->has_iommu_map_mask));
	CHECK(h->has_iommu_map_mask || h->iommu_map_mask == UINT32_MAX);
	CHECK(h->map.first == *next_map && h->map.count <= d->map_entry_count - h->map.first);
	*next_map += h->map.count;
	for (size_t i = 0; i < sizeof(rids) / sizeof(rids[0]); i++) {
		uint32_t sid = 0;
		size_t entry = 0;
		int r = fw_fdt_pci_rid_to_sid(d, h, rids[i], &sid, &entry);

		CHECK(r == 0 || r == -ENOENT);
		if (r == 0) {
			const struct fw_fdt_iommu_map_entry *e = &d->map_entries[entry];
			uint32_t masked = rids[i] & h->iommu_map_mask;

			CHECK(entry >= h->map.first && entry - h->map.first < h->map.count);
			CHECK(sid - e->sid_base == masked - e->rid_base);
		}
	}
}

static void check_fdt(const struct fw_fdt_iommu *d, size_t size)
{
	uint32_t next_map = 0, next_stream = 0;

	CHECK(d->total_size <= size && d->total_size <= SMMU_FW_FDT_MAX_SIZE);
	CHECK(d->smmu_count <= SMMU_FW_FDT_MAX_SMMUS);
	CHECK(d->pci_host_count + d->master_count <= SMMU_FW_FDT_MAX_NODES);
	CHECK(d->map_entry_count <= SMMU_FW_FDT_MAX_STREAMS);
	CHECK(d->stream_count <= SMMU_FW_FDT_MAX_STREAMS);
	for (size_t i = 0; i < d->smmu_count; i++) {
		const struct fw_fdt_smmu *s = &d->smmus[i];

		check_path(s->path);
		check_reg(&s->reg);
		CHECK(s->reg.state == FW_FDT_REG_OK);
		CHECK(s->offset < d->total_size);
		CHECK(i == 0 || s->offset > d->smmus[i - 1].offset);
	}
	for (size_t i = 0; i < d->map_entry_count; i++) {
		const struct fw_fdt_iommu_map_entry *e = &d->map_entries[i];

		check_iommu_ref(d, e->iommu_phandle, e->smmu_index);
		CHECK(e->length > 0);
		CHECK(e->rid_base + (e->length - 1) >= e->rid_base);
		CHECK(e->sid_base + (e->length - 1) >= e->sid_base);
	}
	for (size_t i = 0; i < d->pci_host_count; i++) {
		check_host(d, &d->pci_hosts[i], &next_map);
		for (size_t j = 0; j < i; j++) {
			CHECK(d->pci_hosts[j].domain != d->pci_hosts[i].domain);
		}
	}
	CHECK(next_map == d->map_entry_count);
	for (size_t i = 0; i < d->master_count; i++) {
		const struct fw_fdt_master *m = &d->masters[i];

		check_path(m->path);
		check_reg(&m->reg);
		CHECK(m->offset < d->total_size);
		CHECK(m->streams.first == next_stream && m->streams.count >= 1 &&
		      m->streams.count <= d->stream_count - m->streams.first);
		next_stream += m->streams.count;
	}
	CHECK(next_stream == d->stream_count);
	next_stream = 0;
	for (size_t i = 0; i < d->reserved_count; i++) {
		const struct fw_fdt_reserved *res = &d->reserved[i];

		check_path(res->path);
		check_reg(&res->reg);
		CHECK(strncmp(res->path, "/reserved-memory/", 17) == 0);
		CHECK(res->offset < d->total_size);
		CHECK(res->addresses.first == next_stream && res->addresses.count >= 1 &&
		      res->addresses.count <= d->iommu_address_count - res->addresses.first);
		next_stream += res->addresses.count;
	}
	CHECK(next_stream == d->iommu_address_count);
	for (size_t i = 0; i < d->iommu_address_count; i++) {
		const struct fw_fdt_iommu_address *a = &d->iommu_addresses[i];

		CHECK(a->size > 0 && a->iova + (a->size - 1) >= a->iova);
		CHECK(a->master_index == FW_FDT_NO_MASTER || a->master_index < d->master_count);
	}
	for (size_t i = 0; i < d->stream_count; i++) {
		check_iommu_ref(d, d->streams[i].iommu_phandle, d->streams[i].smmu_index);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size + 1);
	struct fw_fdt_iommu d;
	struct fw_error err;
	int r;

	if (!copy) {
		return 0;
	}
	memcpy(copy + 1, data, size);
	r = fw_fdt_iommu_parse(copy + 1, size, &d, &err);
	CHECK(r == 0 || r == -EINVAL);
	if (r < 0) {
		CHECK(err.offset <= size && strstr(err.message, "offset ") == err.message);
	} else {
		check_fdt(&d, size);
		fw_fdt_iommu_fini(&d);
	}
	free(copy);
	return 0;
}
