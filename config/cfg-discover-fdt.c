/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flattened device tree as a source of `smmu smmuv3` discovery: reads
 * the blob (--fdt FILE, else the machine's own /sys/firmware/fdt), decodes
 * it with fw_fdt_iommu_parse() and describes the board in the neutral terms
 * of cfg-discover-arm.h:
 *
 *   SMMUv3 node (arm,smmu-v3)   unit N at its first reg address (smmuN),
 *                               N counting the SMMUv3 nodes in tree order,
 *                               unusable ones too (smmuman.smmu(5))
 *   PCI host bridge             a root complex of its PCI domain
 *                               (linux,pci-domain, else the lowest free
 *                               number), with each iommu-map entry that
 *                               names an SMMUv3: requester IDs (cut to 16
 *                               bits) to StreamIDs; under an
 *                               iommu-map-mask that drops requester-ID bits,
 *                               the map is expanded requester ID by
 *                               requester ID over the bridge's bus-range
 *   device with `iommus`        a platform device `mem:ADDR,SIZE` from its
 *                               first reg, one per (SMMUv3, StreamID) pair;
 *                               a device whose reg does not give a CPU
 *                               address is known by its path only
 *
 *   /reserved-memory child      memory on the StreamIDs of each device its
 *   with iommu-addresses        iommu-addresses names, when the IOVA is the
 *                               region's own reg address (an identity
 *                               mapping firmware set up)
 *
 * Nodes whose status is not "okay", references to IOMMUs that are not
 * SMMUv3 (an SMMUv2, a virtio-iommu), references to SMMUs that are not
 * usable, hosts without iommu-map, iommu-map on nodes that are not PCI
 * host bridges, IOVA reservations (iommu-addresses without reg) and
 * translated iommu-addresses each leave a note and nothing else.
 */
#include "config/cfg-discover-arm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "common/strbuf.h"
#include "config/cfg-system.h"
#include "firmware/fdt-iommu.h"

#define PART_SMMU "FDT SMMUv3"
#define PART_PCI_HOST "FDT PCI host"
#define PART_DEVICE "FDT device"
#define PART_RESERVED "FDT reserved-memory"

/* PCI requester IDs are 16 bits: bus, device, function. */
#define RID_LIMIT 0x10000u

/* One tree being described.  `units[i]` is the description's unit of
 * smmus[i], SIZE_MAX for an SMMU that is not usable. */
struct fdt_run {
	struct cfg_board *b;
	const struct fw_fdt_iommu *fdt;
	struct cfg_arm_board *arm;
	size_t *units;
};

static int arm_error(struct fdt_run *run, int r)
{
	if (r == -ENOMEM) {
		run->b->oom = true;
	} else if (r == -EINVAL) {
		cfg_board_error(run->b, "the device tree describes more than %d items of one kind",
				SMMU_CFG_MAX_ITEMS);
	}
	return r;
}

/* Appends the escaped node path (tree bytes, untrusted) to a note. */
static const char *escaped_path(struct strbuf *out, const char *path)
{
	cfg_board_escape(out, path, SMMU_FW_FDT_MAX_PATH);
	return out->oom ? "?" : strbuf_str(out);
}

static void note_summary(struct fdt_run *run)
{
	const struct fw_fdt_iommu *d = run->fdt;
	struct strbuf source = STRBUF_INIT;

	cfg_board_escape(&source, run->b->source, SIZE_MAX);
	cfg_board_note(run->b,
		       "device tree from %s: %zu SMMUv3, %zu PCI host bridge, %zu device with "
		       "iommus, %zu reserved-memory with iommu-addresses",
		       source.oom ? "?" : strbuf_str(&source), d->smmu_count, d->pci_host_count,
		       d->master_count, d->reserved_count);
	strbuf_fini(&source);
	if (d->ignored_iommu_map_count > 0) {
		cfg_board_note(run->b,
			       "device tree: %zu iommu-map on nodes that are not PCI host bridges, "
			       "not used",
			       d->ignored_iommu_map_count);
	}
}

static int describe_units(struct fdt_run *run)
{
	const struct fw_fdt_iommu *d = run->fdt;

	for (size_t i = 0; i < d->smmu_count; i++) {
		const struct fw_fdt_smmu *s = &d->smmus[i];
		char name[32];
		int r;

		run->units[i] = SIZE_MAX;
		if (!s->available) {
			struct strbuf path = STRBUF_INIT;

			cfg_board_note(run->b,
				       "%s %zu %s at 0x%" PRIx64 " is not used (status is not "
				       "\"okay\")",
				       PART_SMMU, i, escaped_path(&path, s->path), s->reg.start);
			strbuf_fini(&path);
			continue;
		}
		/* Named for its place among all SMMUv3 nodes, as the notes number it: a
		 * disabled node before it must not shift the name a user unit overrides. */
		snprintf(name, sizeof(name), "smmu%zu", i);
		r = cfg_arm_add_unit(run->arm, s->reg.start, name,
				     (struct cfg_arm_where){PART_SMMU, (uint32_t)i},
				     &run->units[i]);
		if (r < 0) {
			return arm_error(run, r);
		}
	}
	return 0;
}

/* Why a reference to `smmu_index` is not used, or NULL when it is usable. */
static const char *unusable_iommu(const struct fdt_run *run, uint32_t smmu_index)
{
	if (smmu_index == FW_FDT_OTHER_IOMMU) {
		return "an IOMMU that is not an SMMUv3";
	}
	if (run->units[smmu_index] == SIZE_MAX) {
		return "an SMMUv3 whose status is not \"okay\"";
	}
	return NULL;
}

/* Adds the map entries of `host` directly: the mask keeps every bit of a
 * 16-bit requester ID, so each entry is one range. */
static int describe_map_entries(struct fdt_run *run, size_t h, size_t rc)
{
	const struct fw_fdt_pci_host *host = &run->fdt->pci_hosts[h];

	for (uint32_t i = 0; i < host->map.count; i++) {
		const struct fw_fdt_iommu_map_entry *e =
			&run->fdt->map_entries[host->map.first + i];
		uint64_t end = (uint64_t)e->rid_base + e->length;
		const char *why = unusable_iommu(run, e->smmu_index);
		int r;

		if (why) {
			cfg_board_note(run->b,
				       "%s %zu: requester IDs 0x%" PRIx32 "-0x%" PRIx64
				       " go to %s (phandle 0x%" PRIx32 "); not used",
				       PART_PCI_HOST, h, e->rid_base, end - 1, why,
				       e->iommu_phandle);
			continue;
		}
		if (e->rid_base >= RID_LIMIT) {
			cfg_board_note(run->b,
				       "%s %zu: IDs from 0x%" PRIx32 " are not PCI requester IDs "
				       "(16 bits); not used",
				       PART_PCI_HOST, h, e->rid_base);
			continue;
		}
		r = cfg_arm_add_rid_map(
			run->arm, rc, e->rid_base,
			(uint32_t)((end < RID_LIMIT ? end : RID_LIMIT) - e->rid_base),
			run->units[e->smmu_index], e->sid_base);
		if (r < 0) {
			return arm_error(run, r);
		}
	}
	return 0;
}

/*
 * Adds the map of `host` requester ID by requester ID over its bus range,
 * for a mask that folds requester IDs together (e.g. 0xff00: one StreamID
 * per bus); consecutive requester IDs with consecutive StreamIDs of the same
 * unit are merged into one range.
 */
static int describe_masked_map(struct fdt_run *run, size_t h, size_t rc)
{
	const struct fw_fdt_pci_host *host = &run->fdt->pci_hosts[h];
	uint32_t first = (uint32_t)host->bus_start << 8;
	uint32_t end = ((uint32_t)host->bus_last + 1) << 8;
	bool open = false;
	uint32_t run_rid = 0, run_count = 0, run_sid = 0;
	size_t run_unit = 0;
	uint32_t unusable = 0;

	for (uint32_t rid = first; rid < end; rid++) {
		uint32_t sid;
		size_t entry;
		size_t unit;

		if (fw_fdt_pci_rid_to_sid(run->fdt, host, rid, &sid, &entry) < 0) {
			continue;
		}
		if (unusable_iommu(run, run->fdt->map_entries[entry].smmu_index)) {
			unusable++;
			continue;
		}
		unit = run->units[run->fdt->map_entries[entry].smmu_index];
		if (open && unit == run_unit && rid == run_rid + run_count &&
		    sid == run_sid + run_count) {
			run_count++;
			continue;
		}
		if (open) {
			int r = cfg_arm_add_rid_map(run->arm, rc, run_rid, run_count, run_unit,
						    run_sid);
			if (r < 0) {
				return arm_error(run, r);
			}
		}
		open = true;
		run_rid = rid;
		run_count = 1;
		run_sid = sid;
		run_unit = unit;
	}
	if (open) {
		int r = cfg_arm_add_rid_map(run->arm, rc, run_rid, run_count, run_unit, run_sid);

		if (r < 0) {
			return arm_error(run, r);
		}
	}
	if (unusable > 0) {
		cfg_board_note(run->b,
			       "%s %zu: %" PRIu32 " requester IDs go to an IOMMU that is not a "
			       "usable SMMUv3; not used",
			       PART_PCI_HOST, h, unusable);
	}
	return 0;
}

static int describe_pci_host(struct fdt_run *run, size_t h)
{
	const struct fw_fdt_pci_host *host = &run->fdt->pci_hosts[h];
	struct strbuf path = STRBUF_INIT;
	size_t rc;
	int r;

	if (!host->available || !host->has_iommu_map) {
		cfg_board_note(run->b, "%s %zu %s (domain %" PRIu32 "): %s; not used",
			       PART_PCI_HOST, h, escaped_path(&path, host->path), host->domain,
			       !host->available ? "status is not \"okay\""
						: "no iommu-map, its devices are behind no IOMMU");
		strbuf_fini(&path);
		return 0;
	}
	r = cfg_arm_add_root_complex(run->arm, host->domain,
				     (struct cfg_arm_where){PART_PCI_HOST, (uint32_t)h}, &rc);
	if (r < 0) {
		return arm_error(run, r);
	}
	if ((host->iommu_map_mask & (RID_LIMIT - 1)) == RID_LIMIT - 1) {
		return describe_map_entries(run, h, rc);
	}
	return describe_masked_map(run, h, rc);
}

static int describe_device(struct fdt_run *run, size_t m)
{
	const struct fw_fdt_master *master = &run->fdt->masters[m];
	const struct cfg_arm_where where = {PART_DEVICE, (uint32_t)m};
	struct cfg_device_id id = {.kind = CFG_DEVICE_MEM};
	bool has_id = master->reg.state == FW_FDT_REG_OK && master->reg.size > 0;
	struct strbuf path = STRBUF_INIT;
	int r = 0;

	if (!master->available) {
		cfg_board_note(run->b, "%s %zu %s: status is not \"okay\"; not used", PART_DEVICE,
			       m, escaped_path(&path, master->path));
		strbuf_fini(&path);
		return 0;
	}
	id.mem.paddr = master->reg.start;
	id.mem.size = master->reg.size;
	for (uint32_t i = 0; r == 0 && i < master->streams.count; i++) {
		const struct fw_fdt_stream *s = &run->fdt->streams[master->streams.first + i];
		const char *why = unusable_iommu(run, s->smmu_index);

		if (why) {
			strbuf_reset(&path);
			cfg_board_note(run->b,
				       "%s %zu %s: StreamID %" PRIu32 " of %s (phandle 0x%" PRIx32
				       "); not used",
				       PART_DEVICE, m, escaped_path(&path, master->path), s->sid,
				       why, s->iommu_phandle);
			continue;
		}
		r = cfg_arm_add_platform_device(run->arm, has_id ? &id : NULL,
						has_id ? NULL : master->path,
						run->units[s->smmu_index], s->sid, where);
	}
	strbuf_fini(&path);
	return r < 0 ? arm_error(run, r) : 0;
}

/*
 * A reserved-memory region with iommu-addresses: an identity mapping (the
 * IOVA is the region's own `reg` address) is memory the devices it names
 * keep using, `reserved` on each of their StreamIDs; an IOVA reservation
 * (no `reg`) or a translated mapping has no counterpart in the
 * configuration and is a note.
 */
static int describe_reserved(struct fdt_run *run, size_t i)
{
	const struct fw_fdt_reserved *res = &run->fdt->reserved[i];
	const struct cfg_arm_where where = {PART_RESERVED, (uint32_t)i};
	struct strbuf path = STRBUF_INIT;
	int r = 0;

	escaped_path(&path, res->path);
	for (uint32_t k = 0; r == 0 && k < res->addresses.count; k++) {
		const struct fw_fdt_iommu_address *a =
			&run->fdt->iommu_addresses[res->addresses.first + k];
		const struct fw_fdt_master *master;

		if (!res->available || a->master_index == FW_FDT_NO_MASTER) {
			cfg_board_note(run->b,
				       "%s %zu %s: IOVA 0x%" PRIx64 ",0x%" PRIx64 " of phandle "
				       "0x%" PRIx32 " not used (%s)",
				       PART_RESERVED, i, strbuf_str(&path), a->iova, a->size,
				       a->device_phandle,
				       !res->available ? "status is not \"okay\""
						       : "that node has no iommus");
			continue;
		}
		master = &run->fdt->masters[a->master_index];
		if (res->reg.state != FW_FDT_REG_OK || a->iova != res->reg.start ||
		    a->size > res->reg.size) {
			struct strbuf device = STRBUF_INIT;

			cfg_board_note(run->b,
				       "%s %zu %s: IOVA 0x%" PRIx64 ",0x%" PRIx64 " of %s is %s; "
				       "not used (only identity mappings become reserved)",
				       PART_RESERVED, i, strbuf_str(&path), a->iova, a->size,
				       escaped_path(&device, master->path),
				       res->reg.state == FW_FDT_REG_ABSENT
					       ? "an IOVA reservation"
					       : "not the region's own address");
			strbuf_fini(&device);
			continue;
		}
		for (uint32_t s = 0; r == 0 && s < master->streams.count; s++) {
			const struct fw_fdt_stream *st =
				&run->fdt->streams[master->streams.first + s];

			if (unusable_iommu(run, st->smmu_index)) {
				continue; /* the device's own note says why */
			}
			r = cfg_arm_add_reserved(run->arm, run->units[st->smmu_index], st->sid, 1,
						 a->iova, a->size, where);
		}
	}
	strbuf_fini(&path);
	return r < 0 ? arm_error(run, r) : 0;
}

static int describe(struct fdt_run *run)
{
	const struct fw_fdt_iommu *d = run->fdt;
	int r;

	note_summary(run);
	r = describe_units(run);
	for (size_t h = 0; r == 0 && h < d->pci_host_count; h++) {
		r = describe_pci_host(run, h);
	}
	for (size_t m = 0; r == 0 && m < d->master_count; m++) {
		r = describe_device(run, m);
	}
	for (size_t i = 0; r == 0 && i < d->reserved_count; i++) {
		r = describe_reserved(run, i);
	}
	return r < 0 ? r : (run->b->oom ? -ENOMEM : 0);
}

/*
 * The device-tree source of cfg-discover-arm.h: reads and decodes the blob
 * and describes it in *arm.  Returns 0, CFG_ARM_SOURCE_ABSENT (the machine
 * has none and --fdt named none), -EINVAL after an error, or -ENOMEM.
 */
int cfg_arm_source_fdt(struct cfg_board *b, const struct cfg_discover_options *opts,
		       const struct cfg_arm_params *params, struct cfg_arm_board *arm)
{
	const char *path = opts->fdt_path ? opts->fdt_path : CFG_FDT_MACHINE_PATH;
	bool named = opts->fdt_path != NULL;
	struct fdt_run run = {.b = b, .arm = arm};
	struct fw_fdt_iommu fdt = {0};
	struct fw_error err = {0};
	char *text;
	size_t size = 0;
	int r;

	r = cfg_arm_source_read(b, opts, params, "device tree", path, named, &text, &size);
	if (!text) {
		return r;
	}
	r = fw_fdt_iommu_parse(text, size, &fdt, &err);
	smmu_free(text);
	if (r < 0) {
		return cfg_arm_source_invalid(b, opts, params, "device tree", named, r,
					      err.message);
	}
	run.fdt = &fdt;
	run.units = smmu_calloc(fdt.smmu_count ? fdt.smmu_count : 1, sizeof(*run.units));
	if (!run.units) {
		b->oom = true;
		r = -ENOMEM;
	} else {
		r = describe(&run);
	}
	smmu_free(run.units);
	fw_fdt_iommu_fini(&fdt);
	return r;
}
