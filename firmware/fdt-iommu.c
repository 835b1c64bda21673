/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device-tree decoder for SMMUv3 discovery.  libfdt's fdt_check_full()
 * proves the blob's structure sound first (every tag, name and string
 * offset inside the blob, nodes properly nested), so libfdt's accessors can
 * be used afterwards; what the properties *say* is checked here, property by
 * property, against the bindings.
 *
 * Two walks over the nodes, each keeping the chain of ancestors (needed for
 * paths and for address translation, which libfdt only offers by rescanning
 * the tree from the root for every node):
 *  1. every phandle, into a table sorted for lookup, and every SMMUv3 node;
 *  2. PCI host bridges and their iommu-map, devices with `iommus`, and
 *     /reserved-memory children with `iommu-addresses`, whose phandles
 *     resolve through the table.
 * Arrays grow as the walks find things; any error frees everything.
 */
#include "fdt-iommu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "common/alloc.h"
#include "common/compiler.h"
#include "firmware/fdt-check.h"

/* Devicetree specification v0.4 §2.3.5: without #address-cells and
 * #size-cells a client assumes 2 and 1. */
#define FDT_DEFAULT_ADDRESS_CELLS 2u
#define FDT_DEFAULT_SIZE_CELLS 1u

/* Addresses and sizes this decoder can hold in 64 bits. */
#define FDT_MAX_VALUE_CELLS 2u

/* pci/pci-iommu.txt: (rid-base, iommu phandle, iommu-base, length), and the
 * specifier of an iommu-map target is one cell. */
#define FDT_IOMMU_MAP_ENTRY_CELLS 4u

/* Linux binding iommu/arm,smmu-v3.yaml: the specifier is the StreamID. */
#define FDT_SMMUV3_IOMMU_CELLS 1u

/* A node that has a phandle, and the SMMU it is if it is one. */
struct fdt_phandle {
	uint32_t phandle;
	int node;
	int parent;	     /* -1 for the root */
	uint32_t smmu_index; /* FW_FDT_OTHER_IOMMU when not an SMMUv3 */
};

struct fdt_walk {
	const void *fdt; /* the checked, aligned copy */
	struct fw_fdt_iommu *d;
	struct fw_error *err;
	int stack[SMMU_FW_FDT_MAX_DEPTH]; /* node offsets of the ancestors, by depth */
	bool in_pci[SMMU_FW_FDT_MAX_DEPTH];

	struct fdt_phandle *phandles;
	size_t phandle_count, phandle_cap;
	size_t smmu_cap, host_cap, map_cap, master_cap, stream_cap, reserved_cap, address_cap;
};

/* Grows *array (of elements of `elem_size`) so that index `count` exists. */
static int fdt_grow(void **array, size_t *cap, size_t count, size_t elem_size)
{
	size_t new_cap;
	void *p;

	if (count < *cap) {
		return 0;
	}
	new_cap = *cap ? *cap * 2 : 8;
	p = smmu_reallocarray(*array, new_cap, elem_size);
	if (!p) {
		return -ENOMEM;
	}
	*array = p;
	*cap = new_cap;
	return 0;
}

#define FDT_GROW(w, array, count, cap) \
	fdt_grow((void **)&(w)->array, &(w)->cap, (w)->count, sizeof(*(w)->array))

/* The path of the node at `depth`, cut to fit `size` bytes (then it ends in
 * "..."): 0, or -ENAMETOOLONG when it was cut. */
static int fdt_node_path(const struct fdt_walk *w, int depth, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	if (depth == 0) {
		snprintf(buf, size, "/");
		return 0;
	}
	for (int i = 1; i <= depth; i++) {
		int len = 0;
		const char *name = fdt_get_name(w->fdt, w->stack[i], &len);

		if (!name || len < 0) {
			name = "?";
			len = 1;
		}
		/* "/" + name + NUL must fit. */
		if (used + 1 + (size_t)len + 1 > size) {
			if (used + 4 <= size) {
				memcpy(buf + used, "...", 4);
			} else if (size >= 4) {
				memcpy(buf + size - 4, "...", 4);
			}
			return -ENAMETOOLONG;
		}
		buf[used++] = '/';
		memcpy(buf + used, name, (size_t)len);
		used += (size_t)len;
		buf[used] = '\0';
	}
	return 0;
}

/* Records an error about the node at `depth`: "offset N: PATH: message".
 * Returns -EINVAL for the caller to return. */
static int SMMU_PRINTF(3, 4)
	fdt_node_error(const struct fdt_walk *w, int depth, const char *fmt, ...)
{
	/* Cut so that the message after it still fits the error record. */
	char path[FW_ERROR_MESSAGE_SIZE / 2];
	char message[FW_ERROR_MESSAGE_SIZE];
	va_list ap;

	fdt_node_path(w, depth, path, sizeof(path));
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	fw_error_set(w->err, fdt_off_dt_struct(w->fdt) + (size_t)w->stack[depth], "%s: %s", path,
		     message);
	return -EINVAL;
}

static uint32_t fdt_cell(const void *value, size_t index)
{
	return fdt32_ld((const fdt32_t *)value + index);
}

/* A value of `count` (1 or 2) big-endian cells. */
static uint64_t fdt_cells_value(const void *value, size_t first, uint32_t count)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < count; i++) {
		v = v << 32 | fdt_cell(value, first + i);
	}
	return v;
}

/* Reads the one-cell property `name` of the node at `depth`: 0, -ENOENT
 * when it is absent, -EINVAL (reported) when it is not one cell. */
static int fdt_read_u32(const struct fdt_walk *w, int depth, const char *name, uint32_t *ret)
{
	int len = 0;
	const void *value = fdt_getprop(w->fdt, w->stack[depth], name, &len);

	if (!value) {
		return -ENOENT;
	}
	if (len != (int)sizeof(fdt32_t)) {
		return fdt_node_error(w, depth, "%s is %d bytes long, not one cell", name, len);
	}
	*ret = fdt_cell(value, 0);
	return 0;
}

/* #address-cells or #size-cells of the node at `depth`, with the default
 * when absent.  Devicetree specification §2.3.5 bounds neither; libfdt and
 * Linux refuse more than 4 (FDT_MAX_NCELLS), so does this. */
static int fdt_read_ncells(const struct fdt_walk *w, int depth, const char *name, uint32_t dflt,
			   uint32_t *ret)
{
	uint32_t v = dflt;
	int r = fdt_read_u32(w, depth, name, &v);

	if (r < 0 && r != -ENOENT) {
		return r;
	}
	if (v > FDT_MAX_NCELLS) {
		return fdt_node_error(w, depth, "%s is %u, more than %d", name, v, FDT_MAX_NCELLS);
	}
	*ret = v;
	return 0;
}

/* Whether the property `name` of `node` is the string `str`. */
static bool fdt_prop_is_string(const void *fdt, int node, const char *name, const char *str)
{
	int len = 0;
	const char *value = fdt_getprop(fdt, node, name, &len);
	size_t want = strlen(str) + 1;

	return value && len >= 0 && (size_t)len == want && memcmp(value, str, want) == 0;
}

/* Devicetree specification §2.3.4: "okay" (or the older "ok") or no status
 * means the device is usable; anything else ("disabled", "fail") not. */
static bool fdt_node_available(const void *fdt, int node)
{
	if (!fdt_getprop(fdt, node, "status", NULL)) {
		return true;
	}
	return fdt_prop_is_string(fdt, node, "status", "okay") ||
	       fdt_prop_is_string(fdt, node, "status", "ok");
}

static bool fdt_is_compatible(const void *fdt, int node, const char *compatible)
{
	return fdt_node_check_compatible(fdt, node, compatible) == 0;
}

/*
 * Translates an address `addr` of the bus of the node at `depth` (that bus
 * is the node at `depth` - 1) through each ancestor's `ranges` up to the
 * root.  *ret_untranslatable is set when a bus cannot be crossed.
 */
static int fdt_translate(const struct fdt_walk *w, int depth, uint32_t address_cells,
			 uint64_t *addr, bool *ret_untranslatable)
{
	*ret_untranslatable = false;
	for (int bus = depth - 1; bus >= 1; bus--) {
		uint32_t parent_cells, size_cells, entry_cells;
		const void *ranges;
		int len = 0;
		bool found = false;
		int r;

		ranges = fdt_getprop(w->fdt, w->stack[bus], "ranges", &len);
		if (!ranges) {
			/* Devicetree specification §2.3.8: no ranges, no
			 * mapping to the parent's address space. */
			*ret_untranslatable = true;
			return 0;
		}
		if (len == 0) {
			continue; /* identity */
		}
		r = fdt_read_ncells(w, bus - 1, "#address-cells", FDT_DEFAULT_ADDRESS_CELLS,
				    &parent_cells);
		if (r < 0) {
			return r;
		}
		r = fdt_read_ncells(w, bus, "#size-cells", FDT_DEFAULT_SIZE_CELLS, &size_cells);
		if (r < 0) {
			return r;
		}
		entry_cells = address_cells + parent_cells + size_cells;
		if (entry_cells == 0 || len % (int)(entry_cells * sizeof(fdt32_t)) != 0) {
			return fdt_node_error(w, bus,
					      "ranges is %d bytes long, not a multiple of %u "
					      "cells (child address, parent address, size)",
					      len, entry_cells);
		}
		if (address_cells > FDT_MAX_VALUE_CELLS || parent_cells > FDT_MAX_VALUE_CELLS ||
		    size_cells > FDT_MAX_VALUE_CELLS) {
			*ret_untranslatable = true;
			return 0;
		}
		for (size_t i = 0; i + entry_cells <= (size_t)len / sizeof(fdt32_t);
		     i += entry_cells) {
			uint64_t child = fdt_cells_value(ranges, i, address_cells);
			uint64_t parent = fdt_cells_value(ranges, i + address_cells, parent_cells);
			uint64_t size = fdt_cells_value(ranges, i + address_cells + parent_cells,
							size_cells);

			if (*addr < child || *addr - child >= size) {
				continue;
			}
			if (__builtin_add_overflow(parent, *addr - child, addr)) {
				return fdt_node_error(w, bus,
						      "ranges maps 0x%llx beyond 64-bit addresses",
						      (unsigned long long)child);
			}
			found = true;
			break;
		}
		if (!found) {
			*ret_untranslatable = true;
			return 0;
		}
		address_cells = parent_cells;
	}
	return 0;
}

/* The first `reg` entry of the node at `depth`, as a CPU physical address. */
static int fdt_read_reg(const struct fdt_walk *w, int depth, struct fw_fdt_reg *ret_reg)
{
	struct fw_fdt_reg reg = {.state = FW_FDT_REG_ABSENT};
	uint32_t address_cells = FDT_DEFAULT_ADDRESS_CELLS, size_cells = FDT_DEFAULT_SIZE_CELLS;
	const void *value;
	int len = 0;
	bool untranslatable = false;
	int r;

	value = fdt_getprop(w->fdt, w->stack[depth], "reg", &len);
	if (!value) {
		*ret_reg = reg;
		return 0;
	}
	if (depth > 0) {
		r = fdt_read_ncells(w, depth - 1, "#address-cells", FDT_DEFAULT_ADDRESS_CELLS,
				    &address_cells);
		if (r < 0) {
			return r;
		}
		r = fdt_read_ncells(w, depth - 1, "#size-cells", FDT_DEFAULT_SIZE_CELLS,
				    &size_cells);
		if (r < 0) {
			return r;
		}
	}
	if (address_cells == 0) {
		return fdt_node_error(w, depth, "reg on a bus with #address-cells 0");
	}
	if (len == 0 || len % (int)((address_cells + size_cells) * sizeof(fdt32_t)) != 0) {
		return fdt_node_error(w, depth,
				      "reg is %d bytes long, not a non-zero multiple of %u cells "
				      "(#address-cells %u + #size-cells %u)",
				      len, address_cells + size_cells, address_cells, size_cells);
	}
	if (address_cells > FDT_MAX_VALUE_CELLS || size_cells > FDT_MAX_VALUE_CELLS) {
		reg.state = FW_FDT_REG_UNTRANSLATABLE;
		*ret_reg = reg;
		return 0;
	}
	reg.start = fdt_cells_value(value, 0, address_cells);
	reg.size = fdt_cells_value(value, address_cells, size_cells);
	r = fdt_translate(w, depth, address_cells, &reg.start, &untranslatable);
	if (r < 0) {
		return r;
	}
	if (untranslatable) {
		reg = (struct fw_fdt_reg){.state = FW_FDT_REG_UNTRANSLATABLE};
		*ret_reg = reg;
		return 0;
	}
	if (reg.size > 0 && reg.start + (reg.size - 1) < reg.start) {
		return fdt_node_error(w, depth, "reg 0x%llx size 0x%llx wraps around 64 bits",
				      (unsigned long long)reg.start, (unsigned long long)reg.size);
	}
	reg.state = FW_FDT_REG_OK;
	*ret_reg = reg;
	return 0;
}

/* The node's path into `buf` (SMMU_FW_FDT_MAX_PATH bytes); a longer path is
 * an error, as a kept path must name the node exactly. */
static int fdt_keep_path(const struct fdt_walk *w, int depth, char *buf)
{
	if (fdt_node_path(w, depth, buf, SMMU_FW_FDT_MAX_PATH) < 0) {
		return fdt_node_error(w, depth, "path longer than %d bytes",
				      SMMU_FW_FDT_MAX_PATH - 1);
	}
	return 0;
}

/* ---- Walk 1: phandles and SMMUv3 nodes ---- */

/* The node's phandle (`phandle`, or the older `linux,phandle`), 0 for none. */
static int fdt_read_phandle(const struct fdt_walk *w, int depth, uint32_t *ret_phandle)
{
	uint32_t phandle = 0;
	int r = fdt_read_u32(w, depth, "phandle", &phandle);

	if (r == -ENOENT) {
		r = fdt_read_u32(w, depth, "linux,phandle", &phandle);
	}
	if (r == -ENOENT) {
		*ret_phandle = 0;
		return 0;
	}
	if (r < 0) {
		return r;
	}
	/* Devicetree specification §2.3.3 leaves 0 and -1 without meaning;
	 * libfdt treats both as "no phandle". */
	if (phandle == 0 || phandle == UINT32_MAX) {
		return fdt_node_error(w, depth, "phandle 0x%x is not a valid phandle", phandle);
	}
	*ret_phandle = phandle;
	return 0;
}

static int fdt_visit_smmu(struct fdt_walk *w, int depth, uint32_t phandle)
{
	struct fw_fdt_smmu smmu = {
		.offset = (uint32_t)(fdt_off_dt_struct(w->fdt) + (uint32_t)w->stack[depth]),
		.phandle = phandle,
		.available = fdt_node_available(w->fdt, w->stack[depth]),
	};
	uint32_t cells = 0;
	int r;

	r = fdt_read_u32(w, depth, "#iommu-cells", &cells);
	if (r == -ENOENT) {
		return fdt_node_error(w, depth, "SMMUv3 node without #iommu-cells (must be 1)");
	}
	if (r < 0) {
		return r;
	}
	if (cells != FDT_SMMUV3_IOMMU_CELLS) {
		return fdt_node_error(w, depth, "SMMUv3 #iommu-cells is %u, must be 1", cells);
	}
	r = fdt_read_reg(w, depth, &smmu.reg);
	if (r < 0) {
		return r;
	}
	if (smmu.reg.state == FW_FDT_REG_ABSENT) {
		return fdt_node_error(w, depth, "SMMUv3 node without reg");
	}
	if (smmu.reg.state == FW_FDT_REG_UNTRANSLATABLE) {
		return fdt_node_error(w, depth,
				      "SMMUv3 reg does not translate to a CPU physical address");
	}
	r = fdt_keep_path(w, depth, smmu.path);
	if (r < 0) {
		return r;
	}
	if (w->d->smmu_count >= SMMU_FW_FDT_MAX_SMMUS) {
		return fdt_node_error(w, depth, "more than %d SMMUv3 nodes in the tree",
				      SMMU_FW_FDT_MAX_SMMUS);
	}
	if (FDT_GROW(w, d->smmus, d->smmu_count, smmu_cap) < 0) {
		return -ENOMEM;
	}
	w->d->smmus[w->d->smmu_count++] = smmu;
	return 0;
}

static int fdt_visit_walk1(struct fdt_walk *w, int depth)
{
	uint32_t phandle = 0;
	uint32_t smmu_index = FW_FDT_OTHER_IOMMU;
	int r = fdt_read_phandle(w, depth, &phandle);

	if (r < 0) {
		return r;
	}
	if (fdt_is_compatible(w->fdt, w->stack[depth], FW_FDT_SMMUV3_COMPATIBLE)) {
		smmu_index = (uint32_t)w->d->smmu_count;
		r = fdt_visit_smmu(w, depth, phandle);
		if (r < 0) {
			return r;
		}
	}
	if (phandle == 0) {
		return 0;
	}
	if (FDT_GROW(w, phandles, phandle_count, phandle_cap) < 0) {
		return -ENOMEM;
	}
	w->phandles[w->phandle_count++] = (struct fdt_phandle){
		.phandle = phandle,
		.node = w->stack[depth],
		.parent = depth > 0 ? w->stack[depth - 1] : -1,
		.smmu_index = smmu_index,
	};
	return 0;
}

static int fdt_phandle_cmp(const void *a, const void *b)
{
	const struct fdt_phandle *pa = a, *pb = b;

	return (pa->phandle > pb->phandle) - (pa->phandle < pb->phandle);
}

static const struct fdt_phandle *fdt_phandle_find(const struct fdt_walk *w, uint32_t phandle)
{
	struct fdt_phandle key = {.phandle = phandle};

	if (w->phandle_count == 0) {
		return NULL;
	}
	return bsearch(&key, w->phandles, w->phandle_count, sizeof(*w->phandles), fdt_phandle_cmp);
}

/* Sorts the phandle table; two nodes with one phandle make every reference
 * to it ambiguous, so that is an error. */
static int fdt_phandles_index(struct fdt_walk *w)
{
	if (w->phandle_count == 0) {
		return 0;
	}
	qsort(w->phandles, w->phandle_count, sizeof(*w->phandles), fdt_phandle_cmp);
	for (size_t i = 1; i < w->phandle_count; i++) {
		if (w->phandles[i].phandle == w->phandles[i - 1].phandle) {
			int node = w->phandles[i].node;

			fw_error_set(w->err, fdt_off_dt_struct(w->fdt) + (size_t)node,
				     "phandle 0x%x is used by two nodes", w->phandles[i].phandle);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- Walk 2: PCI host bridges and devices with `iommus` ---- */

/*
 * Resolves `phandle`, found in property `prop` of the node at `depth`, to
 * an IOMMU node: *ret_smmu_index (or FW_FDT_OTHER_IOMMU) and its
 * #iommu-cells.
 */
static int fdt_resolve_iommu(const struct fdt_walk *w, int depth, const char *prop,
			     uint32_t phandle, uint32_t *ret_smmu_index, uint32_t *ret_cells)
{
	const struct fdt_phandle *target = fdt_phandle_find(w, phandle);
	int len = 0;
	const void *cells;

	if (!target) {
		return fdt_node_error(w, depth, "%s names phandle 0x%x, which no node has", prop,
				      phandle);
	}
	cells = fdt_getprop(w->fdt, target->node, "#iommu-cells", &len);
	if (!cells || len != (int)sizeof(fdt32_t)) {
		return fdt_node_error(w, depth,
				      "%s names phandle 0x%x, a node without a one-cell "
				      "#iommu-cells",
				      prop, phandle);
	}
	*ret_smmu_index = target->smmu_index;
	*ret_cells = fdt_cell(cells, 0);
	return 0;
}

static int fdt_visit_iommu_map(struct fdt_walk *w, int depth, struct fw_fdt_pci_host *host)
{
	int len = 0;
	const void *map = fdt_getprop(w->fdt, w->stack[depth], "iommu-map", &len);
	size_t entry_size = FDT_IOMMU_MAP_ENTRY_CELLS * sizeof(fdt32_t);
	int r;

	host->map.first = (uint32_t)w->d->map_entry_count;
	if (!map) {
		return 0;
	}
	host->has_iommu_map = true;
	/* Linux refuses an empty map too (drivers/of/base.c of_map_id()). */
	if (len <= 0 || (size_t)len % entry_size != 0) {
		return fdt_node_error(w, depth,
				      "iommu-map is %d bytes long, not a non-zero multiple of 4 "
				      "cells (rid-base, iommu, iommu-base, length)",
				      len);
	}
	r = fdt_read_u32(w, depth, "iommu-map-mask", &host->iommu_map_mask);
	if (r == 0) {
		host->has_iommu_map_mask = true;
	} else if (r != -ENOENT) {
		return r;
	}
	for (size_t i = 0; i < (size_t)len / entry_size; i++) {
		struct fw_fdt_iommu_map_entry e = {
			.rid_base = fdt_cell(map, i * 4),
			.iommu_phandle = fdt_cell(map, i * 4 + 1),
			.sid_base = fdt_cell(map, i * 4 + 2),
			.length = fdt_cell(map, i * 4 + 3),
		};
		uint32_t cells = 0, last;

		r = fdt_resolve_iommu(w, depth, "iommu-map", e.iommu_phandle, &e.smmu_index,
				      &cells);
		if (r < 0) {
			return r;
		}
		if (cells != 1) {
			return fdt_node_error(w, depth,
					      "iommu-map entry %zu names an IOMMU with "
					      "#iommu-cells %u; the binding needs 1",
					      i, cells);
		}
		if (e.length == 0) {
			return fdt_node_error(w, depth, "iommu-map entry %zu has length 0", i);
		}
		if (__builtin_add_overflow(e.rid_base, e.length - 1, &last) ||
		    __builtin_add_overflow(e.sid_base, e.length - 1, &last)) {
			return fdt_node_error(w, depth,
					      "iommu-map entry %zu (rid-base 0x%x, iommu-base "
					      "0x%x, length 0x%x) runs past 32-bit IDs",
					      i, e.rid_base, e.sid_base, e.length);
		}
		if (w->d->map_entry_count >= SMMU_FW_FDT_MAX_STREAMS) {
			return fdt_node_error(w, depth,
					      "more than %d iommu-map entries in the tree",
					      SMMU_FW_FDT_MAX_STREAMS);
		}
		if (FDT_GROW(w, d->map_entries, d->map_entry_count, map_cap) < 0) {
			return -ENOMEM;
		}
		w->d->map_entries[w->d->map_entry_count++] = e;
		host->map.count++;
	}
	return 0;
}

static int fdt_visit_pci_host(struct fdt_walk *w, int depth)
{
	struct fw_fdt_pci_host host = {
		.offset = (uint32_t)(fdt_off_dt_struct(w->fdt) + (uint32_t)w->stack[depth]),
		.bus_last = 255,
		.iommu_map_mask = UINT32_MAX,
		.available = fdt_node_available(w->fdt, w->stack[depth]),
	};
	const void *bus_range;
	int len = 0;
	int r;

	r = fdt_read_u32(w, depth, "linux,pci-domain", &host.domain);
	if (r == 0) {
		host.domain_from_property = true;
	} else if (r != -ENOENT) {
		return r;
	}
	bus_range = fdt_getprop(w->fdt, w->stack[depth], "bus-range", &len);
	if (bus_range) {
		uint32_t start, last;

		if (len != 2 * (int)sizeof(fdt32_t)) {
			return fdt_node_error(w, depth, "bus-range is %d bytes long, not 2 cells",
					      len);
		}
		start = fdt_cell(bus_range, 0);
		last = fdt_cell(bus_range, 1);
		if (start > last || last > 255) {
			return fdt_node_error(w, depth, "bus-range <%u %u> is not within 0..255",
					      start, last);
		}
		host.bus_start = (uint8_t)start;
		host.bus_last = (uint8_t)last;
	}
	r = fdt_read_reg(w, depth, &host.reg);
	if (r < 0) {
		return r;
	}
	r = fdt_visit_iommu_map(w, depth, &host);
	if (r < 0) {
		return r;
	}
	r = fdt_keep_path(w, depth, host.path);
	if (r < 0) {
		return r;
	}
	if (w->d->pci_host_count + w->d->master_count >= SMMU_FW_FDT_MAX_NODES) {
		return fdt_node_error(w, depth, "more than %d PCI hosts and devices in the tree",
				      SMMU_FW_FDT_MAX_NODES);
	}
	if (FDT_GROW(w, d->pci_hosts, d->pci_host_count, host_cap) < 0) {
		return -ENOMEM;
	}
	w->d->pci_hosts[w->d->pci_host_count++] = host;
	return 0;
}

/* A device's `iommus`: (phandle, #iommu-cells specifier cells) repeated. */
static int fdt_visit_master(struct fdt_walk *w, int depth, const void *iommus, int len)
{
	struct fw_fdt_master master = {
		.offset = (uint32_t)(fdt_off_dt_struct(w->fdt) + (uint32_t)w->stack[depth]),
		.streams.first = (uint32_t)w->d->stream_count,
		.available = fdt_node_available(w->fdt, w->stack[depth]),
	};
	size_t cell_count = (size_t)len / sizeof(fdt32_t);
	int r;

	if (len <= 0 || (size_t)len % sizeof(fdt32_t) != 0) {
		return fdt_node_error(w, depth,
				      "iommus is %d bytes long, not a non-zero number "
				      "of cells",
				      len);
	}
	for (size_t i = 0; i < cell_count;) {
		struct fw_fdt_stream s = {.iommu_phandle = fdt_cell(iommus, i)};
		uint32_t cells = 0;

		r = fdt_resolve_iommu(w, depth, "iommus", s.iommu_phandle, &s.smmu_index, &cells);
		if (r < 0) {
			return r;
		}
		if (cells > cell_count - i - 1) {
			return fdt_node_error(w, depth,
					      "iommus: the specifier for phandle 0x%x needs %u "
					      "cells, %zu are left",
					      s.iommu_phandle, cells, cell_count - i - 1);
		}
		s.sid = cells > 0 ? fdt_cell(iommus, i + 1) : 0;
		i += 1 + (size_t)cells;
		if (w->d->stream_count >= SMMU_FW_FDT_MAX_STREAMS) {
			return fdt_node_error(w, depth, "more than %d iommus entries in the tree",
					      SMMU_FW_FDT_MAX_STREAMS);
		}
		if (FDT_GROW(w, d->streams, d->stream_count, stream_cap) < 0) {
			return -ENOMEM;
		}
		w->d->streams[w->d->stream_count++] = s;
		master.streams.count++;
	}
	r = fdt_read_reg(w, depth, &master.reg);
	if (r < 0) {
		return r;
	}
	r = fdt_keep_path(w, depth, master.path);
	if (r < 0) {
		return r;
	}
	if (w->d->pci_host_count + w->d->master_count >= SMMU_FW_FDT_MAX_NODES) {
		return fdt_node_error(w, depth, "more than %d PCI hosts and devices in the tree",
				      SMMU_FW_FDT_MAX_NODES);
	}
	if (FDT_GROW(w, d->masters, d->master_count, master_cap) < 0) {
		return -ENOMEM;
	}
	w->d->masters[w->d->master_count++] = master;
	return 0;
}

/* #address-cells or #size-cells of `node` (a node offset, not a depth), for
 * nodes off the current path: the default when absent, 0 or -EINVAL. */
static int fdt_node_ncells(const struct fdt_walk *w, int depth, int node, const char *name,
			   uint32_t dflt, uint32_t *ret)
{
	int len = 0;
	const void *value = node >= 0 ? fdt_getprop(w->fdt, node, name, &len) : NULL;
	uint32_t v = dflt;

	if (value) {
		if (len != (int)sizeof(fdt32_t) || fdt_cell(value, 0) > FDT_MAX_NCELLS) {
			return fdt_node_error(w, depth, "a device it names has a bad %s", name);
		}
		v = fdt_cell(value, 0);
	}
	*ret = v;
	return 0;
}

/*
 * A /reserved-memory child with `iommu-addresses`: (device phandle, address,
 * size) repeated, address and size in the cells of the device's parent bus
 * (Linux reads them as the device's DMA addresses).
 */
static int fdt_visit_reserved(struct fdt_walk *w, int depth, const void *value, int len)
{
	struct fw_fdt_reserved res = {
		.offset = (uint32_t)(fdt_off_dt_struct(w->fdt) + (uint32_t)w->stack[depth]),
		.addresses.first = (uint32_t)w->d->iommu_address_count,
		.available = fdt_node_available(w->fdt, w->stack[depth]),
	};
	size_t cell_count = (size_t)len / sizeof(fdt32_t);
	int r;

	if (len <= 0 || (size_t)len % sizeof(fdt32_t) != 0) {
		return fdt_node_error(w, depth,
				      "iommu-addresses is %d bytes long, not a non-zero number "
				      "of cells",
				      len);
	}
	for (size_t i = 0; i < cell_count;) {
		struct fw_fdt_iommu_address a = {
			.device_phandle = fdt_cell(value, i),
			.master_index = FW_FDT_NO_MASTER,
		};
		const struct fdt_phandle *target = fdt_phandle_find(w, a.device_phandle);
		uint32_t address_cells, size_cells;

		if (!target) {
			return fdt_node_error(w, depth,
					      "iommu-addresses names phandle 0x%x, which no node "
					      "has",
					      a.device_phandle);
		}
		r = fdt_node_ncells(w, depth, target->parent, "#address-cells",
				    FDT_DEFAULT_ADDRESS_CELLS, &address_cells);
		if (r == 0) {
			r = fdt_node_ncells(w, depth, target->parent, "#size-cells",
					    FDT_DEFAULT_SIZE_CELLS, &size_cells);
		}
		if (r < 0) {
			return r;
		}
		if (address_cells == 0 || address_cells > FDT_MAX_VALUE_CELLS || size_cells == 0 ||
		    size_cells > FDT_MAX_VALUE_CELLS) {
			return fdt_node_error(w, depth,
					      "iommu-addresses for phandle 0x%x: %u address and %u "
					      "size cells do not give a 64-bit range",
					      a.device_phandle, address_cells, size_cells);
		}
		if (address_cells + size_cells > cell_count - i - 1) {
			return fdt_node_error(w, depth,
					      "iommu-addresses for phandle 0x%x needs %u cells, "
					      "%zu are left",
					      a.device_phandle, address_cells + size_cells,
					      cell_count - i - 1);
		}
		a.iova = fdt_cells_value(value, i + 1, address_cells);
		a.size = fdt_cells_value(value, i + 1 + address_cells, size_cells);
		i += 1 + (size_t)address_cells + size_cells;
		if (a.size == 0 || a.iova + (a.size - 1) < a.iova) {
			return fdt_node_error(
				w, depth, "iommu-addresses 0x%llx size 0x%llx is empty or wraps",
				(unsigned long long)a.iova, (unsigned long long)a.size);
		}
		a.master_index = (uint32_t)target->node; /* a node offset until resolved */
		if (w->d->iommu_address_count >= SMMU_FW_FDT_MAX_STREAMS) {
			return fdt_node_error(w, depth,
					      "more than %d iommu-addresses entries in the tree",
					      SMMU_FW_FDT_MAX_STREAMS);
		}
		if (FDT_GROW(w, d->iommu_addresses, d->iommu_address_count, address_cap) < 0) {
			return -ENOMEM;
		}
		w->d->iommu_addresses[w->d->iommu_address_count++] = a;
		res.addresses.count++;
	}
	r = fdt_read_reg(w, depth, &res.reg);
	if (r < 0) {
		return r;
	}
	r = fdt_keep_path(w, depth, res.path);
	if (r < 0) {
		return r;
	}
	if (w->d->pci_host_count + w->d->master_count + w->d->reserved_count >=
	    SMMU_FW_FDT_MAX_NODES) {
		return fdt_node_error(w, depth, "more than %d kept nodes in the tree",
				      SMMU_FW_FDT_MAX_NODES);
	}
	if (FDT_GROW(w, d->reserved, d->reserved_count, reserved_cap) < 0) {
		return -ENOMEM;
	}
	w->d->reserved[w->d->reserved_count++] = res;
	return 0;
}

/* Turns the node offsets walk 2 left in iommu_addresses[].master_index
 * into indexes of masters[] (which are in tree order, so sorted). */
static void fdt_resolve_address_masters(struct fdt_walk *w)
{
	struct fw_fdt_iommu *d = w->d;

	for (size_t i = 0; i < d->iommu_address_count; i++) {
		uint32_t offset =
			(uint32_t)fdt_off_dt_struct(w->fdt) + d->iommu_addresses[i].master_index;
		size_t lo = 0, hi = d->master_count;

		d->iommu_addresses[i].master_index = FW_FDT_NO_MASTER;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (d->masters[mid].offset < offset) {
				lo = mid + 1;
			} else {
				hi = mid;
			}
		}
		if (lo < d->master_count && d->masters[lo].offset == offset) {
			d->iommu_addresses[i].master_index = (uint32_t)lo;
		}
	}
}

static bool fdt_is_pci_node(const void *fdt, int node)
{
	return fdt_prop_is_string(fdt, node, "device_type", "pci") ||
	       fdt_is_compatible(fdt, node, "pci-host-ecam-generic");
}

/* Whether `node` (a child of the root) is /reserved-memory. */
static bool fdt_is_reserved_memory(const void *fdt, int node)
{
	int len = 0;
	const char *name = fdt_get_name(fdt, node, &len);

	return name && len == (int)strlen("reserved-memory") &&
	       memcmp(name, "reserved-memory", (size_t)len) == 0;
}

static int fdt_visit_walk2(struct fdt_walk *w, int depth)
{
	int node = w->stack[depth];
	bool parent_in_pci = depth > 0 && w->in_pci[depth - 1];
	bool is_pci = fdt_is_pci_node(w->fdt, node);
	int len = 0;
	const void *iommus;
	int r;

	w->in_pci[depth] = parent_in_pci || is_pci;
	if (is_pci && !parent_in_pci) {
		r = fdt_visit_pci_host(w, depth);
		if (r < 0) {
			return r;
		}
	} else if (fdt_getprop(w->fdt, node, "iommu-map", NULL)) {
		w->d->ignored_iommu_map_count++;
	}
	iommus = fdt_getprop(w->fdt, node, "iommus", &len);
	if (iommus) {
		r = fdt_visit_master(w, depth, iommus, len);
		if (r < 0) {
			return r;
		}
	}
	if (depth == 2 && fdt_is_reserved_memory(w->fdt, w->stack[1])) {
		const void *addresses = fdt_getprop(w->fdt, node, "iommu-addresses", &len);

		if (addresses) {
			return fdt_visit_reserved(w, depth, addresses, len);
		}
	}
	return 0;
}

/* Calls `visit` for each node in tree order, with w->stack[0..depth] set. */
static int fdt_walk_nodes(struct fdt_walk *w, int (*visit)(struct fdt_walk *w, int depth))
{
	int depth = -1;
	int node;

	for (node = fdt_next_node(w->fdt, -1, &depth); node >= 0 && depth >= 0;
	     node = fdt_next_node(w->fdt, node, &depth)) {
		int r;

		if (depth >= SMMU_FW_FDT_MAX_DEPTH) {
			fw_error_set(w->err, fdt_off_dt_struct(w->fdt) + (size_t)node,
				     "nodes nested deeper than %d levels", SMMU_FW_FDT_MAX_DEPTH);
			return -EINVAL;
		}
		w->stack[depth] = node;
		r = visit(w, depth);
		if (r < 0) {
			return r;
		}
	}
	if (node < 0 && node != -FDT_ERR_NOTFOUND) {
		fw_error_set(w->err, fdt_off_dt_struct(w->fdt), "libfdt: %s", fdt_strerror(node));
		return -EINVAL;
	}
	return 0;
}

static int fdt_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Gives each host bridge without `linux,pci-domain` the lowest domain that
 * no bridge states and no earlier one got; two bridges stating the same
 * domain would make requester IDs ambiguous, an error. */
static int fdt_assign_domains(struct fdt_walk *w)
{
	struct fw_fdt_iommu *d = w->d;
	uint32_t *stated;
	size_t stated_count = 0;
	uint32_t next = 0;
	int r = 0;

	if (d->pci_host_count == 0) {
		return 0;
	}
	stated = smmu_calloc(d->pci_host_count, sizeof(*stated));
	if (!stated) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < d->pci_host_count; i++) {
		if (d->pci_hosts[i].domain_from_property) {
			stated[stated_count++] = d->pci_hosts[i].domain;
		}
	}
	qsort(stated, stated_count, sizeof(*stated), fdt_u32_cmp);
	for (size_t i = 1; i < stated_count; i++) {
		if (stated[i] == stated[i - 1]) {
			fw_error_set(w->err, 0, "linux,pci-domain %u is stated by two PCI hosts",
				     stated[i]);
			r = -EINVAL;
			goto out_free;
		}
	}
	for (size_t i = 0; i < d->pci_host_count; i++) {
		if (d->pci_hosts[i].domain_from_property) {
			continue;
		}
		while (stated_count > 0 &&
		       bsearch(&next, stated, stated_count, sizeof(*stated), fdt_u32_cmp)) {
			next++;
		}
		d->pci_hosts[i].domain = next++;
	}
out_free:
	smmu_free(stated);
	return r;
}

/*
 * Decodes what the flattened device tree `blob` (`size` bytes, untrusted,
 * any alignment) says about SMMUv3 units.  Bytes after the header's
 * totalsize are ignored.
 *
 * Returns 0 and fills *ret_fdt, which the caller frees with
 * fw_fdt_iommu_fini(); -EINVAL for a malformed tree, one that breaks a
 * binding this decoder reads, or one beyond a limit of common/limits.h, with
 * the offset, the node path and a message in `err` (may be NULL); -ENOMEM.
 * Nothing is left allocated on failure.
 */
int fw_fdt_iommu_parse(const void *blob, size_t size, struct fw_fdt_iommu *ret_fdt,
		       struct fw_error *err)
{
	struct fw_fdt_iommu d = {0};
	struct fdt_walk w = {.d = &d, .err = err};
	struct fdt_header header;
	uint32_t total;
	void *copy;
	int r;

	if (size < sizeof(header)) {
		fw_error_set(err, 0, "a device tree header needs %zu bytes, %zu given",
			     sizeof(header), size);
		return -EINVAL;
	}
	memcpy(&header, blob, sizeof(header));
	if (fdt_magic(&header) != FDT_MAGIC) {
		fw_error_set(err, 0, "magic 0x%08x is not a flattened device tree's 0x%08x",
			     fdt_magic(&header), FDT_MAGIC);
		return -EINVAL;
	}
	/* Version 17 (dtc since 2008, Linux, U-Boot, QEMU) is the only one
	 * written today.  libfdt 1.6.1's fdt_check_full() dereferences NULL on
	 * some malformed older-version blobs (found by fuzz-fdt), so they are
	 * refused before it sees them. */
	if (fdt_version(&header) < FDT_LAST_SUPPORTED_VERSION) {
		fw_error_set(err, 0, "device tree version %u is older than %d, the oldest read",
			     fdt_version(&header), FDT_LAST_SUPPORTED_VERSION);
		return -EINVAL;
	}
	total = fdt_totalsize(&header);
	if (total > size) {
		fw_error_set(err, 0, "the header's totalsize %u is more than the %zu bytes given",
			     total, size);
		return -EINVAL;
	}
	if (total > SMMU_FW_FDT_MAX_SIZE) {
		fw_error_set(err, 0, "the tree's %u bytes exceed the limit of %u", total,
			     SMMU_FW_FDT_MAX_SIZE);
		return -EINVAL;
	}
	/* libfdt reads header fields and cells as aligned words. */
	copy = smmu_malloc(total > 0 ? total : 1);
	if (!copy) {
		fw_error_set(err, 0, "out of memory for a copy of the tree");
		return -ENOMEM;
	}
	memcpy(copy, blob, total);
	w.fdt = copy;
	r = fw_fdt_check_structure(copy, total, err);
	if (r < 0) {
		goto err_free;
	}
	r = fdt_check_full(copy, total);
	if (r != 0) {
		fw_error_set(err, 0, "libfdt refuses the tree: %s", fdt_strerror(r));
		r = -EINVAL;
		goto err_free;
	}
	d.total_size = total;

	r = fdt_walk_nodes(&w, fdt_visit_walk1);
	if (r == 0) {
		r = fdt_phandles_index(&w);
	}
	if (r == 0) {
		r = fdt_walk_nodes(&w, fdt_visit_walk2);
	}
	if (r == 0) {
		fdt_resolve_address_masters(&w);
		r = fdt_assign_domains(&w);
	}
	if (r == -ENOMEM) {
		fw_error_set(err, 0, "out of memory for the decoded device tree");
	}
	if (r < 0) {
		goto err_free;
	}
	smmu_free(w.phandles);
	smmu_free(copy);
	*ret_fdt = d;
	return 0;

err_free:
	smmu_free(w.phandles);
	smmu_free(copy);
	fw_fdt_iommu_fini(&d);
	return r;
}

/* Frees what fw_fdt_iommu_parse() allocated; accepts NULL and half-built
 * results.  The struct is zeroed afterwards. */
void fw_fdt_iommu_fini(struct fw_fdt_iommu *fdt)
{
	if (!fdt) {
		return;
	}
	smmu_free(fdt->smmus);
	smmu_free(fdt->pci_hosts);
	smmu_free(fdt->map_entries);
	smmu_free(fdt->masters);
	smmu_free(fdt->streams);
	smmu_free(fdt->reserved);
	smmu_free(fdt->iommu_addresses);
	memset(fdt, 0, sizeof(*fdt));
}

/*
 * Maps requester ID `rid` (bus << 8 | devfn) of a device below `host` to the
 * StreamID it reaches its IOMMU with, by the host's iommu-map-mask and the
 * first iommu-map entry that covers the masked ID (pci/pci-iommu.txt; Linux
 * takes the first match too).  Returns 0 with *ret_sid and *ret_entry (an
 * index into fdt->map_entries, to find the IOMMU), or -ENOENT: no map, or
 * no entry covers it (the device is then not behind any IOMMU).
 */
int fw_fdt_pci_rid_to_sid(const struct fw_fdt_iommu *fdt, const struct fw_fdt_pci_host *host,
			  uint32_t rid, uint32_t *ret_sid, size_t *ret_entry)
{
	uint32_t masked = rid & host->iommu_map_mask;

	for (uint32_t i = 0; i < host->map.count; i++) {
		size_t index = (size_t)host->map.first + i;
		const struct fw_fdt_iommu_map_entry *e = &fdt->map_entries[index];

		if (masked >= e->rid_base && masked - e->rid_base < e->length) {
			*ret_sid = e->sid_base + (masked - e->rid_base);
			*ret_entry = index;
			return 0;
		}
	}
	return -ENOENT;
}
