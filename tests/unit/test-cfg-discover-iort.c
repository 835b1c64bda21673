/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Board discovery for `smmu smmuv3` from the ACPI IORT: QEMU's virt table
 * and every real table in shared/fixtures turn into the units and StreamIDs
 * their nodes imply; RMR memory lands on the devices of its StreamIDs; the
 * user's configuration overrides the table by the documented rules;
 * `require` and `ignore`, --iort and --fdt do what smmuman.smmu(5) says; a
 * dump reads back as the same facts; and the neutral description's
 * builders check what they are given.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg-test-util.h"
#include "common/alloc.h"
#include "common/strbuf.h"
#include "config/cfg-discover-arm.h"
#include "config/cfg-discover.h"
#include "discover-test-util.h"
#include "json-reader.h"
#include "sidecar.h"

#ifndef SMMU_FIXTURES_DIR
#error "the build passes SMMU_FIXTURES_DIR"
#endif
#ifndef SMMU_TEST_DATA_DIR
#error "the build passes SMMU_TEST_DATA_DIR"
#endif

#define IORT_FIXTURES SMMU_FIXTURES_DIR "/acpi/iort"
#define QEMU_VIRT SMMU_TEST_DATA_DIR "/qemu-virt-smmuv3.iort.bin"
#define IORT_FIXTURE_COUNT 4

static void run_iort(struct run *run, const char *config, const char *table)
{
	struct cfg_discover_options opts = {.iort_path = table};

	run_discover(run, config, &opts);
}

static const struct cfg_device *find_pci(const struct cfg_config *cfg, unsigned seg, unsigned bus,
					 unsigned dev, unsigned func)
{
	for (size_t i = 0; i < cfg->device_count; i++) {
		const struct cfg_device_id *id = &cfg->devices[i].id;

		if (id->kind == CFG_DEVICE_PCI && id->pci.segment == seg && id->pci.bus == bus &&
		    id->pci.dev == dev && id->pci.func == func) {
			return &cfg->devices[i];
		}
	}
	fail_msg("no device pci:%u:%u:%u.%u", seg, bus, dev, func);
	return NULL;
}

/* Asserts that `device` has exactly one use, of `unit` with `param`. */
static void assert_use(const struct cfg_device *device, const char *unit, const char *param,
		       enum cfg_origin origin)
{
	assert_int_equal(device->use_count, 1);
	assert_string_equal(device->uses[0].unit, unit);
	if (param) {
		assert_non_null(device->uses[0].param);
		assert_string_equal(device->uses[0].param, param);
	} else {
		assert_null(device->uses[0].param);
	}
	assert_int_equal(device->uses[0].origin, origin);
}

/* QEMU's table plus an RMR node and a named component, both behind its
 * SMMUv3 (node offset 72): RMR StreamID 8 (edu at 00:01.0) gets
 * 0x48000000+64K, StreamIDs 30-31 0x49000000+4K; the named component
 * \_SB.DMA0 has StreamID 0x40.  Returns the table (free it). */
static unsigned char *virt_with_rmr(size_t *ret_size)
{
	size_t size;
	unsigned char *qemu = test_file_read(QEMU_VIRT, &size);
	const unsigned char rmr[] = {
		6,  108,  0, 3,	   0,  0, 0, 0, /* type, length, revision, id */
		2,  0,	  0, 0,	   28, 0, 0, 0, /* 2 mappings at 28 */
		0,  0,	  0, 0,	   2,  0, 0, 0, /* flags, 2 ranges */
		68, 0,	  0, 0,			/* ranges at 68 */
		0,  0,	  0, 0,	   0,  0, 0, 0, /* input 0, 1 ID */
		8,  0,	  0, 0,	   72, 0, 0, 0, /* StreamID 8 of the SMMUv3 */
		0,  0,	  0, 0,			/* flags */
		0,  0,	  0, 0,	   1,  0, 0, 0, /* input 0, 2 IDs */
		30, 0,	  0, 0,	   72, 0, 0, 0, /* StreamIDs 30-31 */
		0,  0,	  0, 0,			/* flags */
		0,  0,	  0, 0x48, 0,  0, 0, 0, /* 0x48000000 */
		0,  0,	  1, 0,	   0,  0, 0, 0, /* 64 KiB */
		0,  0,	  0, 0,			/* reserved */
		0,  0,	  0, 0x49, 0,  0, 0, 0, /* 0x49000000 */
		0,  0x10, 0, 0,	   0,  0, 0, 0, /* 4 KiB */
		0,  0,	  0, 0,			/* reserved */
	};
	const unsigned char nc[] = {
		1,    60,  0,	0,   0,	  0,	0,   0,	  /* type, length 60 */
		1,    0,   0,	0,   40,  0,	0,   0,	  /* 1 mapping at 40 */
		0,    0,   0,	0,   0,	  0,	0,   0,	  /* flags, memory properties */
		0,    0,   0,	0,   48,  '\\', '_', 'S', /* ..., address limit, name */
		'B',  '.', 'D', 'M', 'A', '0',	0,   0,	  /* */
		0,    0,   0,	0,   0,	  0,	0,   0,	  /* mapping: input 0, 1 ID */
		0x40, 0,   0,	0,   72,  0,	0,   0,	  /* StreamID 0x40 of the SMMUv3 */
		0,    0,   0,	0,			  /* flags */
	};
	size_t total = size + sizeof(rmr) + sizeof(nc);
	unsigned char *table = malloc(total);
	unsigned sum = 0;

	assert_int_equal(sizeof(rmr), 108);
	assert_int_equal(sizeof(nc), 60);
	assert_non_null(table);
	memcpy(table, qemu, size);
	memcpy(table + size, rmr, sizeof(rmr));
	memcpy(table + size + sizeof(rmr), nc, sizeof(nc));
	table[4] = (unsigned char)total;
	table[5] = (unsigned char)(total >> 8);
	table[36] += 2; /* node count */
	table[9] = 0;
	for (size_t i = 0; i < total; i++) {
		sum += table[i];
	}
	table[9] = (unsigned char)(0x100 - (sum & 0xff));
	free(qemu);
	*ret_size = total;
	return table;
}

/* ---- QEMU's virt board ---- */

/* The whole dump: the unit at 0x09050000, edu's StreamID from its
 * requester ID, the rest of the table as notes. */
static void test_qemu_virt_dump(void **state)
{
	struct run run;
	char *dump;

	(void)state;
	run_iort(&run, "smmu smmuv3 device pci:0:1.0", QEMU_VIRT);
	assert_ok(&run);
	dump = run_dump(&run);
	assert_string_equal(dump,
			    "# board: IORT from " QEMU_VIRT ": OEM 'BOCHS ' 'BXPC    ' revision 3; "
			    "1 ITS group, 0 named component, 1 root complex, 0 SMMUv1/v2, 1 "
			    "SMMUv3, 0 PMCG, 0 RMR\n"
			    "# board: IORT ITS group 0: 1 GIC ITS not used (interrupt translation "
			    "is not smmuman's)\n"
			    "# board: IORT root complex 0 (segment 0): requester IDs 0x100-0xffff "
			    "go to the ITS group at offset 48 directly: no SMMU translates them\n"
			    "smmu smmuv3\n"
			    "unit smmu0 0x9050000,0 # board: IORT SMMUv3 0\n"
			    "device pci:0:1.0\n"
			    "use smmu0 8 # board: IORT root complex 0\n");
	assert_int_equal(run.diags.count, 0);
	smmu_free(dump);
	run_fini(&run);
}

/* Requester IDs beyond the SMMU's mapping (here 0x101, bus 1 device 0
 * function 1) are a warning and get no unit; other segments are left alone. */
static void test_uncovered_devices(void **state)
{
	struct run run;

	(void)state;
	run_iort(&run, "smmu smmuv3 device pci:1:0.0 device pci:1:0.1 device pci:2:0:0.0",
		 QEMU_VIRT);
	assert_ok(&run);
	assert_use(find_pci(&run.cfg, 0, 1, 0, 0), "smmu0", "256", CFG_ORIGIN_BOARD);
	assert_int_equal(find_pci(&run.cfg, 0, 1, 0, 1)->use_count, 0);
	assert_diag(&run, CFG_SEVERITY_WARNING,
		    "pci:1:0.1 (requester ID 0x0101) is on PCI segment 0, but no ID mapping of "
		    "the board's root complexes puts it behind an SMMUv3");
	assert_int_equal(find_pci(&run.cfg, 2, 0, 0, 0)->use_count, 0);
	assert_note(&run, "pci:2:0:0.0: no root complex of the board serves PCI segment 2; left "
			  "alone");
	assert_int_equal(count_severity(&run, CFG_SEVERITY_WARNING), 1);
	run_fini(&run);
}

/* RMR memory lands on the devices that use its StreamIDs; a range no
 * device uses and a named component (no device-id spelling) are notes. */
static void test_rmr_and_named_component(void **state)
{
	struct cfg_discover_options opts = {.iort_path = "rmr.bin"};
	const struct cfg_device *edu;
	size_t size;
	unsigned char *table = virt_with_rmr(&size);
	struct run run;
	char *dump;

	(void)state;
	cfg_test_file_bytes("rmr.bin", (const char *)table, size);
	opts.system = cfg_test_options()->system;
	run_discover(&run, "smmu smmuv3 device pci:0:1.0 device mem:0x0a000000,4K use smmu0 40",
		     &opts);
	assert_ok(&run);
	/* Both ranges are for every StreamID the RMR names: 8 is edu's. */
	edu = find_pci(&run.cfg, 0, 0, 1, 0);
	assert_use(edu, "smmu0", "8", CFG_ORIGIN_BOARD);
	assert_int_equal(edu->reserved_count, 2);
	assert_int_equal(edu->reserved[0].start, 0x48000000);
	assert_int_equal(edu->reserved[0].size, 0x10000);
	assert_int_equal(edu->reserved[1].start, 0x49000000);
	assert_int_equal(edu->reserved[1].size, 0x1000);
	assert_string_equal(edu->reserved[0].loc.part, "IORT RMR");
	/* The user's mem: device has StreamID 40, which the RMR does not name. */
	assert_int_equal(run.cfg.devices[1].reserved_count, 0);
	assert_note(&run, "IORT RMR 0: 0x48000000,0x10000 for StreamIDs 30-31 of smmu0: no "
			  "configured device uses them; not added");
	assert_note(&run, "IORT named component 0: '\\_SB.DMA0' (StreamID 64 of smmu0) has no "
			  "device-id spelling in the configuration");
	dump = run_dump(&run);
	assert_contains(dump, "device pci:0:1.0\nuse smmu0 8 # board: IORT root complex 0\n"
			      "reserved 0x48000000,0x10000 # board: IORT RMR 0\n"
			      "reserved 0x49000000,0x1000 # board: IORT RMR 0\n");
	smmu_free(dump);
	run_fini(&run);
	free(table);
}

/* ---- The real tables ---- */

/* Every fixture: a unit per SMMUv3 node at its base; for every root
 * complex a device at requester ID 0x0100 of its segment, which gets the
 * StreamID its mapping implies, or a warning when the mapping does not
 * lead to an SMMUv3.  The Kodiak table, whose checksum was never filled
 * in, is refused. */
static void check_fixture(const char *name)
{
	char bin[512], json[512], message[128];
	struct strbuf config = STRBUF_INIT;
	size_t json_size, smmu3 = 0, stem = strlen(name) - strlen(".bin");
	struct sidecar_where w = {.file = name, .path = "$"};
	const struct json_value *nodes;
	struct json_value root;
	char *text;
	struct run run;

	snprintf(bin, sizeof(bin), "%s/%s", IORT_FIXTURES, name);
	snprintf(json, sizeof(json), "%s/%.*s.json", IORT_FIXTURES, (int)stem, name);
	text = test_file_read(json, &json_size);
	assert_int_equal(json_parse(text, json_size, &root, message, sizeof(message)), 0);
	nodes = sidecar_member(&w, sidecar_member(&w, &root, "iort"), "nodes");
	strbuf_puts(&config, "smmu smmuv3");
	for (size_t i = 0; i < nodes->count; i++) {
		const struct json_value *n = &nodes->items[i];

		if (sidecar_u64(&w, sidecar_member(&w, n, "type"), "type") == 2) {
			strbuf_printf(&config, " device pci:%" PRIu64 ":1:0.0",
				      sidecar_u64(&w, sidecar_member(&w, n, "pci_segment"), "seg"));
		}
	}
	run_iort(&run, strbuf_str(&config), bin);
	if (!sidecar_member(&w, &root, "checksum_ok")->boolean) {
		assert_int_equal(run.r, -EINVAL);
		assert_diag(&run, CFG_SEVERITY_ERROR,
			    "error: the IORT is not valid: offset 9: checksum byte 0x00");
		assert_int_equal(count_board_facts(&run.cfg), 0);
		goto out;
	}
	assert_ok(&run);
	for (size_t i = 0; i < nodes->count; i++) {
		const struct json_value *n = &nodes->items[i];
		uint64_t type = sidecar_u64(&w, sidecar_member(&w, n, "type"), "type");

		if (type == 4) {
			char unit[16], params[32];

			snprintf(unit, sizeof(unit), "smmu%zu", smmu3++);
			snprintf(params, sizeof(params), "0x%" PRIx64 ",0",
				 sidecar_u64(&w, sidecar_member(&w, n, "base_address"), "base"));
			assert_string_equal(find_unit(&run.cfg, unit)->params, params);
			assert_int_equal(find_unit(&run.cfg, unit)->origin, CFG_ORIGIN_BOARD);
		} else if (type == 2) {
			const struct json_value *maps = sidecar_member(&w, n, "id_mappings");
			unsigned seg = (unsigned)sidecar_u64(
				&w, sidecar_member(&w, n, "pci_segment"), "seg");
			const struct cfg_device *device = find_pci(&run.cfg, seg, 1, 0, 0);
			bool covered = false;

			for (size_t k = 0; k < maps->count; k++) {
				const struct json_value *m = &maps->items[k];
				uint64_t in =
					sidecar_u64(&w, sidecar_member(&w, m, "input_base"), "");
				uint64_t count =
					sidecar_u64(&w, sidecar_member(&w, m, "id_count"), "");
				uint64_t out =
					sidecar_u64(&w, sidecar_member(&w, m, "output_base"), "");
				char sid[16];

				if (in > 0x100 || in + count < 0x100) {
					continue;
				}
				/* Every real root complex maps straight to the SMMUv3. */
				covered = true;
				snprintf(sid, sizeof(sid), "%" PRIu64, out + 0x100 - in);
				assert_use(device, "smmu0", sid, CFG_ORIGIN_BOARD);
			}
			if (!covered) {
				assert_int_equal(device->use_count, 0);
			}
		}
	}
	assert_int_equal(run.cfg.unit_count, smmu3);
out:
	run_fini(&run);
	strbuf_fini(&config);
	json_free(&root);
	free(text);
}

static void test_every_fixture(void **state)
{
	DIR *dir = opendir(IORT_FIXTURES);
	struct dirent *entry;
	size_t checked = 0;

	(void)state;
	if (!dir) {
		fail_msg("cannot open %s: %s", IORT_FIXTURES, strerror(errno));
	}
	while ((entry = readdir(dir)) != NULL) {
		size_t len = strlen(entry->d_name);

		if (len > 9 && strcmp(entry->d_name + len - 9, ".iort.bin") == 0) {
			check_fixture(entry->d_name);
			checked++;
		}
	}
	closedir(dir);
	assert_int_equal(checked, IORT_FIXTURE_COUNT);
}

/* The X13s: seven segments, each its own StreamID block of the SMMUv3;
 * its SMMUv1/v2 units and named components are notes. */
static void test_x13s_segments(void **state)
{
	struct run run;

	(void)state;
	run_iort(&run, "smmu smmuv3 device pci:6:1:0.0 device pci:0:0:1.0",
		 IORT_FIXTURES "/lenovo-thinkpad-x13s.iort.bin");
	assert_ok(&run);
	assert_use(find_pci(&run.cfg, 6, 1, 0, 0), "smmu0", "393472", CFG_ORIGIN_BOARD);
	assert_use(find_pci(&run.cfg, 0, 0, 1, 0), "smmu0", "8", CFG_ORIGIN_BOARD);
	assert_note(&run, "IORT SMMUv1/v2 0 at 0x15000000 not used");
	assert_note(&run, "IORT named component 0 '\\_SB.GPU0': 66 ID mappings not to an SMMUv3");
	run_fini(&run);
}

/* ---- User input overrides the board ---- */

/* A user unit at the SMMUv3's base takes its place, whatever its name and
 * parameters; one named smmu0 takes it at another base. */
static void test_user_units(void **state)
{
	struct run run;

	(void)state;
	run_iort(&run, "smmu smmuv3 unit mine 0x09050000,1,4:5 device pci:0:1.0", QEMU_VIRT);
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 1);
	assert_string_equal(run.cfg.units[0].params, "0x09050000,1,4:5");
	assert_use(find_pci(&run.cfg, 0, 0, 1, 0), "mine", "8", CFG_ORIGIN_BOARD);
	assert_note(&run, "IORT SMMUv3 0 (0x9050000) is the user's unit mine 0x09050000,1,4:5 "
			  "(same register base)");
	run_fini(&run);

	run_iort(&run, "smmu smmuv3 unit smmu0 0x19050000 device pci:0:1.0", QEMU_VIRT);
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 1);
	assert_use(find_pci(&run.cfg, 0, 0, 1, 0), "smmu0", "8", CFG_ORIGIN_BOARD);
	assert_note(&run, "(same name)");
	run_fini(&run);

	/* The base wins over the name: the user's smmu0 elsewhere stays, the
	 * board unit at 0x09050000 is the user's `virt`, nothing is added. */
	run_iort(&run, "smmu smmuv3 unit smmu0 0x1000 unit virt 0x9050000", QEMU_VIRT);
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 2);
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);
}

/* A device with the user's `use` keeps it; the board's is a note. */
static void test_user_use_kept(void **state)
{
	struct run run;

	(void)state;
	run_iort(&run, "smmu smmuv3 device pci:0:1.0 use smmu0 9", QEMU_VIRT);
	assert_ok(&run);
	assert_use(find_pci(&run.cfg, 0, 0, 1, 0), "smmu0", "9", CFG_ORIGIN_USER);
	run_fini(&run);
}

/* ---- require, ignore, and where the description comes from ---- */

/* The machine's IORT is read from its place. */
static void test_machine_table(void **state)
{
	struct cfg_discover_options opts = {.system = cfg_test_options()->system};
	size_t size;
	char *table = test_file_read(QEMU_VIRT, &size);
	struct run run;

	(void)state;
	cfg_test_file_bytes(CFG_IORT_MACHINE_PATH, table, size);
	run_discover(&run, "smmu smmuv3 require device pci:0:1.0", &opts);
	assert_ok(&run);
	assert_string_equal(find_unit(&run.cfg, "smmu0")->loc.file, CFG_IORT_MACHINE_PATH);
	run_fini(&run);
	free(table);
}

/* Neither IORT nor device tree: a note, an error under `require`, a
 * warning under `require` when only inspecting. */
static void test_nothing_to_read(void **state)
{
	struct cfg_discover_options opts = {.system = cfg_test_options()->system};
	struct run run;

	(void)state;
	run_discover(&run, "smmu smmuv3", &opts);
	assert_ok(&run);
	assert_int_equal(run.diags.count, 0);
	assert_note(&run, "no IORT at /sys/firmware/acpi/tables/IORT and no device tree at "
			  "/sys/firmware/fdt, nothing discovered");
	run_fini(&run);

	run_discover(&run, "smmu smmuv3 require", &opts);
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR,
		    "<command line>:1:6: error: smmu smmuv3 require: the IORT "
		    "/sys/firmware/acpi/tables/IORT is missing, and so is the device tree");
	run_fini(&run);

	opts.inspect = true;
	run_discover(&run, "smmu smmuv3 require", &opts);
	assert_int_equal(run.r, 0);
	assert_diag(&run, CFG_SEVERITY_WARNING, "the service would refuse to start");
	run_fini(&run);
}

/* --fdt reads the device tree only (test-cfg-discover-fdt.c covers what it
 * gives); without --iort and --fdt, a machine with no IORT falls back to its
 * device tree, whose faults are then the device tree's. */
static void test_device_tree_fallback(void **state)
{
	struct cfg_discover_options opts = {.system = cfg_test_options()->system};
	struct run run;

	(void)state;
	opts.fdt_path = "virt.dtb";
	run_discover(&run, "smmu smmuv3", &opts);
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR, "virt.dtb: error: the device tree cannot be read");
	run_fini(&run);

	opts.iort_path = QEMU_VIRT;
	run_discover(&run, "smmu smmuv3", &opts);
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR, "--iort and --fdt both name the board");
	run_fini(&run);

	opts = (struct cfg_discover_options){.system = cfg_test_options()->system};
	cfg_test_file_bytes(CFG_FDT_MACHINE_PATH, "\xd0\x0d\xfe\xed", 4);
	run_discover(&run, "smmu smmuv3", &opts);
	assert_int_equal(run.r, 0);
	assert_diag(&run, CFG_SEVERITY_WARNING,
		    "/sys/firmware/fdt: warning: the device tree is not valid: offset 0");
	run_fini(&run);
	run_discover(&run, "smmu smmuv3 require", &opts);
	assert_int_equal(run.r, -EINVAL);
	run_fini(&run);
}

/* A table named with --iort must be there and valid; the machine's own,
 * when corrupt, is a warning without `require`. */
static void test_unusable_tables(void **state)
{
	struct cfg_discover_options opts = {.system = cfg_test_options()->system};
	size_t size;
	char *table = test_file_read(QEMU_VIRT, &size);
	struct run run;

	(void)state;
	run_iort(&run, "smmu smmuv3", "/nonexistent/t.bin");
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR,
		    "/nonexistent/t.bin: error: the IORT cannot be read: No such file");
	run_fini(&run);

	table[9] ^= 1;
	cfg_test_file_bytes(CFG_IORT_MACHINE_PATH, table, size);
	run_discover(&run, "smmu smmuv3", &opts);
	assert_int_equal(run.r, 0);
	assert_diag(&run, CFG_SEVERITY_WARNING,
		    "/sys/firmware/acpi/tables/IORT: warning: the IORT is not valid: offset 9: "
		    "checksum");
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);
	run_discover(&run, "smmu smmuv3 require", &opts);
	assert_int_equal(run.r, -EINVAL);
	run_fini(&run);
	free(table);
}

/* `ignore` reads nothing; require and ignore contradict; other words are
 * the support library's; the IORT is only for `smmu smmuv3`; a table
 * without an SMMUv3 fails `require`. */
static void test_params(void **state)
{
	struct run run;

	(void)state;
	run_iort(&run, "smmu smmuv3 ignore", QEMU_VIRT);
	assert_ok(&run);
	assert_int_equal(count_board_facts(&run.cfg), 0);
	assert_diag(&run, CFG_SEVERITY_WARNING, "not read: 'smmu smmuv3 ignore'");
	run_fini(&run);

	run_iort(&run, "smmu smmuv3 require,ignore", QEMU_VIRT);
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR, "contradict each other");
	run_fini(&run);

	run_iort(&run, "smmu smmuv3 stage=1,require", QEMU_VIRT);
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 1);
	run_fini(&run);

	run_iort(&run, "smmu soft", QEMU_VIRT);
	assert_ok(&run);
	assert_diag(&run, CFG_SEVERITY_WARNING, "not read: only 'smmu smmuv3' uses an IORT table");
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);

	run_iort(&run, "smmu smmuv3 require", IORT_FIXTURES "/acer-aspire-1.iort.bin");
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR, "names no SMMUv3");
	run_fini(&run);
}

/* The dump, read back, is the same facts from the user, and discovering
 * the same table on top of it adds nothing. */
static void test_dump_reads_back(void **state)
{
	struct cfg_discover_options opts = {.iort_path = "rmr.bin"};
	size_t size;
	unsigned char *table = virt_with_rmr(&size);
	char *first, *stripped, *second;
	struct run run;

	(void)state;
	cfg_test_file_bytes("rmr.bin", (const char *)table, size);
	opts.system = cfg_test_options()->system;
	run_discover(&run, "smmu smmuv3 device pci:0:1.0 device pci:0:2.0", &opts);
	assert_ok(&run);
	first = run_dump(&run);
	run_fini(&run);
	stripped = strip_comments(first);
	cfg_test_file("dump.smmu", first);
	run_discover(&run, "@dump.smmu", &opts);
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
	free(table);
}

/* ---- The neutral description ---- */

/* The builders refuse bad unit indexes and empty ranges; fini frees all. */
static void test_builders(void **state)
{
	struct cfg_arm_board arm = {0};
	const struct cfg_arm_where where = {"TEST", 0};
	struct cfg_device_id id = {.kind = CFG_DEVICE_MEM};
	size_t rc, unit;

	(void)state;
	assert_int_equal(cfg_arm_add_rid_map(&arm, 0, 0, 1, 0, 0), -EINVAL);
	assert_int_equal(cfg_arm_add_unit(&arm, 0x1000, "named", where, &unit), 0);
	assert_int_equal(cfg_arm_add_root_complex(&arm, 0, where, &rc), 0);
	assert_int_equal(cfg_arm_add_rid_map(&arm, rc, 0, 0, unit, 0), -EINVAL);
	assert_int_equal(cfg_arm_add_rid_map(&arm, rc, 0, 1, unit + 1, 0), -EINVAL);
	assert_int_equal(cfg_arm_add_rid_map(&arm, rc, 0, 256, unit, 0x100), 0);
	assert_int_equal(cfg_arm_add_platform_device(&arm, NULL, NULL, unit, 1, where), -EINVAL);
	assert_int_equal(cfg_arm_add_platform_device(&arm, &id, "dma", unit, 1, where), 0);
	assert_int_equal(cfg_arm_add_reserved(&arm, unit, 0, 1, 0x1000, 0, where), -EINVAL);
	assert_int_equal(cfg_arm_add_reserved(&arm, unit, 0, 1, UINT64_MAX, 2, where), -EINVAL);
	assert_int_equal(cfg_arm_add_reserved(&arm, unit, 0, 0, 0x1000, 1, where), -EINVAL);
	assert_int_equal(cfg_arm_add_reserved(&arm, unit, 0, 1, 0x1000, 0x1000, where), 0);
	assert_int_equal(arm.root_complexes[0].map_count, 1);
	assert_string_equal(arm.units[0].name, "named");
	cfg_arm_board_fini(&arm);
	assert_null(arm.units);
	cfg_arm_board_fini(&arm);
}

/* A description applied directly: a preferred unit name, a platform
 * device with a mem: id, and a second StreamID of it (a note). */
static void test_apply_platform_device(void **state)
{
	struct cfg_arm_board arm = {0};
	const struct cfg_arm_where where = {"FDT test", 3};
	struct cfg_device_id id = {.kind = CFG_DEVICE_MEM, .mem = {0x0a000000, 0x1000}};
	struct cfg_board b;
	struct run run = {0};
	char *dump;

	(void)state;
	assert_int_equal(cfg_test_parse("smmu smmuv3", &run.cfg, &run.diags), 0);
	b = (struct cfg_board){.cfg = &run.cfg, .diags = &run.diags, .report = &run.report};
	assert_int_equal(cfg_board_set_source(&b, "test.dtb"), 0);
	assert_int_equal(cfg_arm_add_unit(&arm, 0x9050000, "iommu", where, NULL), 0);
	assert_int_equal(cfg_arm_add_platform_device(&arm, &id, NULL, 0, 16, where), 0);
	assert_int_equal(cfg_arm_add_platform_device(&arm, &id, NULL, 0, 17, where), 0);
	assert_int_equal(cfg_arm_apply(&b, &arm), 0);
	dump = run_dump(&run);
	assert_string_equal(dump, "# board: FDT test 3: mem:0xa000000,0x1000 is listed again; it "
				  "stays behind iommu 16 (FDT test 3), not iommu 17\n"
				  "smmu smmuv3\n"
				  "unit iommu 0x9050000,0 # board: FDT test 3\n"
				  "device mem:0xa000000,0x1000 # board: FDT test 3\n"
				  "use iommu 16 # board: FDT test 3\n");
	smmu_free(dump);
	cfg_arm_board_fini(&arm);
	run_fini(&run);
}

/* ---- Out of memory ---- */

/* Every allocation of a discovery can fail: -ENOMEM, no leak, and a
 * configuration that can still be freed. */
static void test_out_of_memory(void **state)
{
	struct cfg_discover_options opts = {.iort_path = "rmr.bin"};
	size_t size;
	unsigned char *table = virt_with_rmr(&size);
	long points = 0;

	(void)state;
	cfg_test_file_bytes("rmr.bin", (const char *)table, size);
	opts.system = cfg_test_options()->system;
	for (long n = 0;; n++) {
		struct run run = {0};
		int r;

		assert_int_equal(
			cfg_test_parse("smmu smmuv3 device pci:0:1.0", &run.cfg, &run.diags), 0);
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
	free(table);
}

#define TEST(t) cmocka_unit_test_setup(t, cfg_test_reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_qemu_virt_dump),	    TEST(test_uncovered_devices),
		TEST(test_rmr_and_named_component), TEST(test_every_fixture),
		TEST(test_x13s_segments),	    TEST(test_user_units),
		TEST(test_user_use_kept),	    TEST(test_machine_table),
		TEST(test_nothing_to_read),	    TEST(test_device_tree_fallback),
		TEST(test_unusable_tables),	    TEST(test_params),
		TEST(test_dump_reads_back),	    TEST(test_builders),
		TEST(test_apply_platform_device),   TEST(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
