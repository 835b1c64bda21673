/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The device-tree decoder: QEMU's virt trees in tests/unit/data decode to
 * what QEMU put in them (hw/arm/virt.c: SMMUv3 at 0x09050000, PCIe ECAM,
 * iommu-map), and trees built here with libfdt's sequential-write API cover
 * what QEMU does not write: platform devices with `iommus`, two SMMUs,
 * buses with `ranges`, iommu-map-mask, PCI domains, and every way of being
 * malformed the decoder must refuse with -EINVAL and the node's path.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "common/alloc.h"
#include "file-test-util.h"
#include "firmware/fdt-iommu.h"

#ifndef SMMU_SOURCE_ROOT
#error "the build passes SMMU_SOURCE_ROOT"
#endif

#define DATA_DIR SMMU_SOURCE_ROOT "/tests/unit/data"

/* The test's blobs are never empty. */
static void *read_whole(const char *path, size_t *ret_size)
{
	void *data = test_file_read(path, ret_size);

	assert_true(*ret_size > 0);
	return data;
}

/* ---- Building trees ---- */

#define TREE_SIZE 65536

/* A tree under construction: a root with #address-cells 2, #size-cells 2,
 * like QEMU's virt board. */
static void *tree_begin(void)
{
	void *t = malloc(TREE_SIZE);

	assert_non_null(t);
	assert_int_equal(fdt_create(t, TREE_SIZE), 0);
	assert_int_equal(fdt_finish_reservemap(t), 0);
	assert_int_equal(fdt_begin_node(t, ""), 0);
	assert_int_equal(fdt_property_u32(t, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(t, "#size-cells", 2), 0);
	return t;
}

static void tree_end(void *t)
{
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_finish(t), 0);
}

static void node_begin(void *t, const char *name)
{
	assert_int_equal(fdt_begin_node(t, name), 0);
}

static void node_end(void *t)
{
	assert_int_equal(fdt_end_node(t), 0);
}

/* A property of `count` cells. */
static void prop_cells(void *t, const char *name, int count, ...)
{
	fdt32_t cells[32];
	va_list ap;

	assert_true(count >= 0 && count <= 32);
	va_start(ap, count);
	for (int i = 0; i < count; i++) {
		cells[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	}
	va_end(ap);
	assert_int_equal(fdt_property(t, name, cells, count * (int)sizeof(fdt32_t)), 0);
}

static void prop_u32(void *t, const char *name, uint32_t v)
{
	assert_int_equal(fdt_property_u32(t, name, v), 0);
}

static void prop_str(void *t, const char *name, const char *s)
{
	assert_int_equal(fdt_property_string(t, name, s), 0);
}

/* An SMMUv3 node at `base` (64 KiB of registers x2, as on virt). */
static void add_smmu(void *t, const char *name, uint64_t base, uint32_t phandle)
{
	node_begin(t, name);
	prop_str(t, "compatible", FW_FDT_SMMUV3_COMPATIBLE);
	prop_cells(t, "reg", 4, (uint32_t)(base >> 32), (uint32_t)base, 0, 0x20000);
	prop_u32(t, "#iommu-cells", 1);
	prop_u32(t, "phandle", phandle);
	node_end(t);
}

/* Decodes `t`, which must succeed. */
static void parse_ok(const void *t, struct fw_fdt_iommu *d)
{
	struct fw_error err = {0};
	int r = fw_fdt_iommu_parse(t, fdt_totalsize(t), d, &err);

	if (r != 0) {
		fail_msg("decode failed (%d): %s", r, err.message);
	}
}

/* Decodes `t`, which must fail with -EINVAL and a message that contains
 * each of the NULL-terminated strings after `t`. */
static void parse_fails(const void *t, size_t size, ...)
{
	struct fw_fdt_iommu d;
	struct fw_error err = {0};
	const char *want;
	va_list ap;
	int r;

	memset(&d, 0x5a, sizeof(d));
	r = fw_fdt_iommu_parse(t, size, &d, &err);
	if (r == 0) {
		fw_fdt_iommu_fini(&d);
		fail_msg("a malformed tree decoded");
	}
	assert_int_equal(r, -EINVAL);
	/* *ret_fdt is written only on success. */
	assert_int_equal(d.smmu_count, 0x5a5a5a5a5a5a5a5a);
	assert_true(strncmp(err.message, "offset ", 7) == 0);
	assert_true(err.offset <= size);
	va_start(ap, size);
	while ((want = va_arg(ap, const char *)) != NULL) {
		if (!strstr(err.message, want)) {
			fail_msg("message \"%s\" lacks \"%s\"", err.message, want);
		}
	}
	va_end(ap);
}

/* The blob offset of the node at `path`. */
static uint32_t node_offset(const void *t, const char *path)
{
	int node = fdt_path_offset(t, path);

	assert_true(node >= 0);
	return (uint32_t)(fdt_off_dt_struct(t) + (uint32_t)node);
}

/* ---- QEMU's trees ---- */

/* QEMU virt with iommu=smmuv3: one SMMUv3, the PCIe host maps every RID to
 * the same StreamID (hw/arm/virt.c create_smmu(), create_pcie()). */
static void test_qemu_virt_smmuv3(void **state)
{
	size_t size;
	void *blob = read_whole(DATA_DIR "/qemu-virt-smmuv3.dtb", &size);
	struct fw_fdt_iommu d;
	const struct fw_fdt_pci_host *h;
	uint32_t sid = 0;
	size_t entry = 99;

	(void)state;
	parse_ok(blob, &d);
	assert_int_equal(d.total_size, size);

	assert_int_equal(d.smmu_count, 1);
	assert_string_equal(d.smmus[0].path, "/smmuv3@9050000");
	assert_int_equal(d.smmus[0].offset, node_offset(blob, "/smmuv3@9050000"));
	assert_int_equal(d.smmus[0].phandle,
			 fdt_get_phandle(blob, fdt_path_offset(blob, "/smmuv3@9050000")));
	assert_int_not_equal(d.smmus[0].phandle, 0);
	assert_int_equal(d.smmus[0].reg.state, FW_FDT_REG_OK);
	assert_int_equal(d.smmus[0].reg.start, 0x09050000);
	assert_int_equal(d.smmus[0].reg.size, 0x20000);
	assert_true(d.smmus[0].available);

	assert_int_equal(d.pci_host_count, 1);
	h = &d.pci_hosts[0];
	assert_string_equal(h->path, "/pcie@10000000");
	assert_int_equal(h->offset, node_offset(blob, "/pcie@10000000"));
	assert_int_equal(h->domain, 0);
	assert_true(h->domain_from_property);
	assert_int_equal(h->bus_start, 0);
	assert_int_equal(h->bus_last, 255);
	assert_int_equal(h->reg.state, FW_FDT_REG_OK);
	assert_int_equal(h->reg.start, 0x4010000000);
	assert_int_equal(h->reg.size, 0x10000000);
	assert_true(h->has_iommu_map);
	assert_false(h->has_iommu_map_mask);
	assert_int_equal(h->iommu_map_mask, 0xffffffff);
	assert_true(h->available);
	assert_int_equal(h->map.first, 0);
	assert_int_equal(h->map.count, 1);

	assert_int_equal(d.map_entry_count, 1);
	assert_int_equal(d.map_entries[0].rid_base, 0);
	assert_int_equal(d.map_entries[0].iommu_phandle, d.smmus[0].phandle);
	assert_int_equal(d.map_entries[0].smmu_index, 0);
	assert_int_equal(d.map_entries[0].sid_base, 0);
	assert_int_equal(d.map_entries[0].length, 0x10000);

	assert_int_equal(d.master_count, 0);
	assert_null(d.masters);
	assert_int_equal(d.stream_count, 0);
	assert_int_equal(d.ignored_iommu_map_count, 0);

	/* edu at 00:01.0 is StreamID 8, as the conformance suite sees it. */
	assert_int_equal(fw_fdt_pci_rid_to_sid(&d, h, 0x0008, &sid, &entry), 0);
	assert_int_equal(sid, 8);
	assert_int_equal(entry, 0);
	assert_int_equal(fw_fdt_pci_rid_to_sid(&d, h, 0xffff, &sid, &entry), 0);
	assert_int_equal(sid, 0xffff);
	assert_int_equal(fw_fdt_pci_rid_to_sid(&d, h, 0x10000, &sid, &entry), -ENOENT);

	fw_fdt_iommu_fini(&d);
	assert_null(d.smmus);
	free(blob);
}

/* highmem=off moves the ECAM below 4 GiB and shrinks the bus range. */
static void test_qemu_virt_highmem_off(void **state)
{
	size_t size;
	void *blob = read_whole(DATA_DIR "/qemu-virt-smmuv3-highmem-off.dtb", &size);
	struct fw_fdt_iommu d;

	(void)state;
	parse_ok(blob, &d);
	assert_int_equal(d.smmu_count, 1);
	assert_int_equal(d.smmus[0].reg.start, 0x09050000);
	assert_int_equal(d.pci_host_count, 1);
	assert_int_equal(d.pci_hosts[0].reg.start, 0x3f000000);
	assert_int_equal(d.pci_hosts[0].reg.size, 0x1000000);
	assert_int_equal(d.pci_hosts[0].bus_start, 0);
	assert_int_equal(d.pci_hosts[0].bus_last, 15);
	assert_int_equal(d.map_entry_count, 1);
	assert_int_equal(d.map_entries[0].smmu_index, 0);
	fw_fdt_iommu_fini(&d);
	free(blob);
}

/* With a virtio-iommu the map points at an IOMMU that is not an SMMUv3,
 * and leaves out the virtio-iommu's own requester ID. */
static void test_qemu_virt_virtio_iommu(void **state)
{
	size_t size;
	void *blob = read_whole(DATA_DIR "/qemu-virt-virtio-iommu.dtb", &size);
	const struct fw_fdt_pci_host *h;
	struct fw_fdt_iommu d;
	uint32_t sid = 0;
	size_t entry = 0;

	(void)state;
	parse_ok(blob, &d);
	assert_int_equal(d.smmu_count, 0);
	assert_int_equal(d.pci_host_count, 1);
	h = &d.pci_hosts[0];
	assert_int_equal(h->map.count, 2);
	assert_int_equal(d.map_entries[0].rid_base, 0);
	assert_int_equal(d.map_entries[0].length, 8);
	assert_int_equal(d.map_entries[0].smmu_index, FW_FDT_OTHER_IOMMU);
	assert_int_equal(d.map_entries[1].rid_base, 9);
	assert_int_equal(d.map_entries[1].sid_base, 9);
	assert_int_equal(d.map_entries[1].length, 0xfff7);
	assert_int_equal(d.map_entries[1].smmu_index, FW_FDT_OTHER_IOMMU);
	assert_int_equal(fw_fdt_pci_rid_to_sid(&d, h, 8, &sid, &entry), -ENOENT);
	assert_int_equal(fw_fdt_pci_rid_to_sid(&d, h, 0x10, &sid, &entry), 0);
	assert_int_equal(sid, 0x10);
	assert_int_equal(entry, 1);
	fw_fdt_iommu_fini(&d);
	free(blob);
}

/* Every prefix of a real tree is refused, never read past. */
static void test_truncated_blobs_refused(void **state)
{
	size_t size;
	uint8_t *blob = read_whole(DATA_DIR "/qemu-virt-smmuv3.dtb", &size);

	(void)state;
	for (size_t n = 0; n < size; n++) {
		uint8_t *prefix = malloc(n ? n : 1);

		assert_non_null(prefix);
		memcpy(prefix, blob, n);
		parse_fails(prefix, n, NULL);
		free(prefix);
	}
	parse_fails(blob, 39, "header needs 40 bytes", NULL);
	parse_fails(blob, size - 1, "totalsize", NULL);
	free(blob);
}

/* Bytes after totalsize are ignored, and the input need not be aligned. */
static void test_unaligned_and_trailing_bytes(void **state)
{
	size_t size;
	uint8_t *blob = read_whole(DATA_DIR "/qemu-virt-smmuv3.dtb", &size);
	uint8_t *odd = malloc(size + 100);
	struct fw_fdt_iommu d;
	struct fw_error err;

	(void)state;
	assert_non_null(odd);
	memcpy(odd + 1, blob, size);
	memset(odd + 1 + size, 0xff, 99);
	assert_int_equal(fw_fdt_iommu_parse(odd + 1, size + 99, &d, &err), 0);
	assert_int_equal(d.total_size, size);
	assert_int_equal(d.smmus[0].reg.start, 0x09050000);
	fw_fdt_iommu_fini(&d);
	free(odd);
	free(blob);
}

/* A corrupt structure block is libfdt's to refuse, before any reading. */
static void test_corrupt_blobs_refused(void **state)
{
	size_t size;
	uint8_t *blob = read_whole(DATA_DIR "/qemu-virt-smmuv3.dtb", &size);
	uint8_t *bad = malloc(size);
	struct fdt_header *h = (struct fdt_header *)bad;

	(void)state;
	assert_non_null(bad);
	memcpy(bad, blob, size);
	bad[0] = 0xd0 ^ 1;
	parse_fails(bad, size, "magic", NULL);

	memcpy(bad, blob, size);
	h->off_dt_struct = cpu_to_fdt32(size - 4);
	parse_fails(bad, size, "structure block (offset", NULL);

	/* Versions before 17 are refused before libfdt sees them. */
	memcpy(bad, blob, size);
	h->version = cpu_to_fdt32(16);
	parse_fails(bad, size, "version 16 is older than 17", NULL);

	/* A version libfdt cannot read is libfdt's to refuse. */
	memcpy(bad, blob, size);
	h->last_comp_version = cpu_to_fdt32(18);
	parse_fails(bad, size, "libfdt refuses the tree", NULL);

	{
		uint32_t s = fdt32_to_cpu(h->off_dt_struct);
		/* The root's first property: FDT_BEGIN_NODE, "" padded to 4,
		 * then FDT_PROP, len, nameoff. */
		uint8_t *len = bad + s + 4 + 4 + 4;

		/* The property name offset beyond the strings block. */
		memcpy(bad, blob, size);
		memset(len + 4, 0x7f, 4);
		parse_fails(bad, size, "property name offset 2139062143", NULL);

		/* A length that wraps libfdt 1.6.1's offset arithmetic (it
		 * loops forever on this one). */
		memcpy(bad, blob, size);
		memcpy(len, "\xff\xff\xff\xf4", 4);
		parse_fails(bad, size, "property length 4294967284 runs past", NULL);
	}
	free(bad);
	free(blob);
}

/* ---- Hand-built trees ---- */

/* Two SMMUs, platform devices on a bus whose `ranges` moves them, one
 * device behind both SMMUs and one behind another kind of IOMMU. */
static void test_platform_devices_two_smmus(void **state)
{
	void *t = tree_begin();
	struct fw_fdt_iommu d;
	const struct fw_fdt_master *m;

	(void)state;
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1);
	/* An SMMUv2-style IOMMU with two specifier cells. */
	node_begin(t, "iommu@2b600000");
	prop_str(t, "compatible", "arm,mmu-500");
	prop_u32(t, "#iommu-cells", 2);
	prop_u32(t, "phandle", 3);
	node_end(t);
	node_begin(t, "soc");
	prop_u32(t, "#address-cells", 1);
	prop_u32(t, "#size-cells", 1);
	/* child 0x0..0x1000000 -> CPU 0x1_2000_0000 */
	prop_cells(t, "ranges", 4, 0x0, 0x1, 0x20000000, 0x1000000);
	node_begin(t, "iommu@800000"); /* reg is in the soc's one-cell space */
	prop_str(t, "compatible", FW_FDT_SMMUV3_COMPATIBLE);
	prop_cells(t, "reg", 2, 0x800000, 0x20000);
	prop_u32(t, "#iommu-cells", 1);
	prop_u32(t, "phandle", 2);
	node_end(t);
	node_begin(t, "dma@1000");
	prop_cells(t, "reg", 2, 0x1000, 0x100);
	prop_cells(t, "iommus", 6, 1, 0x10, 2, 0x20, 2, 0x21);
	node_end(t);
	node_begin(t, "gpu@2000");
	prop_str(t, "status", "disabled");
	prop_cells(t, "reg", 4, 0x2000, 0x1000, 0x9000, 0x10); /* only the first counts */
	prop_cells(t, "iommus", 5, 3, 7, 8, 1, 0x30);
	node_end(t);
	node_end(t);
	node_begin(t, "virtual-dma");
	prop_cells(t, "iommus", 2, 1, 0x40);
	node_end(t);
	tree_end(t);

	parse_ok(t, &d);
	assert_int_equal(d.smmu_count, 2);
	assert_string_equal(d.smmus[0].path, "/iommu@2b400000");
	assert_int_equal(d.smmus[0].phandle, 1);
	assert_int_equal(d.smmus[0].reg.start, 0x2b400000);
	assert_string_equal(d.smmus[1].path, "/soc/iommu@800000");
	assert_int_equal(d.smmus[1].phandle, 2);
	assert_int_equal(d.smmus[1].reg.start, 0x120800000);
	assert_int_equal(d.smmus[1].reg.size, 0x20000);
	assert_int_equal(d.master_count, 3);
	assert_int_equal(d.stream_count, 6);

	m = &d.masters[0];
	assert_string_equal(m->path, "/soc/dma@1000");
	assert_int_equal(m->offset, node_offset(t, "/soc/dma@1000"));
	assert_int_equal(m->reg.state, FW_FDT_REG_OK);
	assert_int_equal(m->reg.start, 0x120001000);
	assert_int_equal(m->reg.size, 0x100);
	assert_true(m->available);
	assert_int_equal(m->streams.first, 0);
	assert_int_equal(m->streams.count, 3);
	assert_int_equal(d.streams[0].iommu_phandle, 1);
	assert_int_equal(d.streams[0].smmu_index, 0);
	assert_int_equal(d.streams[0].sid, 0x10);
	assert_int_equal(d.streams[1].smmu_index, 1);
	assert_int_equal(d.streams[1].sid, 0x20);
	assert_int_equal(d.streams[2].smmu_index, 1);
	assert_int_equal(d.streams[2].sid, 0x21);

	m = &d.masters[1];
	assert_string_equal(m->path, "/soc/gpu@2000");
	assert_false(m->available);
	assert_int_equal(m->reg.start, 0x120002000);
	assert_int_equal(m->reg.size, 0x1000);
	assert_int_equal(m->streams.first, 3);
	assert_int_equal(m->streams.count, 2);
	assert_int_equal(d.streams[3].iommu_phandle, 3);
	assert_int_equal(d.streams[3].smmu_index, FW_FDT_OTHER_IOMMU);
	assert_int_equal(d.streams[3].sid, 7);
	assert_int_equal(d.streams[4].smmu_index, 0);
	assert_int_equal(d.streams[4].sid, 0x30);

	m = &d.masters[2];
	assert_string_equal(m->path, "/virtual-dma");
	assert_int_equal(m->reg.state, FW_FDT_REG_ABSENT);
	assert_int_equal(d.streams[5].sid, 0x40);
	assert_int_equal(d.pci_host_count, 0);
	fw_fdt_iommu_fini(&d);
	free(t);
}

/* An address that a bus cannot pass up is kept, marked untranslatable:
 * a bus without `ranges`, a range that does not cover it, and a PCI bus's
 * three-cell addresses. */
static void test_untranslatable_reg(void **state)
{
	void *t = tree_begin();
	struct fw_fdt_iommu d;

	(void)state;
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1);
	node_begin(t, "closed-bus");
	prop_u32(t, "#address-cells", 1);
	prop_u32(t, "#size-cells", 1);
	node_begin(t, "dev@0");
	prop_cells(t, "reg", 2, 0, 0x100);
	prop_cells(t, "iommus", 2, 1, 1);
	node_end(t);
	node_end(t);
	node_begin(t, "window-bus");
	prop_u32(t, "#address-cells", 1);
	prop_u32(t, "#size-cells", 1);
	prop_cells(t, "ranges", 4, 0x0, 0x0, 0x10000000, 0x1000);
	node_begin(t, "dev@2000");
	prop_cells(t, "reg", 2, 0x2000, 0x100);
	prop_cells(t, "iommus", 2, 1, 2);
	node_end(t);
	node_begin(t, "nested-identity");
	prop_u32(t, "#address-cells", 1);
	prop_u32(t, "#size-cells", 1);
	assert_int_equal(fdt_property(t, "ranges", NULL, 0), 0);
	node_begin(t, "dev@800");
	prop_cells(t, "reg", 2, 0x800, 0x10);
	prop_cells(t, "iommus", 2, 1, 4);
	node_end(t);
	node_end(t);
	node_end(t);
	node_begin(t, "pcie@30000000");
	prop_str(t, "device_type", "pci");
	prop_u32(t, "#address-cells", 3);
	prop_u32(t, "#size-cells", 2);
	node_begin(t, "ep@0,0");
	prop_cells(t, "reg", 5, 0x0, 0, 0, 0, 0);
	prop_cells(t, "iommus", 2, 1, 3);
	node_end(t);
	node_end(t);
	tree_end(t);

	parse_ok(t, &d);
	assert_int_equal(d.master_count, 4);
	assert_string_equal(d.masters[0].path, "/closed-bus/dev@0");
	assert_int_equal(d.masters[0].reg.state, FW_FDT_REG_UNTRANSLATABLE);
	assert_string_equal(d.masters[1].path, "/window-bus/dev@2000");
	assert_int_equal(d.masters[1].reg.state, FW_FDT_REG_UNTRANSLATABLE);
	/* An empty `ranges` is identity, the next bus up still applies. */
	assert_string_equal(d.masters[2].path, "/window-bus/nested-identity/dev@800");
	assert_int_equal(d.masters[2].reg.state, FW_FDT_REG_OK);
	assert_int_equal(d.masters[2].reg.start, 0x10000800);
	assert_string_equal(d.masters[3].path, "/pcie@30000000/ep@0,0");
	assert_int_equal(d.masters[3].reg.state, FW_FDT_REG_UNTRANSLATABLE);
	assert_int_equal(d.pci_host_count, 1);
	assert_int_equal(d.pci_hosts[0].reg.state, FW_FDT_REG_ABSENT);
	assert_false(d.pci_hosts[0].has_iommu_map);
	assert_int_equal(d.pci_hosts[0].map.count, 0);
	fw_fdt_iommu_fini(&d);
	free(t);
}

static void add_pci_host(void *t, const char *name, int domain, uint32_t iommu_phandle,
			 bool with_mask)
{
	node_begin(t, name);
	prop_str(t, "compatible", "pci-host-ecam-generic");
	prop_str(t, "device_type", "pci");
	prop_u32(t, "#address-cells", 3);
	prop_u32(t, "#size-cells", 2);
	if (domain >= 0) {
		prop_u32(t, "linux,pci-domain", (uint32_t)domain);
	}
	if (iommu_phandle) {
		/* RIDs 0x000-0x0ff -> SIDs 0x1000.., 0x100-0x1ff -> 0x2000.. */
		prop_cells(t, "iommu-map", 8, 0x0, iommu_phandle, 0x1000, 0x100, 0x100,
			   iommu_phandle, 0x2000, 0x100);
	}
	if (with_mask) {
		/* Only the bus number matters (one StreamID per bus). */
		prop_u32(t, "iommu-map-mask", 0xff00);
	}
	node_end(t);
}

/* PCI hosts: domains from `linux,pci-domain` or allocated around the stated
 * ones, iommu-map-mask, a nested bridge that is not a host. */
static void test_pci_hosts_domains_and_mask(void **state)
{
	void *t = tree_begin();
	struct fw_fdt_iommu d;
	uint32_t sid = 0;
	size_t entry = 0;

	(void)state;
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1);
	add_smmu(t, "iommu@2b500000", 0x2b500000, 2);
	add_pci_host(t, "pcie@40000000", -1, 1, true);
	add_pci_host(t, "pcie@50000000", 0, 2, false);
	node_begin(t, "pcie@60000000");
	prop_str(t, "device_type", "pci");
	prop_u32(t, "#address-cells", 3);
	prop_u32(t, "#size-cells", 2);
	node_begin(t, "bridge@1,0");
	prop_str(t, "device_type", "pci");
	prop_cells(t, "iommu-map", 4, 0, 1, 0, 1);
	node_end(t);
	node_end(t);
	node_begin(t, "fsl-mc@80c000000");
	prop_cells(t, "iommu-map", 4, 0, 1, 0, 1);
	node_end(t);
	tree_end(t);

	parse_ok(t, &d);
	assert_int_equal(d.pci_host_count, 3);
	assert_string_equal(d.pci_hosts[0].path, "/pcie@40000000");
	assert_int_equal(d.pci_hosts[0].domain, 1);
	assert_false(d.pci_hosts[0].domain_from_property);
	assert_true(d.pci_hosts[0].has_iommu_map_mask);
	assert_int_equal(d.pci_hosts[0].iommu_map_mask, 0xff00);
	assert_int_equal(d.pci_hosts[0].map.first, 0);
	assert_int_equal(d.pci_hosts[0].map.count, 2);
	assert_int_equal(d.pci_hosts[1].domain, 0);
	assert_true(d.pci_hosts[1].domain_from_property);
	assert_int_equal(d.pci_hosts[1].map.first, 2);
	assert_int_equal(d.pci_hosts[1].map.count, 2);
	assert_int_equal(d.pci_hosts[2].domain, 2);
	assert_false(d.pci_hosts[2].has_iommu_map);
	assert_int_equal(d.map_entry_count, 4);
	assert_int_equal(d.map_entries[0].smmu_index, 0);
	assert_int_equal(d.map_entries[1].rid_base, 0x100);
	assert_int_equal(d.map_entries[1].sid_base, 0x2000);
	assert_int_equal(d.map_entries[2].smmu_index, 1);
	/* The nested bridge's and the fsl-mc's maps are not read. */
	assert_int_equal(d.ignored_iommu_map_count, 2);

	/* 01:02.3 (0x0113) masked to 0x0100 -> second entry, SID 0x2000. */
	assert_int_equal(fw_fdt_pci_rid_to_sid(&d, &d.pci_hosts[0], 0x0113, &sid, &entry), 0);
	assert_int_equal(sid, 0x2000);
	assert_int_equal(entry, 1);
	/* Without a mask 01:02.3 keeps its devfn. */
	assert_int_equal(fw_fdt_pci_rid_to_sid(&d, &d.pci_hosts[1], 0x0113, &sid, &entry), 0);
	assert_int_equal(sid, 0x2013);
	assert_int_equal(entry, 3);
	assert_int_equal(fw_fdt_pci_rid_to_sid(&d, &d.pci_hosts[1], 0x0200, &sid, &entry), -ENOENT);
	assert_int_equal(fw_fdt_pci_rid_to_sid(&d, &d.pci_hosts[2], 0, &sid, &entry), -ENOENT);
	fw_fdt_iommu_fini(&d);
	free(t);
}

/* The older `linux,phandle` names a node as well as `phandle`. */
static void test_linux_phandle(void **state)
{
	void *t = tree_begin();
	struct fw_fdt_iommu d;

	(void)state;
	node_begin(t, "smmu@1000000");
	/* A list of two compatible strings, the SoC's own first. */
	assert_int_equal(fdt_property(t, "compatible", "vendor,soc-smmu\0arm,smmu-v3",
				      sizeof("vendor,soc-smmu\0arm,smmu-v3")),
			 0);
	prop_cells(t, "reg", 4, 0, 0x1000000, 0, 0x20000);
	prop_u32(t, "#iommu-cells", 1);
	prop_u32(t, "linux,phandle", 0x42);
	node_end(t);
	node_begin(t, "dev@2000000");
	prop_cells(t, "reg", 4, 0, 0x2000000, 0, 0x1000);
	prop_cells(t, "iommus", 2, 0x42, 5);
	node_end(t);
	tree_end(t);

	parse_ok(t, &d);
	assert_int_equal(d.smmus[0].phandle, 0x42);
	assert_int_equal(d.streams[0].smmu_index, 0);
	assert_int_equal(d.streams[0].sid, 5);
	fw_fdt_iommu_fini(&d);
	free(t);
}

/* reserved-memory children with iommu-addresses: an identity mapping
 * with reg, an IOVA reservation without, addresses in the cells of each
 * named device's bus, and a name that is not a device with iommus. */
static void test_reserved_memory_iommu_addresses(void **state)
{
	void *t = tree_begin();
	struct fw_fdt_iommu d;

	(void)state;
	node_begin(t, "reserved-memory");
	prop_u32(t, "#address-cells", 2);
	prop_u32(t, "#size-cells", 2);
	prop_cells(t, "ranges", 0);
	node_begin(t, "framebuffer@80000000");
	prop_cells(t, "reg", 4, 0, 0x80000000, 0, 0x800000);
	prop_cells(t, "iommu-addresses", 5, 5, 0, 0x80000000, 0, 0x800000);
	node_end(t);
	node_begin(t, "iova-hole");
	prop_cells(t, "iommu-addresses", 8, 5, 0, 0, 0, 0x100000, 6, 0x0, 0x1000);
	node_end(t);
	node_begin(t, "not-iommu");
	prop_cells(t, "iommu-addresses", 5, 8, 0, 0x1000, 0, 0x1000);
	node_end(t);
	node_end(t);
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1);
	node_begin(t, "display@1000000");
	prop_cells(t, "reg", 4, 0, 0x1000000, 0, 0x10000);
	prop_cells(t, "iommus", 2, 1, 7);
	prop_u32(t, "phandle", 5);
	node_end(t);
	node_begin(t, "intc");
	prop_u32(t, "phandle", 8);
	node_end(t);
	node_begin(t, "soc");
	prop_u32(t, "#address-cells", 1);
	prop_u32(t, "#size-cells", 1);
	prop_cells(t, "ranges", 0);
	node_begin(t, "dma@1000");
	prop_cells(t, "reg", 2, 0x1000, 0x100);
	prop_cells(t, "iommus", 2, 1, 9);
	prop_u32(t, "phandle", 6);
	node_end(t);
	node_end(t);
	tree_end(t);

	parse_ok(t, &d);
	assert_int_equal(d.master_count, 2);
	assert_string_equal(d.masters[0].path, "/display@1000000");
	assert_string_equal(d.masters[1].path, "/soc/dma@1000");
	assert_int_equal(d.reserved_count, 3);
	assert_string_equal(d.reserved[0].path, "/reserved-memory/framebuffer@80000000");
	assert_int_equal(d.reserved[0].offset,
			 node_offset(t, "/reserved-memory/framebuffer@80000000"));
	assert_true(d.reserved[0].available);
	assert_int_equal(d.reserved[0].reg.state, FW_FDT_REG_OK);
	assert_int_equal(d.reserved[0].reg.start, 0x80000000);
	assert_int_equal(d.reserved[0].reg.size, 0x800000);
	assert_int_equal(d.reserved[0].addresses.first, 0);
	assert_int_equal(d.reserved[0].addresses.count, 1);
	assert_int_equal(d.iommu_addresses[0].device_phandle, 5);
	assert_int_equal(d.iommu_addresses[0].master_index, 0);
	assert_int_equal(d.iommu_addresses[0].iova, 0x80000000);
	assert_int_equal(d.iommu_addresses[0].size, 0x800000);

	assert_string_equal(d.reserved[1].path, "/reserved-memory/iova-hole");
	assert_int_equal(d.reserved[1].reg.state, FW_FDT_REG_ABSENT);
	assert_int_equal(d.reserved[1].addresses.first, 1);
	assert_int_equal(d.reserved[1].addresses.count, 2);
	assert_int_equal(d.iommu_addresses[1].master_index, 0);
	assert_int_equal(d.iommu_addresses[1].iova, 0);
	assert_int_equal(d.iommu_addresses[1].size, 0x100000);
	/* The DMA engine's bus has one address and one size cell. */
	assert_int_equal(d.iommu_addresses[2].device_phandle, 6);
	assert_int_equal(d.iommu_addresses[2].master_index, 1);
	assert_int_equal(d.iommu_addresses[2].iova, 0);
	assert_int_equal(d.iommu_addresses[2].size, 0x1000);

	assert_int_equal(d.iommu_addresses[3].device_phandle, 8);
	assert_int_equal(d.iommu_addresses[3].master_index, FW_FDT_NO_MASTER);
	assert_int_equal(d.iommu_address_count, 4);
	fw_fdt_iommu_fini(&d);
	assert_null(d.reserved);
	free(t);
}

/* iommu-addresses outside /reserved-memory are not read. */
static void test_iommu_addresses_elsewhere_ignored(void **state)
{
	void *t = tree_begin();
	struct fw_fdt_iommu d;

	(void)state;
	node_begin(t, "memory-region");
	prop_cells(t, "iommu-addresses", 5, 99, 0, 0, 0, 0);
	node_end(t);
	tree_end(t);
	parse_ok(t, &d);
	assert_int_equal(d.reserved_count, 0);
	fw_fdt_iommu_fini(&d);
	free(t);
}

static void add_reserved(void *t, int count, ...)
{
	fdt32_t cells[16];
	va_list ap;

	node_begin(t, "reserved-memory");
	node_begin(t, "region");
	va_start(ap, count);
	for (int i = 0; i < count; i++) {
		cells[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	}
	va_end(ap);
	assert_int_equal(fdt_property(t, "iommu-addresses", cells, count * 4), 0);
	node_end(t);
	node_end(t);
}

static void test_iommu_addresses_malformed(void **state)
{
	void *t;

	(void)state;
	t = tree_begin();
	add_reserved(t, 5, 7, 0, 0x1000, 0, 0x1000);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/reserved-memory/region",
		    "iommu-addresses names phandle 0x7, which no node has", NULL);
	free(t);

	t = tree_begin();
	node_begin(t, "dev");
	prop_u32(t, "phandle", 7);
	node_end(t);
	add_reserved(t, 5, 7, 0, 0x1000, 0, 0);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/reserved-memory/region", "is empty or wraps", NULL);
	free(t);

	t = tree_begin();
	node_begin(t, "dev");
	prop_u32(t, "phandle", 7);
	node_end(t);
	add_reserved(t, 4, 7, 0, 0x1000, 0);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/reserved-memory/region", "needs 4 cells, 3 are left",
		    NULL);
	free(t);
}

/* ---- Malformed trees ---- */

static void test_smmu_wrong_iommu_cells(void **state)
{
	void *t = tree_begin();

	(void)state;
	node_begin(t, "iommu@2b400000");
	prop_str(t, "compatible", "arm,smmu-v3");
	prop_cells(t, "reg", 4, 0, 0x2b400000, 0, 0x20000);
	prop_u32(t, "#iommu-cells", 2);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/iommu@2b400000", "#iommu-cells is 2, must be 1", NULL);
	free(t);
}

static void test_smmu_without_iommu_cells_or_reg(void **state)
{
	void *t = tree_begin();

	(void)state;
	node_begin(t, "iommu@1");
	prop_str(t, "compatible", "arm,smmu-v3");
	prop_cells(t, "reg", 4, 0, 0x2b400000, 0, 0x20000);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/iommu@1", "without #iommu-cells", NULL);
	free(t);

	t = tree_begin();
	node_begin(t, "iommu@2");
	prop_str(t, "compatible", "arm,smmu-v3");
	prop_u32(t, "#iommu-cells", 1);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/iommu@2", "without reg", NULL);
	free(t);

	/* An SMMU whose registers the CPU cannot address is useless. */
	t = tree_begin();
	node_begin(t, "bus");
	prop_u32(t, "#address-cells", 1);
	prop_u32(t, "#size-cells", 1);
	node_begin(t, "iommu@3");
	prop_str(t, "compatible", "arm,smmu-v3");
	prop_u32(t, "#iommu-cells", 1);
	prop_cells(t, "reg", 2, 0x3000, 0x20000);
	node_end(t);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/bus/iommu@3", "does not translate", NULL);
	free(t);
}

static void test_iommus_bad_phandle(void **state)
{
	void *t = tree_begin();

	(void)state;
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1);
	node_begin(t, "dma@3000000");
	prop_cells(t, "reg", 4, 0, 0x3000000, 0, 0x1000);
	prop_cells(t, "iommus", 2, 9, 0x10);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/dma@3000000", "phandle 0x9, which no node has", NULL);
	free(t);
}

static void test_iommus_truncated_specifier(void **state)
{
	void *t = tree_begin();

	(void)state;
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1);
	node_begin(t, "dma@3000000");
	prop_cells(t, "iommus", 3, 1, 0x10, 1);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/dma@3000000", "needs 1 cells, 0 are left", NULL);
	free(t);

	t = tree_begin();
	node_begin(t, "dma@3000000");
	assert_int_equal(fdt_property(t, "iommus", "\0\0\0\1\0", 5), 0);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/dma@3000000", "iommus is 5 bytes long", NULL);
	free(t);

	/* The target of a reference must say how long its specifier is. */
	t = tree_begin();
	node_begin(t, "intc");
	prop_u32(t, "phandle", 4);
	node_end(t);
	node_begin(t, "dma@3000000");
	prop_cells(t, "iommus", 2, 4, 0);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/dma@3000000", "without a one-cell #iommu-cells", NULL);
	free(t);
}

static void test_iommu_map_malformed(void **state)
{
	void *t;

	(void)state;
	/* Not a whole number of 4-cell entries. */
	t = tree_begin();
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1);
	node_begin(t, "pcie@10000000");
	prop_str(t, "device_type", "pci");
	prop_cells(t, "iommu-map", 3, 0, 1, 0);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/pcie@10000000", "iommu-map is 12 bytes long", NULL);
	free(t);

	/* An entry of length 0. */
	t = tree_begin();
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1);
	node_begin(t, "pcie@10000000");
	prop_str(t, "device_type", "pci");
	prop_cells(t, "iommu-map", 8, 0, 1, 0, 0x100, 0x100, 1, 0x100, 0);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/pcie@10000000", "entry 1 has length 0", NULL);
	free(t);

	/* StreamIDs beyond 32 bits. */
	t = tree_begin();
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1);
	node_begin(t, "pcie@10000000");
	prop_str(t, "device_type", "pci");
	prop_cells(t, "iommu-map", 4, 0, 1, 0xffffff00, 0x101);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/pcie@10000000", "runs past 32-bit IDs", NULL);
	free(t);

	/* A target whose specifier is not one cell. */
	t = tree_begin();
	node_begin(t, "iommu@1");
	prop_u32(t, "#iommu-cells", 2);
	prop_u32(t, "phandle", 7);
	node_end(t);
	node_begin(t, "pcie@10000000");
	prop_str(t, "device_type", "pci");
	prop_cells(t, "iommu-map", 4, 0, 7, 0, 0x10000);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/pcie@10000000", "#iommu-cells 2", NULL);
	free(t);

	/* A dangling phandle. */
	t = tree_begin();
	node_begin(t, "pcie@10000000");
	prop_str(t, "device_type", "pci");
	prop_cells(t, "iommu-map", 4, 0, 7, 0, 0x10000);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/pcie@10000000", "which no node has", NULL);
	free(t);

	/* A mask that is not one cell. */
	t = tree_begin();
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1);
	node_begin(t, "pcie@10000000");
	prop_str(t, "device_type", "pci");
	prop_cells(t, "iommu-map", 4, 0, 1, 0, 0x10000);
	prop_cells(t, "iommu-map-mask", 2, 0, 0xff00);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/pcie@10000000", "iommu-map-mask is 8 bytes", NULL);
	free(t);
}

static void test_pci_host_malformed(void **state)
{
	void *t;

	(void)state;
	t = tree_begin();
	add_pci_host(t, "pcie@1", 3, 0, false);
	add_pci_host(t, "pcie@2", 3, 0, false);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "linux,pci-domain 3 is stated by two", NULL);
	free(t);

	t = tree_begin();
	node_begin(t, "pcie@1");
	prop_str(t, "device_type", "pci");
	prop_cells(t, "bus-range", 2, 0x10, 0x100);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/pcie@1", "bus-range <16 256>", NULL);
	free(t);
}

static void test_duplicate_and_invalid_phandles(void **state)
{
	void *t = tree_begin();

	(void)state;
	add_smmu(t, "iommu@1", 0x1000000, 5);
	add_smmu(t, "iommu@2", 0x2000000, 5);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "phandle 0x5 is used by two nodes", NULL);
	free(t);

	t = tree_begin();
	node_begin(t, "node");
	prop_u32(t, "phandle", 0xffffffff);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/node", "not a valid phandle", NULL);
	free(t);
}

static void test_reg_malformed(void **state)
{
	void *t;

	(void)state;
	/* Three cells where #address-cells 2 + #size-cells 2 need four. */
	t = tree_begin();
	add_smmu(t, "iommu@1", 0x1000000, 1);
	node_begin(t, "dev@2");
	prop_cells(t, "reg", 3, 0, 0x2000000, 0x1000);
	prop_cells(t, "iommus", 2, 1, 0);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/dev@2", "reg is 12 bytes long", NULL);
	free(t);

	/* A region that wraps past the top of the address space. */
	t = tree_begin();
	add_smmu(t, "iommu@1", 0x1000000, 1);
	node_begin(t, "dev@2");
	prop_cells(t, "reg", 4, 0xffffffff, 0xfffff000, 0, 0x2000);
	prop_cells(t, "iommus", 2, 1, 0);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/dev@2", "wraps around 64 bits", NULL);
	free(t);

	/* A #size-cells beyond what any binding uses. */
	t = tree_begin();
	node_begin(t, "bus");
	prop_u32(t, "#address-cells", 1);
	prop_u32(t, "#size-cells", 9);
	add_smmu(t, "iommu@1", 0x1000000, 1);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/bus", "#size-cells is 9", NULL);
	free(t);

	/* `ranges` not a whole number of entries. */
	t = tree_begin();
	node_begin(t, "bus");
	prop_u32(t, "#address-cells", 1);
	prop_u32(t, "#size-cells", 1);
	prop_cells(t, "ranges", 3, 0, 0, 0);
	add_smmu(t, "iommu@1", 0x1000000, 1);
	node_end(t);
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "/bus", "ranges is 12 bytes long", NULL);
	free(t);
}

/* Nesting beyond SMMU_FW_FDT_MAX_DEPTH and kept paths beyond
 * SMMU_FW_FDT_MAX_PATH are refused, not truncated. */
static void test_limits(void **state)
{
	void *t = tree_begin();
	char name[64];

	(void)state;
	for (int i = 1; i < SMMU_FW_FDT_MAX_DEPTH + 1; i++) {
		node_begin(t, "n");
	}
	for (int i = 1; i < SMMU_FW_FDT_MAX_DEPTH + 1; i++) {
		node_end(t);
	}
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "deeper than 64 levels", NULL);
	free(t);

	t = tree_begin();
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	for (int i = 0; i < 4; i++) {
		node_begin(t, name);
		prop_u32(t, "#address-cells", 2);
		prop_u32(t, "#size-cells", 2);
		prop_cells(t, "ranges", 0);
	}
	add_smmu(t, "iommu@1", 0x1000000, 1);
	for (int i = 0; i < 4; i++) {
		node_end(t);
	}
	tree_end(t);
	parse_fails(t, fdt_totalsize(t), "path longer than 255 bytes", NULL);
	free(t);
}

/* Every allocation failure is -ENOMEM, leaves nothing allocated (ASan's
 * leak check) and does not touch *ret_fdt. */
static void test_allocation_failures(void **state)
{
	size_t size;
	void *blob = read_whole(DATA_DIR "/qemu-virt-smmuv3.dtb", &size);
	int points = 0;

	(void)state;
	for (long n = 0;; n++) {
		struct fw_fdt_iommu d;
		struct fw_error err;
		int r;

		memset(&d, 0x5a, sizeof(d));
		smmu_alloc_fail_after(n);
		r = fw_fdt_iommu_parse(blob, size, &d, &err);
		smmu_alloc_fail_after(-1);
		if (r == 0) {
			assert_int_equal(d.smmu_count, 1);
			fw_fdt_iommu_fini(&d);
			break;
		}
		assert_int_equal(r, -ENOMEM);
		assert_non_null(strstr(err.message, "out of memory"));
		assert_int_equal(d.smmu_count, 0x5a5a5a5a5a5a5a5a);
		points++;
		assert_true(points < 100);
	}
	/* The copy, phandles, SMMUs, hosts, map entries, domains. */
	assert_int_equal(points, 6);
	free(blob);
}

static void test_fini_accepts_null_and_empty(void **state)
{
	struct fw_fdt_iommu d = {0};

	(void)state;
	fw_fdt_iommu_fini(NULL);
	fw_fdt_iommu_fini(&d);
	fw_fdt_iommu_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_virt_smmuv3),
		cmocka_unit_test(test_qemu_virt_highmem_off),
		cmocka_unit_test(test_qemu_virt_virtio_iommu),
		cmocka_unit_test(test_truncated_blobs_refused),
		cmocka_unit_test(test_unaligned_and_trailing_bytes),
		cmocka_unit_test(test_corrupt_blobs_refused),
		cmocka_unit_test(test_platform_devices_two_smmus),
		cmocka_unit_test(test_untranslatable_reg),
		cmocka_unit_test(test_pci_hosts_domains_and_mask),
		cmocka_unit_test(test_linux_phandle),
		cmocka_unit_test(test_reserved_memory_iommu_addresses),
		cmocka_unit_test(test_iommu_addresses_elsewhere_ignored),
		cmocka_unit_test(test_iommu_addresses_malformed),
		cmocka_unit_test(test_smmu_wrong_iommu_cells),
		cmocka_unit_test(test_smmu_without_iommu_cells_or_reg),
		cmocka_unit_test(test_iommus_bad_phandle),
		cmocka_unit_test(test_iommus_truncated_specifier),
		cmocka_unit_test(test_iommu_map_malformed),
		cmocka_unit_test(test_pci_host_malformed),
		cmocka_unit_test(test_duplicate_and_invalid_phandles),
		cmocka_unit_test(test_reg_malformed),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_allocation_failures),
		cmocka_unit_test(test_fini_accepts_null_and_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
