/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Board discovery from the DMAR: every real table in shared/fixtures turns
 * into the units, devices and reserved regions its JSON sidecar lists; the
 * user's configuration overrides the table by the documented rules;
 * `require` and `ignore` do what smmuman.smmu(5) says; and a dump of a
 * discovered configuration reads back as the same facts.
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
#include "config/cfg-discover.h"
#include "discover-test-util.h"
#include "file-test-util.h"
#include "json-reader.h"

#ifndef SMMU_FIXTURES_DIR
#error "the build passes SMMU_FIXTURES_DIR"
#endif

#define DMAR_FIXTURES SMMU_FIXTURES_DIR "/acpi/dmar"
#define FIXTURE(name) DMAR_FIXTURES "/" name ".dmar.bin"

/* The fixtures README lists 20 DMAR tables; fewer means a broken checkout. */
#define DMAR_FIXTURE_COUNT 20

/*
 * The DMAR of QEMU 7.2's q35 board started with `-device intel-iommu
 * -device edu -nodefaults`, read from fw_cfg `etc/acpi/tables`, with the
 * checksum byte filled in as the firmware's table loader would (QEMU leaves
 * it 0 and asks the firmware to compute it).  One DRHD at 0xfed90000
 * without INCLUDE_PCI_ALL, listing the IOAPIC and every PCI function of the
 * board: the host bridge, edu at 00:01.0, LPC, SATA and SMBus.
 */
static const unsigned char q35_dmar[] = {
	0x44, 0x4d, 0x41, 0x52, 0x70, 0x00, 0x00, 0x00, 0x01, 0x28, 0x42, 0x4f, 0x43, 0x48,
	0x53, 0x20, 0x42, 0x58, 0x50, 0x43, 0x20, 0x20, 0x20, 0x20, 0x01, 0x00, 0x00, 0x00,
	0x42, 0x58, 0x50, 0x43, 0x01, 0x00, 0x00, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xd9, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x00, 0xff,
	0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00,
	0x00, 0x00, 0x01, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x00, 0x01, 0x08,
	0x00, 0x00, 0x00, 0x00, 0x1f, 0x02, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x1f, 0x03,
};

/* Discovery of `table` (a --dmar file) under `config`. */
static void run_table(struct run *run, const char *config, const char *table)
{
	struct cfg_discover_options opts = {.dmar_path = table};

	run_discover(run, config, &opts);
}

static const struct cfg_device *find_pci(const struct cfg_config *cfg, unsigned bus, unsigned dev,
					 unsigned func)
{
	for (size_t i = 0; i < cfg->device_count; i++) {
		const struct cfg_device_id *id = &cfg->devices[i].id;

		if (id->kind == CFG_DEVICE_PCI && id->pci.segment == 0 && id->pci.bus == bus &&
		    id->pci.dev == dev && id->pci.func == func) {
			return &cfg->devices[i];
		}
	}
	return NULL;
}

static const struct cfg_device *get_pci(const struct cfg_config *cfg, unsigned bus, unsigned dev,
					unsigned func)
{
	const struct cfg_device *device = find_pci(cfg, bus, dev, func);

	if (!device) {
		fail_msg("no device pci:%u:%u.%u", bus, dev, func);
	}
	return device;
}

static bool has_reserved(const struct cfg_device *device, uint64_t start, uint64_t size)
{
	for (size_t i = 0; i < device->reserved_count; i++) {
		if (device->reserved[i].start == start && device->reserved[i].size == size) {
			return true;
		}
	}
	return false;
}

/* Sets the ACPI checksum byte so that the table's bytes sum to 0. */
static void fix_checksum(unsigned char *table, size_t size)
{
	unsigned sum = 0;

	table[9] = 0;
	for (size_t i = 0; i < size; i++) {
		sum += table[i];
	}
	table[9] = (unsigned char)(0x100 - (sum & 0xff));
}

/* ---- Every fixture against its sidecar ---- */

static uint64_t hex_member(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	assert_non_null(v);
	assert_int_equal(v->kind, JSON_STRING);
	return strtoull(v->string, NULL, 16);
}

static int64_t int_member(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	assert_non_null(v);
	assert_int_equal(v->kind, JSON_NUMBER);
	return v->number;
}

/* The function a one-step scope names, or NULL for other scopes (the
 * fixtures' two-step paths are checked with a bridge reader below). */
static const struct cfg_device *scope_device(const struct cfg_config *cfg,
					     const struct json_value *scope)
{
	const struct json_value *path = json_get(scope, "path");
	int64_t type = int_member(scope, "type");

	if ((type != 1 && type != 2) || path->count != 1) {
		return NULL;
	}
	return get_pci(cfg, (unsigned)int_member(scope, "start_bus"),
		       (unsigned)path->items[0].items[0].number,
		       (unsigned)path->items[0].items[1].number);
}

/* One fixture: a unit per DRHD, with its base and INCLUDE_PCI_ALL; every
 * PCI scope of a DRHD a device behind that DRHD's unit; every PCI scope of
 * an RMRR a device with that region, limit included, behind some unit. */
static void check_fixture(const char *bin_path, const char *json_path)
{
	size_t json_size;
	char *json_text = test_file_read(json_path, &json_size);
	const struct json_value *structs;
	struct json_value root;
	char message[128];
	size_t drhd = 0;
	struct run run;

	assert_int_equal(json_parse(json_text, json_size, &root, message, sizeof(message)), 0);
	structs = json_get(json_get(&root, "dmar"), "remapping_structures");
	assert_non_null(structs);
	run_table(&run, "smmu vtd", bin_path);
	assert_ok(&run);
	for (size_t s = 0; s < structs->count; s++) {
		const struct json_value *st = &structs->items[s];
		const struct json_value *scopes = json_get(st, "device_scope");
		int64_t type = int_member(st, "type");

		if (type == 0) {
			char name[16];
			char params[48];
			const struct cfg_unit *unit;

			snprintf(name, sizeof(name), "dmar%zu", drhd);
			snprintf(params, sizeof(params), "0x%" PRIx64 "%s",
				 hex_member(st, "register_base"),
				 int_member(st, "INCLUDE_PCI_ALL") ? ",include-all" : "");
			unit = find_unit(&run.cfg, name);
			assert_string_equal(unit->params, params);
			assert_int_equal(unit->origin, CFG_ORIGIN_BOARD);
			assert_string_equal(unit->loc.part, "DMAR DRHD");
			assert_int_equal(unit->loc.part_index, drhd);
			for (size_t i = 0; i < scopes->count; i++) {
				const struct cfg_device *device =
					scope_device(&run.cfg, &scopes->items[i]);

				if (device) {
					assert_int_equal(device->use_count, 1);
					assert_string_equal(device->uses[0].unit, name);
				}
			}
			drhd++;
		} else if (type == 1) {
			uint64_t base = hex_member(st, "base");
			uint64_t size = hex_member(st, "end_limit") - base + 1;

			for (size_t i = 0; i < scopes->count; i++) {
				const struct cfg_device *device =
					scope_device(&run.cfg, &scopes->items[i]);

				if (device) {
					assert_true(has_reserved(device, base, size));
					assert_int_equal(device->use_count, 1);
				}
			}
		}
	}
	assert_int_equal(run.cfg.unit_count, drhd);
	assert_int_equal(run.diags.error_count, 0);
	run_fini(&run);
	json_free(&root);
	free(json_text);
}

/* Every fixture decodes into exactly the facts its sidecar implies. */
static void test_every_fixture_matches_its_sidecar(void **state)
{
	DIR *dir = opendir(DMAR_FIXTURES);
	struct dirent *entry;
	size_t checked = 0;

	(void)state;
	if (!dir) {
		fail_msg("cannot open %s: %s", DMAR_FIXTURES, strerror(errno));
	}
	while ((entry = readdir(dir)) != NULL) {
		size_t len = strlen(entry->d_name);
		char bin[512];
		char json[512];

		if (len < 9 || strcmp(entry->d_name + len - 9, ".dmar.bin") != 0) {
			continue;
		}
		snprintf(bin, sizeof(bin), "%s/%s", DMAR_FIXTURES, entry->d_name);
		snprintf(json, sizeof(json), "%s/%.*s.json", DMAR_FIXTURES, (int)(len - 4),
			 entry->d_name);
		check_fixture(bin, json);
		checked++;
	}
	closedir(dir);
	assert_int_equal(checked, DMAR_FIXTURE_COUNT);
}

/* ---- What the dump shows ---- */

/* The QEMU q35 table: one unit, five devices, each line marked board, the
 * IOAPIC a note. */
static void test_qemu_q35_dump(void **state)
{
	struct cfg_discover_options opts = {.dmar_path = "q35.bin"};
	struct run run;
	char *dump;

	(void)state;
	cfg_test_file_bytes("q35.bin", (const char *)q35_dmar, sizeof(q35_dmar));
	opts.system = cfg_test_options()->system;
	run_discover(&run, "smmu vtd", &opts);
	assert_ok(&run);
	dump = run_dump(&run);
	assert_string_equal(
		dump,
		"# board: DMAR from q35.bin: OEM 'BOCHS ' 'BXPC    ' revision 1, host address "
		"width 39 bits, flags 0x01; 1 DRHD, 0 RMRR, 0 ATSR, 0 RHSA, 0 ANDD, 0 SATC, 0 "
		"SIDP\n"
		"# board: DMAR DRHD 0: IOAPIC 0 not used (interrupt remapping is not smmuman's)\n"
		"smmu vtd\n"
		"unit dmar0 0xfed90000 # board: DMAR DRHD 0\n"
		"device pci:0:0.0 # board: DMAR DRHD 0\n"
		"use dmar0 # board: DMAR DRHD 0\n"
		"device pci:0:1.0 # board: DMAR DRHD 0\n"
		"use dmar0 # board: DMAR DRHD 0\n"
		"device pci:0:31.0 # board: DMAR DRHD 0\n"
		"use dmar0 # board: DMAR DRHD 0\n"
		"device pci:0:31.2 # board: DMAR DRHD 0\n"
		"use dmar0 # board: DMAR DRHD 0\n"
		"device pci:0:31.3 # board: DMAR DRHD 0\n"
		"use dmar0 # board: DMAR DRHD 0\n");
	smmu_free(dump);
	run_fini(&run);
}

/* An INCLUDE_PCI_ALL unit with no scope: the devices of the RMRRs that no
 * DRHD lists are put behind it, each with its region, limit included. */
static void test_include_all_takes_rmrr_devices(void **state)
{
	const struct cfg_device *usb;
	struct run run;
	char *dump;

	(void)state;
	run_table(&run, "smmu vtd", FIXTURE("hp-compaq-dc7800-sff"));
	assert_ok(&run);
	assert_string_equal(find_unit(&run.cfg, "dmar3")->params, "0xfed93000,include-all");
	/* RMRR 1: 0xdefd0000..0xdefd0fff for the USB controller at 00:1d.7. */
	usb = get_pci(&run.cfg, 0, 29, 7);
	assert_int_equal(usb->origin, CFG_ORIGIN_BOARD);
	assert_int_equal(usb->use_count, 1);
	assert_string_equal(usb->uses[0].unit, "dmar3");
	assert_int_equal(usb->reserved_count, 1);
	assert_int_equal(usb->reserved[0].start, 0xdefd0000);
	assert_int_equal(usb->reserved[0].size, 0x1000);
	dump = run_dump(&run);
	assert_contains(dump, "device pci:0:29.7 # board: DMAR RMRR 1\n"
			      "use dmar3 # board: DMAR DRHD 3\n"
			      "reserved 0xdefd0000,0x1000 # board: DMAR RMRR 1\n");
	smmu_free(dump);
	run_fini(&run);
}

/* A sub-hierarchy scope records its bridge behind the unit, with a note
 * that the devices below it are not listed. */
static void test_subhierarchy_records_the_bridge(void **state)
{
	const struct cfg_device *bridge;
	struct run run;

	(void)state;
	run_table(&run, "smmu vtd", FIXTURE("asus-expertbook-b9400cea"));
	assert_ok(&run);
	bridge = get_pci(&run.cfg, 0, 7, 0);
	assert_string_equal(bridge->uses[0].unit, "dmar1");
	assert_note(&run, "DMAR DRHD 1: pci:0:7.0 is a bridge; the devices below it are behind "
			  "dmar1 too but are not listed here");
	run_fini(&run);
}

/* Structures smmuman does not use are notes, not facts and not warnings. */
static void test_unused_structures_are_notes(void **state)
{
	struct run run;

	(void)state;
	run_table(&run, "smmu vtd", FIXTURE("microsoft-surface-pro-3"));
	assert_ok(&run);
	assert_int_equal(count_severity(&run, CFG_SEVERITY_WARNING), 0);
	assert_note(&run, "DMAR ANDD 0: ACPI namespace device 1 is '\\_SB.PCI0.I2C0'");
	assert_note(&run, "ACPI Namespace Device 1 not used (not a PCI device)");
	run_fini(&run);

	run_table(&run, "smmu vtd", FIXTURE("generic-x99-board"));
	assert_ok(&run);
	assert_note(&run, "DMAR ATSR 0:");
	assert_note(&run, "DMAR RHSA 0: the unit at 0x");
	run_fini(&run);

	run_table(&run, "smmu vtd", FIXTURE("msi-claw-a1m"));
	assert_ok(&run);
	assert_note(&run, "DMAR SATC 0:");
	assert_note(&run, "DMAR SIDP 0:");
	run_fini(&run);
}

/* ---- Paths through bridges ---- */

static int fake_calls;

/* Bridge at bus 0, device D: secondary bus 0x40 + D. */
static int fake_secondary_bus(void *ctx, struct fw_pci_bdf bridge, uint8_t *ret_bus)
{
	(void)ctx;
	fake_calls++;
	assert_int_equal(bridge.bus, 0);
	*ret_bus = (uint8_t)(0x40 + bridge.device);
	return 0;
}

/* With a bridge reader, two-step paths resolve to the device behind the
 * bridge; without one, each is a warning and is left out. */
static void test_paths_through_bridges(void **state)
{
	struct cfg_discover_options opts = {
		.dmar_path = FIXTURE("hp-proliant-dl360-g7"),
		.read_secondary_bus = fake_secondary_bus,
	};
	const struct cfg_device *device;
	struct run run;

	(void)state;
	fake_calls = 0;
	run_discover(&run, "smmu vtd", &opts);
	assert_ok(&run);
	assert_int_equal(count_severity(&run, CFG_SEVERITY_WARNING), 0);
	assert_true(fake_calls >= 10);
	/* RMRR 1 lists 00:1c.4 -> 0.0: behind the bridge, on bus 0x40 + 28. */
	device = get_pci(&run.cfg, 0x40 + 28, 0, 0);
	assert_int_equal(device->reserved_count, 2);
	assert_string_equal(device->uses[0].unit, "dmar0");
	run_fini(&run);

	run_table(&run, "smmu vtd", FIXTURE("hp-proliant-dl360-g7"));
	assert_ok(&run);
	assert_int_equal(count_severity(&run, CFG_SEVERITY_WARNING), 10);
	assert_diag(&run, CFG_SEVERITY_WARNING,
		    "DMAR RMRR 1: the PCI device at start bus 0, path 28.4/0.0 cannot be found");
	assert_null(find_pci(&run.cfg, 0x40 + 28, 0, 0));
	run_fini(&run);
}

/* ---- User input overrides the board ---- */

/* A user unit at a DRHD's register base takes its place: no board unit,
 * the user's name and parameters, the DRHD's devices behind it. */
static void test_user_unit_at_same_base(void **state)
{
	struct run run;

	(void)state;
	run_table(&run, "smmu vtd unit gfx 0xfed90000", FIXTURE("lenovo-thinkpad-x1-carbon-6th"));
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 2);
	assert_int_equal(run.cfg.units[0].origin, CFG_ORIGIN_USER);
	assert_string_equal(run.cfg.units[0].params, "0xfed90000");
	assert_string_equal(run.cfg.units[1].name, "dmar1");
	assert_string_equal(get_pci(&run.cfg, 0, 2, 0)->uses[0].unit, "gfx");
	assert_note(&run, "DMAR DRHD 0 (0xfed90000) is the user's unit gfx 0xfed90000 (same "
			  "register base)");
	run_fini(&run);
}

/* A user unit named like a board unit replaces it even at another base:
 * that is how a wrong register base in the table is corrected. */
static void test_user_unit_of_same_name(void **state)
{
	struct run run;

	(void)state;
	run_table(&run, "smmu vtd unit dmar1 0xfed99000,include-all",
		  FIXTURE("lenovo-thinkpad-x1-carbon-6th"));
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 2);
	assert_string_equal(find_unit(&run.cfg, "dmar1")->params, "0xfed99000,include-all");
	assert_int_equal(find_unit(&run.cfg, "dmar1")->origin, CFG_ORIGIN_USER);
	assert_string_equal(find_unit(&run.cfg, "dmar0")->params, "0xfed90000");
	assert_note(&run, "is the user's unit dmar1 0xfed99000,include-all (same name)");
	run_fini(&run);
}

/* A user unit stands for one DRHD only; a board unit whose name the user
 * took gets another. */
static void test_board_unit_avoids_user_names(void **state)
{
	struct run run;

	(void)state;
	run_table(&run, "smmu vtd unit dmar1 0xfed90000", FIXTURE("lenovo-thinkpad-x1-carbon-6th"));
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 2);
	assert_string_equal(run.cfg.units[1].name, "dmar1-1");
	assert_string_equal(run.cfg.units[1].params, "0xfed91000,include-all");
	assert_string_equal(get_pci(&run.cfg, 0, 2, 0)->uses[0].unit, "dmar1");
	run_fini(&run);
}

/* A device the user put behind a unit stays there; one the user named
 * without a unit gets the board's; the user's reserved regions stay and
 * the board's are added once. */
static void test_user_devices(void **state)
{
	const struct cfg_device *device;
	struct run run;
	char *dump;

	(void)state;
	run_table(&run,
		  "smmu vtd unit mine 0x1000 device pci:0:2.0 use mine reserved 0x5000,0x1000 "
		  "device pci:0:20.0 reserved 0x40000000,0x1000",
		  FIXTURE("lenovo-thinkpad-x1-carbon-6th"));
	assert_ok(&run);
	device = get_pci(&run.cfg, 0, 2, 0);
	assert_int_equal(device->origin, CFG_ORIGIN_USER);
	assert_int_equal(device->use_count, 1);
	assert_string_equal(device->uses[0].unit, "mine");
	assert_int_equal(device->reserved_count, 2);
	assert_int_equal(device->reserved[0].origin, CFG_ORIGIN_USER);
	assert_int_equal(device->reserved[1].origin, CFG_ORIGIN_BOARD);
	assert_note(&run, "DMAR DRHD 0: pci:0:2.0 stays behind the user's unit mine, not dmar0");
	/* 00:14.0 is in RMRR 0 only: behind the include-all unit. */
	device = get_pci(&run.cfg, 0, 20, 0);
	assert_int_equal(device->origin, CFG_ORIGIN_USER);
	assert_int_equal(device->use_count, 1);
	assert_string_equal(device->uses[0].unit, "dmar1");
	assert_int_equal(device->uses[0].origin, CFG_ORIGIN_BOARD);
	dump = run_dump(&run);
	assert_contains(dump, "device pci:0:20.0\n"
			      "use dmar1 # board: DMAR DRHD 1\n"
			      "reserved 0x40000000,0x1000\n"
			      "reserved 0x");
	smmu_free(dump);
	run_fini(&run);

	/* The same region from the user and the table is kept once. */
	run_table(&run, "smmu vtd device pci:0:2.0 reserved 0x8b800000,0x4200000",
		  FIXTURE("apple-macmini6-2"));
	assert_ok(&run);
	device = get_pci(&run.cfg, 0, 2, 0);
	assert_int_equal(device->reserved_count, 1);
	assert_int_equal(device->reserved[0].origin, CFG_ORIGIN_USER);
	assert_int_equal(device->uses[0].origin, CFG_ORIGIN_BOARD);
	run_fini(&run);
}

/* ---- require, ignore, and tables that cannot be used ---- */

/* `require` without the machine's table is an error at the smmu option
 * that names the table and says what to do instead. */
static void test_require_without_table(void **state)
{
	struct cfg_discover_options opts = {.system = cfg_test_options()->system};
	struct run run;

	(void)state;
	run_discover(&run, "smmu vtd require", &opts);
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR,
		    "<command line>:1:6: error: smmu vtd require: the DMAR table "
		    "/sys/firmware/acpi/tables/DMAR cannot be read: No such file or directory");
	assert_diag(&run, CFG_SEVERITY_ERROR, "'smmu vtd ignore' and 'unit' lines");
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);

	/* --check and --dump-config only warn: the service would not start. */
	opts.inspect = true;
	run_discover(&run, "smmu vtd require", &opts);
	assert_int_equal(run.r, 0);
	assert_diag(&run, CFG_SEVERITY_WARNING, "the service would refuse to start");
	run_fini(&run);
}

/* Without `require` a missing machine table is only a note. */
static void test_missing_table_without_require(void **state)
{
	struct cfg_discover_options opts = {.system = cfg_test_options()->system};
	struct run run;

	(void)state;
	run_discover(&run, "smmu vtd unit dmar0 0xfed90000", &opts);
	assert_ok(&run);
	assert_int_equal(run.diags.count, 0);
	assert_int_equal(count_board_facts(&run.cfg), 0);
	assert_note(&run, "DMAR: no table at /sys/firmware/acpi/tables/DMAR, nothing discovered");
	run_fini(&run);
}

/* The machine's table is read from its place, and its facts come from it. */
static void test_machine_table(void **state)
{
	struct cfg_discover_options opts = {.system = cfg_test_options()->system};
	struct run run;

	(void)state;
	cfg_test_file_bytes(CFG_DMAR_MACHINE_PATH, (const char *)q35_dmar, sizeof(q35_dmar));
	run_discover(&run, "smmu vtd require", &opts);
	assert_ok(&run);
	assert_string_equal(find_unit(&run.cfg, "dmar0")->loc.file, CFG_DMAR_MACHINE_PATH);
	assert_int_equal(run.cfg.device_count, 5);
	run_fini(&run);
}

/* A file named with --dmar must be there, whatever the parameters. */
static void test_named_file_missing(void **state)
{
	struct run run;

	(void)state;
	run_table(&run, "smmu vtd", "/nonexistent/t.bin");
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR,
		    "/nonexistent/t.bin: error: the DMAR table cannot be read: No such file or "
		    "directory");
	run_fini(&run);
}

/* A corrupt table adds nothing: an error when named or required, a
 * warning for the machine's own without `require`. */
static void test_corrupt_table(void **state)
{
	struct cfg_discover_options opts = {.system = cfg_test_options()->system};
	static unsigned char bad[sizeof(q35_dmar)];
	struct run run;

	(void)state;
	memcpy(bad, q35_dmar, sizeof(bad));
	bad[9] ^= 1;
	cfg_test_file_bytes(CFG_DMAR_MACHINE_PATH, (const char *)bad, sizeof(bad));
	cfg_test_file_bytes("bad.bin", (const char *)bad, sizeof(bad));

	run_discover(&run, "smmu vtd", &opts);
	assert_int_equal(run.r, 0);
	assert_diag(&run, CFG_SEVERITY_WARNING,
		    "/sys/firmware/acpi/tables/DMAR: warning: the DMAR table is not valid: "
		    "offset 9: checksum");
	assert_diag(&run, CFG_SEVERITY_WARNING, "going on without it");
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);

	run_discover(&run, "smmu vtd require", &opts);
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR, "is not valid: offset 9: checksum");
	run_fini(&run);

	opts.dmar_path = "bad.bin";
	run_discover(&run, "smmu vtd", &opts);
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR, "bad.bin: error: the DMAR table is not valid");
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);
}

static int read_calls;

static int counting_read_file(void *ctx, const char *path, char **ret_canonical, char **ret_text,
			      size_t *ret_size)
{
	read_calls++;
	return cfg_test_options()->system.read_file(ctx, path, ret_canonical, ret_text, ret_size);
}

/* `ignore` reads nothing and adds nothing; a --dmar file then is a
 * warning that it was not read. */
static void test_ignore(void **state)
{
	struct cfg_discover_options opts = {.system = {.read_file = counting_read_file}};
	struct run run;

	(void)state;
	cfg_test_file_bytes(CFG_DMAR_MACHINE_PATH, (const char *)q35_dmar, sizeof(q35_dmar));
	read_calls = 0;
	run_discover(&run, "smmu vtd ignore unit dmar0 0xfed90000", &opts);
	assert_ok(&run);
	assert_int_equal(read_calls, 0);
	assert_int_equal(run.diags.count, 0);
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);

	opts.dmar_path = CFG_DMAR_MACHINE_PATH;
	run_discover(&run, "smmu vtd ignore", &opts);
	assert_ok(&run);
	assert_int_equal(read_calls, 0);
	assert_diag(&run, CFG_SEVERITY_WARNING, "not read: 'smmu vtd ignore'");
	run_fini(&run);
}

/* `require` and `ignore` together are an error; other parameters are the
 * support library's. */
static void test_params(void **state)
{
	struct run run;

	(void)state;
	run_table(&run, "smmu vtd require,ignore", FIXTURE("starlabs-starlite"));
	assert_int_equal(run.r, -EINVAL);
	assert_diag(&run, CFG_SEVERITY_ERROR,
		    "'require' (the DMAR table must be there) and "
		    "'ignore' (do not read it) contradict each other");
	run_fini(&run);

	run_table(&run, "smmu vtd qi,require", FIXTURE("starlabs-starlite"));
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 2);
	run_fini(&run);
}

/* Only `smmu vtd` reads a DMAR; --dmar with another type is a warning. */
static void test_other_types(void **state)
{
	struct run run;

	(void)state;
	run_table(&run, "smmu soft", FIXTURE("starlabs-starlite"));
	assert_ok(&run);
	assert_diag(&run, CFG_SEVERITY_WARNING, "not read: only 'smmu vtd' uses a DMAR table");
	assert_int_equal(count_board_facts(&run.cfg), 0);
	run_fini(&run);

	run_discover(&run, "debug 1", NULL);
	assert_ok(&run);
	assert_int_equal(run.diags.count, 0);
	assert_int_equal(run.report.note_count, 0);
	run_fini(&run);
}

/* A DRHD and an RMRR on segment 1 are left out with a warning each. */
static void test_other_segments(void **state)
{
	size_t size;
	unsigned char *table = test_file_read(FIXTURE("lenovo-thinkpad-x1-carbon-6th"), &size);
	struct cfg_discover_options opts = {.dmar_path = "seg.bin"};
	struct run run;

	(void)state;
	/* DRHD 0 (00:02.0) at offset 48 and RMRR 1 (00:02.0 too) at offset
	 * 136: the segment is at +6 in both. */
	assert_int_equal(table[48], 0);
	assert_int_equal(table[136], 1);
	table[48 + 6] = 1;
	table[136 + 6] = 1;
	fix_checksum(table, size);
	cfg_test_file_bytes("seg.bin", (const char *)table, size);
	opts.system = cfg_test_options()->system;
	run_discover(&run, "smmu vtd", &opts);
	assert_ok(&run);
	assert_int_equal(run.cfg.unit_count, 1);
	assert_string_equal(run.cfg.units[0].name, "dmar1");
	assert_null(find_pci(&run.cfg, 0, 2, 0));
	assert_diag(&run, CFG_SEVERITY_WARNING,
		    "DMAR DRHD 0: the unit at 0xfed90000 serves PCI segment 1");
	assert_diag(&run, CFG_SEVERITY_WARNING, "DMAR RMRR 1: PCI segment 1 is not supported");
	run_fini(&run);
	free(table);
}

/* ---- The dump reads back ---- */

/* For every fixture: the dump, read back, is the same facts from the user
 * (the same text without the comments), and discovering the same table
 * on top of it adds nothing. */
static void test_dump_reads_back(void **state)
{
	DIR *dir = opendir(DMAR_FIXTURES);
	struct dirent *entry;
	size_t checked = 0;

	(void)state;
	assert_non_null(dir);
	while ((entry = readdir(dir)) != NULL) {
		size_t len = strlen(entry->d_name);
		char bin[512];
		char *first, *stripped, *second, *third;
		struct run run;

		if (len < 9 || strcmp(entry->d_name + len - 9, ".dmar.bin") != 0) {
			continue;
		}
		snprintf(bin, sizeof(bin), "%s/%s", DMAR_FIXTURES, entry->d_name);
		run_table(&run, "smmu vtd", bin);
		assert_ok(&run);
		first = run_dump(&run);
		run_fini(&run);

		stripped = strip_comments(first);
		cfg_test_file("dump.smmu", first);
		second = cfg_test_dump("@dump.smmu");
		assert_string_equal(second, stripped);

		run_table(&run, "@dump.smmu", bin);
		assert_ok(&run);
		assert_int_equal(count_board_facts(&run.cfg), 0);
		{
			struct strbuf out = STRBUF_INIT;

			cfg_dump(&run.cfg, &out);
			third = strbuf_take(&out);
		}
		assert_string_equal(third, stripped);
		run_fini(&run);
		smmu_free(first);
		smmu_free(stripped);
		smmu_free(second);
		smmu_free(third);
		cfg_test_reset(NULL);
		checked++;
	}
	closedir(dir);
	assert_int_equal(checked, DMAR_FIXTURE_COUNT);
}

/* ---- Out of memory ---- */

/* Every allocation of a discovery can fail: -ENOMEM, no leak, and a
 * configuration that can still be freed. */
static void test_out_of_memory(void **state)
{
	struct cfg_discover_options opts = {.dmar_path = FIXTURE("hp-compaq-dc7800-sff")};
	long points = 0;

	(void)state;
	for (long n = 0;; n++) {
		struct run run = {0};
		int r;

		assert_int_equal(cfg_test_parse("smmu vtd device pci:0:2.0", &run.cfg, &run.diags),
				 0);
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
		TEST(test_every_fixture_matches_its_sidecar),
		TEST(test_qemu_q35_dump),
		TEST(test_include_all_takes_rmrr_devices),
		TEST(test_subhierarchy_records_the_bridge),
		TEST(test_unused_structures_are_notes),
		TEST(test_paths_through_bridges),
		TEST(test_user_unit_at_same_base),
		TEST(test_user_unit_of_same_name),
		TEST(test_board_unit_avoids_user_names),
		TEST(test_user_devices),
		TEST(test_require_without_table),
		TEST(test_missing_table_without_require),
		TEST(test_machine_table),
		TEST(test_named_file_missing),
		TEST(test_corrupt_table),
		TEST(test_ignore),
		TEST(test_params),
		TEST(test_other_types),
		TEST(test_other_segments),
		TEST(test_dump_reads_back),
		TEST(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
