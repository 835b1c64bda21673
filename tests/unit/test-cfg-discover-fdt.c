/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Board discovery for `smmu smmuv3` from the device tree: QEMU's virt trees
 * give the unit at 0x09050000 and edu's StreamID through the PCIe
 * iommu-map; trees built here give platform devices as mem: devices with
 * their StreamIDs, two SMMUs, iommu-map-mask expanded per requester ID,
 * PCI domains; what is not used is a note; the user's configuration
 * overrides; the machine's own tree is read when there is no IORT; a dump
 * reads back as the same facts; every allocation can fail.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "cfg-test-util.h"
#include "common/alloc.h"
#include "common/strbuf.h"
#include "config/cfg-discover.h"
#include "discover-test-util.h"
#include "sidecar.h"

#ifndef SMMU_TEST_DATA_DIR
#error "the build passes SMMU_TEST_DATA_DIR"
#endif

#define QEMU_VIRT SMMU_TEST_DATA_DIR "/qemu-virt-smmuv3.dtb"
#define QEMU_VIRT_IORT SMMU_TEST_DATA_DIR "/qemu-virt-smmuv3.iort.bin"
#define QEMU_VIRTIO_IOMMU SMMU_TEST_DATA_DIR "/qemu-virt-virtio-iommu.dtb"
#define EXAMPLE_BY_HAND SMMU_SOURCE_ROOT "/examples/arm-smmuv3.smmu"
#define EXAMPLE_DISCOVERED SMMU_SOURCE_ROOT "/examples/arm-smmuv3-discovered.smmu"

static void run_fdt(struct run *run, const char *config, const char *tree)
{
	struct cfg_discover_options opts = {.fdt_path = tree};

	/* Trees the test builds are files of the test's fake file system;
	 * QEMU's (absolute paths) are read from the source tree. */
	if (tree[0] != '/') {
		opts.system = cfg_test_options()->system;
	}
	run_discover(run, config, &opts);
}

static const struct cfg_device *find_device(const struct cfg_config *cfg, const char *spec)
{
	for (size_t i = 0; i < cfg->device_count; i++) {
		struct strbuf s = STRBUF_INIT;
		bool same;

		cfg_device_id_format(&cfg->devices[i].id, &s);
		same = strcmp(strbuf_str(&s), spec) == 0;
		strbuf_fini(&s);
		if (same) {
			return &cfg->devices[i];
		}
	}
	fail_msg("no device %s", spec);
	return NULL;
}

/* Asserts that `device` has exactly one use, of `unit` with `param`. */
static void assert_use(const struct cfg_device *device, const char *unit, const char *param,
		       enum cfg_origin origin)
{
	assert_int_equal(device->use_count, 1);
	assert_string_equal(device->uses[0].unit, unit);
	assert_non_null(device->uses[0].param);
	assert_string_equal(device->uses[0].param, param);
	assert_int_equal(device->uses[0].origin, origin);
}

/* ---- Building trees (libfdt's sequential-write API) ---- */

#define TREE_SIZE 16384

/* The fake file system borrows file contents; built trees live here. */
static char soc_tree[TREE_SIZE];

static void *tree_begin(void *t)
{
	assert_int_equal(fdt_create(t, TREE_SIZE), 0);
	assert_int_equal(fdt_finish_reservemap(t), 0);
	assert_int_equal(fdt_begin_node(t, ""), 0);
	assert_int_equal(fdt_property_u32(t, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(t, "#size-cells", 2), 0);
	return t;
}

/* Ends the tree and stores it as the test file `name`. */
static void tree_store(void *t, const char *name)
{
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_finish(t), 0);
	cfg_test_file_bytes(name, t, fdt_totalsize(t));
}

static void prop_cells(void *t, const char *name, int count, ...)
{
	fdt32_t cells[16];
	va_list ap;

	assert_true(count > 0 && count <= 16);
	va_start(ap, count);
	for (int i = 0; i < count; i++) {
		cells[i] = cpu_to_fdt32(va_arg(ap, uint32_t));
	}
	va_end(ap);
	assert_int_equal(fdt_property(t, name, cells, count * (int)sizeof(fdt32_t)), 0);
}

static void add_smmu(void *t, const char *name, uint32_t base, uint32_t phandle, bool okay)
{
	assert_int_equal(fdt_begin_node(t, name), 0);
	assert_int_equal(fdt_property_string(t, "compatible", "arm,smmu-v3"), 0);
	prop_cells(t, "reg", 4, 0, base, 0, 0x20000);
	assert_int_equal(fdt_property_u32(t, "#iommu-cells", 1), 0);
	assert_int_equal(fdt_property_u32(t, "phandle", phandle), 0);
	if (!okay) {
		assert_int_equal(fdt_property_string(t, "status", "disabled"), 0);
	}
	assert_int_equal(fdt_end_node(t), 0);
}

/* A device at `base` behind IOMMU `iommu` with StreamID `sid`; `phandle`
 * is its own (0: none). */
static void add_device(void *t, const char *name, uint32_t base, uint32_t size, uint32_t iommu,
		       uint32_t sid, uint32_t phandle)
{
	assert_int_equal(fdt_begin_node(t, name), 0);
	prop_cells(t, "reg", 4, 0, base, 0, size);
	prop_cells(t, "iommus", 2, iommu, sid);
	if (phandle) {
		assert_int_equal(fdt_property_u32(t, "phandle", phandle), 0);
	}
	assert_int_equal(fdt_end_node(t), 0);
}

/*
 * An SoC: SMMUs at 0x2b400000 (phandle 1) and 0x2b500000 (phandle 2), a
 * disabled one at 0x2b600000 (phandle 3), a virtio-iommu-like IOMMU
 * (phandle 4); DMA engines behind each; a PCIe host in domain 2 whose
 * map sends bus 0 to the first SMMU and bus 1 to the second, with
 * iommu-map-mask 0xff00 (one StreamID per bus); a second host without a
 * map.
 */
static void build_soc(const char *name)
{
	void *t = tree_begin(soc_tree);

	/* A splash screen firmware left for dma@10000000 (identity: reserved),
	 * and an IOVA hole for it (no counterpart: a note). */
	assert_int_equal(fdt_begin_node(t, "reserved-memory"), 0);
	assert_int_equal(fdt_property_u32(t, "#address-cells", 2), 0);
	assert_int_equal(fdt_property_u32(t, "#size-cells", 2), 0);
	assert_int_equal(fdt_property(t, "ranges", NULL, 0), 0);
	assert_int_equal(fdt_begin_node(t, "splash@80000000"), 0);
	prop_cells(t, "reg", 4, 0, 0x80000000, 0, 0x800000);
	prop_cells(t, "iommu-addresses", 5, 10, 0, 0x80000000, 0, 0x800000);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_begin_node(t, "hole"), 0);
	prop_cells(t, "iommu-addresses", 5, 10, 0, 0, 0, 0x100000);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_end_node(t), 0);

	add_smmu(t, "iommu@2b400000", 0x2b400000, 1, true);
	add_smmu(t, "iommu@2b500000", 0x2b500000, 2, true);
	add_smmu(t, "iommu@2b600000", 0x2b600000, 3, false);
	assert_int_equal(fdt_begin_node(t, "viommu"), 0);
	assert_int_equal(fdt_property_u32(t, "#iommu-cells", 1), 0);
	assert_int_equal(fdt_property_u32(t, "phandle", 4), 0);
	assert_int_equal(fdt_end_node(t), 0);
	add_device(t, "dma@10000000", 0x10000000, 0x1000, 1, 0x10, 10);
	add_device(t, "dma@10010000", 0x10010000, 0x10000, 2, 0x20, 0);
	add_device(t, "gpu@11000000", 0x11000000, 0x100000, 3, 0x30, 0);
	add_device(t, "net@12000000", 0x12000000, 0x1000, 4, 0x40, 0);
	assert_int_equal(fdt_begin_node(t, "dsp"), 0); /* no reg */
	prop_cells(t, "iommus", 2, 1, 0x50);
	assert_int_equal(fdt_end_node(t), 0);

	assert_int_equal(fdt_begin_node(t, "pcie@40000000"), 0);
	assert_int_equal(fdt_property_string(t, "compatible", "pci-host-ecam-generic"), 0);
	assert_int_equal(fdt_property_string(t, "device_type", "pci"), 0);
	prop_cells(t, "reg", 4, 0, 0x40000000, 0, 0x200000);
	prop_cells(t, "bus-range", 2, 0, 1);
	assert_int_equal(fdt_property_u32(t, "linux,pci-domain", 2), 0);
	prop_cells(t, "iommu-map", 8, 0x000, 1, 0x100, 0x100, 0x100, 2, 0x200, 0x100);
	assert_int_equal(fdt_property_u32(t, "iommu-map-mask", 0xff00), 0);
	assert_int_equal(fdt_end_node(t), 0);
	assert_int_equal(fdt_begin_node(t, "pcie@50000000"), 0);
	assert_int_equal(fdt_property_string(t, "device_type", "pci"), 0);
	assert_int_equal(fdt_end_node(t), 0);
	tree_store(t, name);
}

/* ---- QEMU's virt board ---- */

/* The whole dump: the unit at 0x09050000, edu's StreamID (8) from its
 * requester ID through the PCIe iommu-map. */
static void test_qemu_virt_dump(void **state)
{
	struct run run;
	char *dump;

	(void)state;
	run_fdt(&run, "smmu smmuv3 device pci:0:1.0", QEMU_VIRT);
	assert_ok(&run);
	dump = run_dump(&run);
	assert_string_equal(
		dump, "# board: device tree from " QEMU_VIRT ": 1 SMMUv3, 1 PCI "
		      "host bridge, 0 device with iommus, 0 reserved-memory with iommu-addresses\n"
		      "smmu smmuv3\n"
		      "unit smmu0 0x9050000,0 # board: FDT SMMUv3 0\n"
		      "device pci:0:1.0\n"
		      "use smmu0 8 # board: FDT PCI host 0\n");
	assert_int_equal(run.diags.count, 0);
	smmu_free(dump);
	run_fini(&run);
}

/* The IORT and the device tree of the same board describe the same facts. */
static void test_qemu_virt_same_as_iort(void **state)
{
	struct cfg_discover_options opts = {.iort_path = QEMU_VIRT_IORT};
	struct run run;
	char *from_fdt, *from_iort, *a, *b;

	(void)state;
	run_fdt(&run, "smmu smmuv3 device pci:0:1.0 device pci:0:3.1", QEMU_VIRT);
	assert_ok(&run);
	from_fdt = run_dump(&run);
	run_fini(&run);
	run_discover(&run, "smmu smmuv3 device pci:0:1.0 device pci:0:3.1", &opts);
	assert_ok(&run);
	from_iort = run_dump(&run);
	run_fini(&run);
	a = strip_comments(from_fdt);
	b = strip_comments(from_iort);
	assert_string_equal(a, b);
	assert_contains(a, "device pci:0:3.1\nuse smmu0 25\n");
	smmu_free(a);
	smmu_free(b);
	smmu_free(from_fdt);
	smmu_free(from_iort);
}

/* A map to an IOMMU that is not an SMMUv3 puts no device behind a unit:
 * notes, and the usual warning for a device no mapping covers. */
static void test_qemu_virtio_iommu(void **state)
{
	struct run run;

	(void)state;
	run_fdt(&run, "smmu smmuv3 device pci:0:1.0", QEMU_VIRTIO_IOMMU);
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 0);
	assert_int_equal(find_device(&run.cfg, "pci:0:1.0")->use_count, 0);
	assert_note(&run, "FDT PCI host 0: requester IDs 0x9-0xffff go to an IOMMU that is not "
			  "an SMMUv3 (phandle 0x8005); not used");
	assert_diag(&run, CFG_SEVERITY_WARNING,
		    "pci:0:1.0 (requester ID 0x0008) is on PCI segment 0, but no ID mapping");
	run_fini(&run);
}

/* ---- Hand-built trees ---- */

/* Platform devices become mem: devices with their StreamID; two SMMUs
 * become two units; what cannot be used is a note. */
static void test_platform_devices(void **state)
{
	struct run run;

	(void)state;
	build_soc("soc.dtb");
	run_fdt(&run, "smmu smmuv3", "soc.dtb");
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 2);
	assert_string_equal(find_unit(&run.cfg, "smmu0")->params, "0x2b400000,0");
	assert_string_equal(find_unit(&run.cfg, "smmu1")->params, "0x2b500000,0");
	assert_use(find_device(&run.cfg, "mem:0x10000000,0x1000"), "smmu0", "16", CFG_ORIGIN_BOARD);
	assert_use(find_device(&run.cfg, "mem:0x10010000,0x10000"), "smmu1", "32",
		   CFG_ORIGIN_BOARD);
	assert_int_equal(run.cfg.device_count, 2);
	assert_note(&run, "device tree from soc.dtb: 3 SMMUv3, 2 PCI host bridge, 5 device "
			  "with iommus, 2 reserved-memory with iommu-addresses");
	assert_note(&run, "FDT SMMUv3 2 /iommu@2b600000 at 0x2b600000 is not used (status is "
			  "not \"okay\")");
	assert_note(&run, "FDT device 2 /gpu@11000000: StreamID 48 of an SMMUv3 whose status is "
			  "not \"okay\" (phandle 0x3); not used");
	assert_note(&run, "FDT device 3 /net@12000000: StreamID 64 of an IOMMU that is not an "
			  "SMMUv3 (phandle 0x4); not used");
	assert_note(&run, "FDT device 4: '/dsp' (StreamID 80 of smmu0) has no device-id spelling");
	assert_note(&run, "FDT PCI host 1 /pcie@50000000 (domain 0): no iommu-map, its devices "
			  "are behind no IOMMU; not used");
	run_fini(&run);
}

/* Firmware's identity mapping for a device is reserved memory on it; an
 * IOVA reservation is a note. */
static void test_reserved_memory(void **state)
{
	const struct cfg_device *dma;
	struct run run;

	(void)state;
	build_soc("soc.dtb");
	run_fdt(&run, "smmu smmuv3", "soc.dtb");
	assert_ok(&run);
	dma = find_device(&run.cfg, "mem:0x10000000,0x1000");
	assert_int_equal(dma->reserved_count, 1);
	assert_int_equal(dma->reserved[0].start, 0x80000000);
	assert_int_equal(dma->reserved[0].size, 0x800000);
	assert_int_equal(dma->reserved[0].origin, CFG_ORIGIN_BOARD);
	assert_int_equal(find_device(&run.cfg, "mem:0x10010000,0x10000")->reserved_count, 0);
	assert_note(&run, "FDT reserved-memory 1 /reserved-memory/hole: IOVA 0x0,0x100000 of "
			  "/dma@10000000 is an IOVA reservation; not used");
	run_fini(&run);
}

/* iommu-map-mask 0xff00: every function of a bus shares one StreamID, and
 * the map is followed per bus into the right unit; the host's domain is
 * its linux,pci-domain. */
static void test_masked_iommu_map(void **state)
{
	struct run run;

	(void)state;
	build_soc("soc.dtb");
	run_fdt(&run,
		"smmu smmuv3 device pci:2:0:1.0 device pci:2:0:31.7 device pci:2:1:0.0 "
		"device pci:2:1:3.2 device pci:0:0:1.0",
		"soc.dtb");
	assert_ok(&run);
	assert_use(find_device(&run.cfg, "pci:2:0:1.0"), "smmu0", "256", CFG_ORIGIN_BOARD);
	assert_use(find_device(&run.cfg, "pci:2:0:31.7"), "smmu0", "256", CFG_ORIGIN_BOARD);
	assert_use(find_device(&run.cfg, "pci:2:1:0.0"), "smmu1", "512", CFG_ORIGIN_BOARD);
	assert_use(find_device(&run.cfg, "pci:2:1:3.2"), "smmu1", "512", CFG_ORIGIN_BOARD);
	/* Domain 0 is the host without a map: a root complex the
	 * description does not have. */
	assert_int_equal(find_device(&run.cfg, "pci:0:1.0")->use_count, 0);
	assert_note(&run, "no root complex of the board serves PCI segment 0");
	run_fini(&run);
}

/* The user's unit at the same register base takes the board unit's place
 * and name; the user's `use` is kept. */
static void test_user_overrides(void **state)
{
	struct run run;
	char *dump;

	(void)state;
	build_soc("soc.dtb");
	run_fdt(&run, "smmu smmuv3 unit main 0x2b400000,1 device mem:0x10000000,0x1000 use main 99",
		"soc.dtb");
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 2);
	assert_string_equal(find_unit(&run.cfg, "main")->params, "0x2b400000,1");
	assert_use(find_device(&run.cfg, "mem:0x10000000,0x1000"), "main", "99", CFG_ORIGIN_USER);
	dump = run_dump(&run);
	assert_contains(dump, "keeps the user's use main 99, not 16");
	smmu_free(dump);
	run_fini(&run);
}

/* unit smmuN is SMMUv3 node N in tree order, disabled nodes counted (smmuman.smmu(5)): a
 * user's unit smmu1 corrects the address of node 1 even when node 0 is disabled, and the
 * board adds no unit of its own for node 1. */
static void test_user_unit_named_after_tree_node(void **state)
{
	struct run run;
	void *t = tree_begin(soc_tree);

	(void)state;
	add_smmu(t, "iommu@2b400000", 0x2b400000, 1, false);
	add_smmu(t, "iommu@2b500000", 0x2b500000, 2, true);
	add_device(t, "dma@10010000", 0x10010000, 0x10000, 2, 0x20, 0);
	tree_store(t, "second.dtb");
	run_fdt(&run, "smmu smmuv3", "second.dtb");
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 1);
	assert_string_equal(find_unit(&run.cfg, "smmu1")->params, "0x2b500000,0");
	run_fini(&run);
	run_fdt(&run, "smmu smmuv3 unit smmu1 0x2c500000", "second.dtb");
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 1);
	assert_string_equal(find_unit(&run.cfg, "smmu1")->params, "0x2c500000");
	assert_use(find_device(&run.cfg, "mem:0x10010000,0x10000"), "smmu1", "32",
		   CFG_ORIGIN_BOARD);
	run_fini(&run);
}

/* The example configuration for an SMMUv3 board declares by hand what the
 * tree says: the tree adds no unit and changes no use. */
static void test_example_configuration(void **state)
{
	struct run run;

	size_t size;
	char *by_hand = test_file_read(EXAMPLE_BY_HAND, &size);
	char *discovered = test_file_read(EXAMPLE_DISCOVERED, &size);

	(void)state;
	cfg_test_file(EXAMPLE_BY_HAND, by_hand);
	cfg_test_file(EXAMPLE_DISCOVERED, discovered);
	run_fdt(&run, "@" EXAMPLE_BY_HAND, QEMU_VIRT);
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 1);
	assert_string_equal(find_unit(&run.cfg, "smmu0")->params, "0x09050000,0,4:5");
	assert_use(find_device(&run.cfg, "pci:0:1.0"), "smmu0", "8", CFG_ORIGIN_USER);
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);

	run_fdt(&run, "@" EXAMPLE_DISCOVERED, QEMU_VIRT);
	assert_ok(&run);
	assert_string_equal(find_unit(&run.cfg, "smmu0")->params, "0x9050000,0");
	assert_use(find_device(&run.cfg, "pci:0:1.0"), "smmu0", "8", CFG_ORIGIN_BOARD);
	run_fini(&run);
	free(by_hand);
	free(discovered);
}

/* ---- Where the tree comes from ---- */

/* Without --iort or --fdt, the machine's tree is read when it has no IORT,
 * and not when it has one. */
static void test_machine_tree(void **state)
{
	struct cfg_discover_options opts = {.system = cfg_test_options()->system};
	size_t size;
	char *tree = test_file_read(QEMU_VIRT, &size);
	char *iort;
	struct run run;

	(void)state;
	cfg_test_file_bytes(CFG_FDT_MACHINE_PATH, tree, size);
	run_discover(&run, "smmu smmuv3 require device pci:0:1.0", &opts);
	assert_ok(&run);
	assert_string_equal(find_unit(&run.cfg, "smmu0")->loc.file, CFG_FDT_MACHINE_PATH);
	run_fini(&run);

	iort = test_file_read(QEMU_VIRT_IORT, &size);
	cfg_test_file_bytes(CFG_IORT_MACHINE_PATH, iort, size);
	run_discover(&run, "smmu smmuv3 require device pci:0:1.0", &opts);
	assert_ok(&run);
	assert_string_equal(find_unit(&run.cfg, "smmu0")->loc.file, CFG_IORT_MACHINE_PATH);
	run_fini(&run);
	free(iort);
	free(tree);
}

/* A tree named with --fdt must be there and valid; the machine's own, when
 * corrupt, is a warning without `require` and an error with it; --iort and
 * --fdt together are an error; `ignore` reads nothing. */
static void test_unusable_trees(void **state)
{
	struct cfg_discover_options opts = {.system = cfg_test_options()->system};
	struct run run;

	(void)state;
	run_fdt(&run, "smmu smmuv3", "/nonexistent/virt.dtb");
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR,
		    "/nonexistent/virt.dtb: error: the device tree cannot be read: No such file");
	run_fini(&run);

	cfg_test_file_bytes("bad.dtb", "\xd0\x0d\xfe\xed", 4);
	run_fdt(&run, "smmu smmuv3", "bad.dtb");
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR,
		    "bad.dtb: error: the device tree is not valid: offset 0: a device tree "
		    "header needs 40 bytes, 4 given");
	run_fini(&run);

	cfg_test_file_bytes(CFG_FDT_MACHINE_PATH, "\xd0\x0d\xfe\xed", 4);
	run_discover(&run, "smmu smmuv3", &opts);
	assert_int_equal(run.r, 0);
	assert_diag(&run, CFG_SEVERITY_WARNING,
		    "/sys/firmware/fdt: warning: the device tree is not valid: offset 0");
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);
	run_discover(&run, "smmu smmuv3 require", &opts);
	assert_int_equal(run.r, -EINVAL);
	run_fini(&run);

	opts.fdt_path = QEMU_VIRT;
	opts.iort_path = QEMU_VIRT_IORT;
	run_discover(&run, "smmu smmuv3", &opts);
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR, "--iort and --fdt both name the board");
	run_fini(&run);

	run_fdt(&run, "smmu smmuv3 ignore", QEMU_VIRT);
	assert_int_equal(run.r, 0);
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);

	/* A valid tree without an SMMUv3 fails `require`. */
	run_fdt(&run, "smmu smmuv3 require", QEMU_VIRTIO_IOMMU);
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR, "names no SMMUv3");
	run_fini(&run);
}

/* The dump, read back, is the same facts from the user, and discovering
 * the same tree on top of it adds nothing. */
static void test_dump_reads_back(void **state)
{
	char *first, *stripped, *second;
	struct run run;

	(void)state;
	build_soc("soc.dtb");
	run_fdt(&run, "smmu smmuv3 device pci:2:1:0.0", "soc.dtb");
	assert_ok(&run);
	first = run_dump(&run);
	run_fini(&run);
	stripped = strip_comments(first);
	cfg_test_file("dump.smmu", first);
	run_fdt(&run, "@dump.smmu", "soc.dtb");
	assert_ok(&run);
	assert_int_equal(count_board_facts(&run.cfg), 0);
	{
		struct strbuf out = STRBUF_INIT;

		cfg_dump(&run.cfg, &out);
		second = strbuf_take(&out);
	}
	assert_string_equal(second, stripped);
	run_fini(&run);
	smmu_free(first);
	smmu_free(stripped);
	smmu_free(second);
}

/* Every allocation of a discovery can fail: -ENOMEM, no leak, and a
 * configuration that can still be freed. */
static void test_out_of_memory(void **state)
{
	struct cfg_discover_options opts = {.fdt_path = "soc.dtb"};
	long points = 0;

	(void)state;
	build_soc("soc.dtb");
	opts.system = cfg_test_options()->system;
	for (long n = 0;; n++) {
		struct run run = {0};
		int r;

		assert_int_equal(
			cfg_test_parse("smmu smmuv3 device pci:2:0:1.0", &run.cfg, &run.diags), 0);
		smmu_alloc_fail_after(n);
		r = cfg_discover(&run.cfg, &opts, &run.report, &run.diags);
		smmu_alloc_fail_after(-1);
		run_fini(&run);
		if (r == 0) {
			break;
		}
		assert_int_equal(r, -ENOMEM);
		points++;
		assert_true(points < 10000);
	}
	assert_true(points > 20);
}

#define TEST(t) cmocka_unit_test_setup(t, cfg_test_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_qemu_virt_dump),
		TEST(test_qemu_virt_same_as_iort),
		TEST(test_qemu_virtio_iommu),
		TEST(test_platform_devices),
		TEST(test_reserved_memory),
		TEST(test_masked_iommu_map),
		TEST(test_user_overrides),
		TEST(test_example_configuration),
		TEST(test_machine_tree),
		TEST(test_unusable_trees),
		TEST(test_dump_reads_back),
		TEST(test_out_of_memory),
		TEST(test_user_unit_named_after_tree_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
