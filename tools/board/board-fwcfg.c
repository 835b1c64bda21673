/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading QEMU's fw_cfg files as firmware does: select the file directory, find the name,
 * select the file, read its bytes.  On x86 (q35) the device is two I/O ports and the data
 * port is one byte wide, so the bytes come through hw_pio_read_bytes(), which batches them;
 * on ARM virt it is MMIO, whose data register gives up to 8 bytes of the item per read, in
 * the item's order from the lowest address (QEMU declares it big-endian, so an 8-byte read
 * by a little-endian CPU holds byte 0 in bits 7:0).  The machine table says which.
 *
 * The selector is device state shared by every client of the board: two tools reading
 * fw_cfg at the same time would disturb each other.  Only this tool reads fw_cfg, and only
 * on request.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "common/alloc.h"
#include "common/strbuf.h"
#include "fwcfg-regs.h"

/* QEMU's limit on fw_cfg files (FW_CFG_FILE_SLOTS_DFLT is 0x20, the maximum 0x1000). */
#define BOARD_FWCFG_MAX_FILES 4096
/* The largest file worth reading: QEMU's ACPI tables blob is 128 KiB, option ROMs less. */
#define BOARD_FWCFG_MAX_FILE_SIZE (16u << 20)

/* 8-byte reads asked of the bus at once: 16 KiB of an item, many qtest batches' worth. */
#define BOARD_FWCFG_READ_CHUNK 2048

/* QEMU's ACPI tables, and the loader commands that complete them (bios-linker-loader.c). */
#define ACPI_TABLES_FILE "etc/acpi/tables"
#define ACPI_LOADER_FILE "etc/table-loader"

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * The device as the machine has it.  An MMIO read takes 8 bytes of the item at once, so the
 * bytes a caller did not ask for yet wait in `ahead` for its next read (the directory is
 * read a count and then an entry at a time).
 */
struct fwcfg {
	struct hw_bus *bus;
	const struct board_machine *machine;
	uint8_t ahead[8];
	unsigned ahead_count;
};

static int select_item(struct fwcfg *f, uint16_t key, struct strbuf *why)
{
	uint64_t base = f->machine->fwcfg_base;
	int r;

	if (f->machine->fwcfg == BOARD_FWCFG_PORTS) {
		r = hw_pio_write(f->bus, (uint16_t)(base + FW_CFG_PORT_SELECTOR), 2, key);
	} else {
		/* The register is big-endian: a little-endian CPU writes the key byte-swapped. */
		r = hw_write16(f->bus, base + FW_CFG_MMIO_SELECTOR, __builtin_bswap16(key));
	}
	f->ahead_count = 0; /* the selector rewinds the new item to its start */
	if (r < 0) {
		strbuf_printf(why, "fw_cfg selector: %s", hw_bus_error(f->bus));
		return -EIO;
	}
	return 0;
}

/* Takes the next bytes of the item from the bytes already read ahead. */
static size_t take_ahead(struct fwcfg *f, uint8_t *out, size_t len)
{
	size_t n = 0;

	/* ahead[] is stored last byte first, so the next byte is at the top. */
	while (f->ahead_count && n < len) {
		out[n++] = f->ahead[--f->ahead_count];
	}
	return n;
}

/* MMIO: whole 8-byte reads straight into the buffer, a last one through `ahead`. */
static int read_mmio(struct fwcfg *f, uint8_t *out, size_t len)
{
	uint64_t data = f->machine->fwcfg_base + FW_CFG_MMIO_DATA;
	uint64_t chunk[BOARD_FWCFG_READ_CHUNK];
	size_t at = take_ahead(f, out, len);

	while (len - at >= 8) {
		size_t words = (len - at) / 8;
		size_t n = words < sizeof(chunk) / 8 ? words : sizeof(chunk) / 8;
		int r = hw_read64_repeat(f->bus, data, chunk, n);

		if (r < 0) {
			return r;
		}
		for (size_t w = 0; w < n; w++) {
			for (unsigned i = 0; i < 8; i++) {
				out[at++] = (uint8_t)(chunk[w] >> (8 * i));
			}
		}
	}
	if (at < len) {
		uint64_t v;
		int r = hw_read64(f->bus, data, &v);

		if (r < 0) {
			return r;
		}
		for (unsigned i = 0; i < 8; i++) {
			f->ahead[7 - i] = (uint8_t)(v >> (8 * i));
		}
		f->ahead_count = 8;
		take_ahead(f, out + at, len - at);
	}
	return 0;
}

static int read_bytes(struct fwcfg *f, void *buf, size_t len, struct strbuf *why)
{
	int r;

	if (f->machine->fwcfg == BOARD_FWCFG_PORTS) {
		r = hw_pio_read_bytes(f->bus, (uint16_t)(f->machine->fwcfg_base + FW_CFG_PORT_DATA),
				      buf, len);
	} else {
		r = read_mmio(f, buf, len);
	}
	if (r < 0) {
		strbuf_printf(why, "fw_cfg data: %s", hw_bus_error(f->bus));
		return -EIO;
	}
	return 0;
}

/* Finds `name` in the file directory: its selector key and size. */
static int find_file(struct fwcfg *f, const char *name, uint16_t *ret_key, uint32_t *ret_size,
		     struct strbuf *why)
{
	uint8_t count_be[FW_CFG_DIR_COUNT_SIZE];
	uint8_t signature[4];
	int r = select_item(f, FW_CFG_SIGNATURE, why);

	if (r == 0) {
		r = read_bytes(f, signature, sizeof(signature), why);
	}
	if (r == 0 && memcmp(signature, "QEMU", 4) != 0) {
		strbuf_printf(why, "no fw_cfg device at %s 0x%llx (signature %02x %02x %02x %02x)",
			      f->machine->fwcfg == BOARD_FWCFG_PORTS ? "port" : "address",
			      (unsigned long long)f->machine->fwcfg_base, signature[0],
			      signature[1], signature[2], signature[3]);
		return -ENODEV;
	}
	if (r == 0) {
		r = select_item(f, FW_CFG_FILE_DIR, why);
	}
	if (r == 0) {
		r = read_bytes(f, count_be, sizeof(count_be), why);
	}
	if (r < 0) {
		return r;
	}
	uint32_t count = get_be32(count_be);

	if (count > BOARD_FWCFG_MAX_FILES) {
		strbuf_printf(why, "fw_cfg directory claims %u files (at most %d exist)", count,
			      BOARD_FWCFG_MAX_FILES);
		return -EPROTO;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint8_t entry[FW_CFG_FILE_ENTRY_SIZE];

		r = read_bytes(f, entry, sizeof(entry), why);
		if (r < 0) {
			return r;
		}
		const char *entry_name = (const char *)entry + FW_CFG_FILE_NAME;

		if (strnlen(entry_name, FW_CFG_FILE_NAME_SIZE) < FW_CFG_FILE_NAME_SIZE &&
		    strcmp(entry_name, name) == 0) {
			*ret_key = (uint16_t)(entry[FW_CFG_FILE_SELECT] << 8 |
					      entry[FW_CFG_FILE_SELECT + 1]);
			*ret_size = get_be32(entry + FW_CFG_FILE_SIZE);
			return 0;
		}
	}
	strbuf_printf(why, "fw_cfg has no file named \"%s\" (%u files)", name, count);
	return -ENOENT;
}

/**
 * board_fwcfg_read_file() - the contents of fw_cfg file `name` (e.g. "etc/acpi/tables") of a
 * board that is `machine`.
 * Return: 0 with *ret_data (free with smmu_free) and *ret_size; -ENOENT (no such file),
 * -ENODEV (no fw_cfg), -EFBIG, -EIO; with a sentence in `why`.
 */
int board_fwcfg_read_file(struct hw_bus *bus, const struct board_machine *machine, const char *name,
			  uint8_t **ret_data, size_t *ret_size, struct strbuf *why)
{
	struct fwcfg f = {.bus = bus, .machine = machine};
	uint16_t key;
	uint32_t size;
	int r = find_file(&f, name, &key, &size, why);

	if (r < 0) {
		return r;
	}
	if (size > BOARD_FWCFG_MAX_FILE_SIZE) {
		strbuf_printf(why,
			      "fw_cfg file \"%s\" is %u bytes, more than the %u this tool reads",
			      name, size, BOARD_FWCFG_MAX_FILE_SIZE);
		return -EFBIG;
	}
	uint8_t *data = smmu_malloc(size ? size : 1);

	if (!data) {
		return -ENOMEM;
	}
	r = select_item(&f, key, why);
	if (r == 0 && size) {
		r = read_bytes(&f, data, size, why);
	}
	if (r < 0) {
		smmu_free(data);
		return r;
	}
	*ret_data = data;
	*ret_size = size;
	return 0;
}

/* Writes `data` to `path`, "-" meaning standard output. */
static int write_out(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");

	if (!f) {
		fprintf(stderr, "smmu-board: cannot create %s: %s\n", path, strerror(errno));
		return -errno;
	}
	bool ok = fwrite(data, 1, size, f) == size;

	ok = (f == stdout ? fflush(f) == 0 : fclose(f) == 0) && ok;
	if (!ok) {
		fprintf(stderr, "smmu-board: cannot write %s\n", path);
		return -EIO;
	}
	return 0;
}

/* Connects to the board in `dir` and finds its machine.  Return: 0, or -errno with `why`. */
static int open_board(const char *dir, struct hw_bus **ret_bus,
		      const struct board_machine **ret_machine, struct strbuf *why)
{
	struct board_env env;
	struct hw_bus *bus;
	int r = board_open_bus(dir, &bus, &env, why);

	if (r < 0) {
		return r;
	}
	const struct board_machine *m = board_machine_find(env.machine);

	if (!m) {
		strbuf_printf(why, "the board in %s is an unknown machine \"%s\"", dir,
			      env.machine ? env.machine : "");
		board_env_fini(&env);
		hw_close(bus);
		return -EINVAL;
	}
	board_env_fini(&env);
	*ret_bus = bus;
	*ret_machine = m;
	return 0;
}

/* Common shape of `fwcfg` and `acpi`: --dir DIR NAME OUT. */
static int parse_dir_name_out(int argc, char **argv, const char **dir, const char **name,
			      const char **out)
{
	static const struct option longopts[] = {{"dir", required_argument, NULL, 'd'}, {0}};
	int c;

	*dir = getenv("SMMU_BOARD_DIR");
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'd') {
			return -EINVAL;
		}
		*dir = optarg;
	}
	if (!*dir || argc - optind != 2) {
		return -EINVAL;
	}
	*name = argv[optind];
	*out = argv[optind + 1];
	return 0;
}

/**
 * board_cmd_fwcfg() - `smmu-board fwcfg [--dir DIR] NAME OUT`: dump fw_cfg file NAME into
 * OUT ("-" for standard output); prints "file: NAME" and "size: N" unless OUT is "-".
 * Return: exit status.
 */
int board_cmd_fwcfg(int argc, char **argv)
{
	const char *dir, *name, *out;
	const struct board_machine *m;
	struct hw_bus *bus = NULL;
	struct strbuf why = STRBUF_INIT;
	uint8_t *data = NULL;
	size_t size = 0;
	int status = 1;

	if (parse_dir_name_out(argc, argv, &dir, &name, &out) < 0) {
		fprintf(stderr, "usage: smmu-board fwcfg [--dir DIR] NAME OUT\n");
		return 2;
	}
	if (open_board(dir, &bus, &m, &why) < 0 ||
	    board_fwcfg_read_file(bus, m, name, &data, &size, &why) < 0) {
		fprintf(stderr, "smmu-board fwcfg: %s\n", strbuf_str(&why));
		goto out;
	}
	if (write_out(out, data, size) == 0) {
		if (strcmp(out, "-") != 0) {
			printf("file: %s\nsize: %zu\n", name, size);
		}
		status = 0;
	}
out:
	smmu_free(data);
	hw_close(bus);
	strbuf_fini(&why);
	return status;
}

/**
 * board_cmd_acpi() - `smmu-board acpi [--dir DIR] SIGNATURE OUT`: extract one ACPI table
 * (e.g. DMAR, IORT) from QEMU's etc/acpi/tables into OUT, with its checksum completed as firmware
 * would (etc/table-loader); prints "table", "offset" (in the blob) and "size" unless OUT is
 * "-".  Only a table whose length fits and whose checksum is then valid is written.
 * Return: exit status.
 */
int board_cmd_acpi(int argc, char **argv)
{
	const char *dir, *sig, *out;
	const struct board_machine *m;
	struct hw_bus *bus = NULL;
	struct strbuf why = STRBUF_INIT;
	uint8_t *blob = NULL, *loader = NULL;
	size_t size = 0, loader_size = 0, offset, length;
	int status = 1;

	if (parse_dir_name_out(argc, argv, &dir, &sig, &out) < 0 || strlen(sig) != 4) {
		fprintf(stderr, "usage: smmu-board acpi [--dir DIR] SIGNATURE OUT "
				"(SIGNATURE: 4 characters, e.g. DMAR)\n");
		return 2;
	}
	if (open_board(dir, &bus, &m, &why) < 0 ||
	    board_fwcfg_read_file(bus, m, ACPI_TABLES_FILE, &blob, &size, &why) < 0 ||
	    board_fwcfg_read_file(bus, m, ACPI_LOADER_FILE, &loader, &loader_size, &why) < 0) {
		fprintf(stderr, "smmu-board acpi: %s\n", strbuf_str(&why));
		goto out;
	}
	if (board_acpi_apply_checksums(blob, size, loader, loader_size, ACPI_TABLES_FILE) < 0) {
		fprintf(stderr, "smmu-board acpi: %s has a checksum command outside %s\n",
			ACPI_LOADER_FILE, ACPI_TABLES_FILE);
		goto out;
	}
	if (board_acpi_find(blob, size, sig, &offset, &length) < 0) {
		fprintf(stderr,
			"smmu-board acpi: no %s table with a valid checksum in etc/acpi/tables "
			"(%zu bytes)\n",
			sig, size);
		goto out;
	}
	if (write_out(out, blob + offset, length) == 0) {
		if (strcmp(out, "-") != 0) {
			printf("table: %s\noffset: %zu\nsize: %zu\n", sig, offset, length);
		}
		status = 0;
	}
out:
	smmu_free(blob);
	smmu_free(loader);
	hw_close(bus);
	strbuf_fini(&why);
	return status;
}
