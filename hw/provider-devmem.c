/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The devmem provider: a real machine.  Registers and table memory are mappings of
 * /dev/mem opened O_SYNC, which the kernel maps uncached (x86 and arm64 alike), so neither
 * register writes nor table writes linger in a CPU cache the IOMMU does not snoop.  PCI
 * configuration goes through sysfs, which serialises with the kernel's own config accesses,
 * unlike poking the 0xcf8 ports behind its back.  No port I/O, no clock.
 *
 * Windows are mapped on first use, in whole pages, and kept until hw_close(): registers are
 * polled in loops and must not cost an mmap each time.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/strbuf.h"
#include "hw/hw-provider.h"

/*
 * Mappings kept per bus.  A VT-d unit is one or two pages of registers and an SMMUv3 two
 * 64 KiB pages, so a machine with dozens of units plus its table range stays far below;
 * the bound keeps a runaway caller from exhausting the address space.
 */
#define DEVMEM_MAX_WINDOWS 256

struct devmem_window {
	uint64_t pa; /* page aligned */
	size_t size; /* whole pages */
	char *cpu;
};

/* Owner: hw_open()'s caller; devmem_destroy() unmaps every window and closes the file. */
struct devmem_bus {
	struct hw_bus bus; /* first: the provider is reached by casting the bus */
	int mem_fd;
	char *mem_path;
	char *sysfs_path;
	/* A regular file stands in for /dev/mem in tests: never map past its end (SIGBUS). */
	bool mem_is_file;
	uint64_t mem_file_size;
	size_t page_size;
	struct devmem_window windows[DEVMEM_MAX_WINDOWS];
	unsigned window_count;
};

static struct devmem_bus *to_devmem(struct hw_bus *bus)
{
	return (struct devmem_bus *)bus;
}

static int map_window(struct devmem_bus *d, uint64_t pa, size_t size, char **ret_cpu)
{
	for (unsigned i = 0; i < d->window_count; i++) {
		struct devmem_window *w = &d->windows[i];

		if (pa >= w->pa && pa - w->pa <= w->size && size <= w->size - (pa - w->pa)) {
			*ret_cpu = w->cpu + (pa - w->pa);
			return 0;
		}
	}
	uint64_t start = pa & ~(uint64_t)(d->page_size - 1);
	uint64_t end = pa + size; /* hw-bus.c checked that this does not wrap */
	uint64_t map_end = (end + d->page_size - 1) & ~(uint64_t)(d->page_size - 1);

	if (map_end < end || map_end - start > SIZE_MAX || start > (uint64_t)INT64_MAX) {
		return hw_bus_fail(&d->bus, -ERANGE, "[0x%" PRIx64 ", +0x%zx) cannot be mapped", pa,
				   size);
	}
	if (d->mem_is_file && map_end > d->mem_file_size) {
		return hw_bus_fail(&d->bus, -ERANGE,
				   "[0x%" PRIx64 ", +0x%zx) lies beyond the end of %s (%" PRIu64
				   " bytes)",
				   pa, size, d->mem_path, d->mem_file_size);
	}
	if (d->window_count == DEVMEM_MAX_WINDOWS) {
		return hw_bus_fail(&d->bus, -ENOSPC,
				   "%s: already %d mappings; not mapping [0x%" PRIx64 ", +0x%zx)",
				   d->mem_path, DEVMEM_MAX_WINDOWS, pa, size);
	}
	void *cpu = mmap(NULL, (size_t)(map_end - start), PROT_READ | PROT_WRITE, MAP_SHARED,
			 d->mem_fd, (off_t)start);

	if (cpu == MAP_FAILED) {
		int r = -errno;

		return hw_bus_fail(&d->bus, r,
				   "cannot map [0x%" PRIx64 ", 0x%" PRIx64 ") of %s: %s%s", start,
				   map_end, d->mem_path, strerror(-r),
				   r == -EPERM ? " (CONFIG_STRICT_DEVMEM refuses RAM and claimed "
						 "MMIO; reserve the range with memmap= or mem=)"
					       : "");
	}
	d->windows[d->window_count++] = (struct devmem_window){
		.pa = start,
		.size = (size_t)(map_end - start),
		.cpu = cpu,
	};
	*ret_cpu = (char *)cpu + (pa - start);
	return 0;
}

static int devmem_read(struct hw_bus *bus, uint64_t pa, unsigned size, uint64_t *ret_value)
{
	char *p;
	int r = map_window(to_devmem(bus), pa, size, &p);

	if (r < 0) {
		return r;
	}
	/* One access of exactly the register's width: registers may act on reads. */
	switch (size) {
	case 1:
		*ret_value = *(volatile uint8_t *)p;
		break;
	case 2:
		*ret_value = *(volatile uint16_t *)p;
		break;
	case 4:
		*ret_value = *(volatile uint32_t *)p;
		break;
	default:
		*ret_value = *(volatile uint64_t *)p;
		break;
	}
	return 0;
}

static int devmem_write(struct hw_bus *bus, uint64_t pa, unsigned size, uint64_t value)
{
	char *p;
	int r = map_window(to_devmem(bus), pa, size, &p);

	if (r < 0) {
		return r;
	}
	switch (size) {
	case 1:
		*(volatile uint8_t *)p = (uint8_t)value;
		break;
	case 2:
		*(volatile uint16_t *)p = (uint16_t)value;
		break;
	case 4:
		*(volatile uint32_t *)p = (uint32_t)value;
		break;
	default:
		*(volatile uint64_t *)p = value;
		break;
	}
	return 0;
}

static int devmem_mem_map(struct hw_bus *bus, uint64_t pa, size_t size, void **ret_cpu)
{
	char *p;
	int r = map_window(to_devmem(bus), pa, size, &p);

	if (r == 0) {
		*ret_cpu = p;
	}
	return r;
}

/* sysfs names a function SSSS:BB:DD.F, in lower-case hex. */
static void config_path(const struct devmem_bus *d, struct hw_pci_bdf bdf, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%04x:%02x:%02x.%x/config", d->sysfs_path, bdf.segment, bdf.bus,
		 bdf.device, bdf.function);
}

static int open_config(struct devmem_bus *d, struct hw_pci_bdf bdf, int flags, char *path,
		       size_t path_size)
{
	config_path(d, bdf, path, path_size);
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0) {
		int r = -errno;

		return hw_bus_fail(&d->bus, r, "cannot open %s: %s%s", path, strerror(-r),
				   r == -ENOENT ? " (no such PCI function)" : "");
	}
	return fd;
}

static int devmem_cfg_read(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset,
			   unsigned size, uint32_t *ret_value)
{
	struct devmem_bus *d = to_devmem(bus);
	char path[4096];
	uint8_t bytes[4];
	int fd = open_config(d, bdf, O_RDONLY, path, sizeof(path));

	if (fd < 0) {
		return fd;
	}
	ssize_t n = pread(fd, bytes, size, offset);
	int r = n < 0 ? -errno : 0;

	close(fd);
	if (r < 0) {
		return hw_bus_fail(bus, r, "cannot read %s: %s", path, strerror(-r));
	}
	if ((size_t)n != size) {
		/* sysfs shows unprivileged readers only the first 64 bytes. */
		return hw_bus_fail(
			bus, -EIO,
			"read %zd of %u bytes at offset 0x%x of %s (beyond 64 bytes the "
			"kernel requires CAP_SYS_ADMIN; beyond the end, the function has "
			"no extended space)",
			n, size, offset, path);
	}
	/* Configuration space is little-endian (PCI Local Bus 3.0 §6.1). */
	uint32_t value = 0;

	for (unsigned i = 0; i < size; i++) {
		value |= (uint32_t)bytes[i] << (8 * i);
	}
	*ret_value = value;
	return 0;
}

static int devmem_cfg_write(struct hw_bus *bus, struct hw_pci_bdf bdf, unsigned offset,
			    unsigned size, uint32_t value)
{
	struct devmem_bus *d = to_devmem(bus);
	char path[4096];
	uint8_t bytes[4];
	int fd = open_config(d, bdf, O_WRONLY, path, sizeof(path));

	if (fd < 0) {
		return fd;
	}
	for (unsigned i = 0; i < size; i++) {
		bytes[i] = (uint8_t)(value >> (8 * i));
	}
	ssize_t n = pwrite(fd, bytes, size, offset);
	int r = n < 0 ? -errno : 0;

	close(fd);
	if (r < 0) {
		return hw_bus_fail(bus, r, "cannot write %s: %s", path, strerror(-r));
	}
	if ((size_t)n != size) {
		return hw_bus_fail(bus, -EIO, "wrote %zd of %u bytes at offset 0x%x of %s", n, size,
				   offset, path);
	}
	return 0;
}

static void devmem_destroy(struct hw_bus *bus)
{
	struct devmem_bus *d = to_devmem(bus);

	for (unsigned i = 0; i < d->window_count; i++) {
		munmap(d->windows[i].cpu, d->windows[i].size);
	}
	if (d->mem_fd >= 0) {
		close(d->mem_fd);
	}
	smmu_free(d->mem_path);
	smmu_free(d->sysfs_path);
	smmu_free(d);
}

static const struct hw_bus_ops devmem_ops = {
	.name = "devmem",
	.read = devmem_read,
	.write = devmem_write,
	.pci_cfg_read = devmem_cfg_read,
	.pci_cfg_write = devmem_cfg_write,
	.mem_map = devmem_mem_map,
	.destroy = devmem_destroy,
	.poll_interval_us = 0,
};

/**
 * hw_devmem_open() - the devmem provider for a parsed spec: open the memory device (or the
 * file standing in for it).  PCI sysfs is opened per access, so a missing function is an
 * error of that access, not of the open.
 * Return: 0 and *ret_bus; open's -errno (-EACCES/-EPERM: needs root; -ENOENT) with a
 * sentence naming the path in `why`.
 */
int hw_devmem_open(const struct hw_spec *spec, struct hw_bus **ret_bus, struct strbuf *why)
{
	struct devmem_bus *d = smmu_calloc(1, sizeof(*d));
	struct stat st;
	int r;

	if (!d) {
		return -ENOMEM;
	}
	hw_bus_init(&d->bus, &devmem_ops, spec);
	d->mem_fd = -1;
	d->page_size = (size_t)sysconf(_SC_PAGESIZE);
	d->mem_path = smmu_strdup(spec->mem_path);
	d->sysfs_path = smmu_strdup(spec->sysfs_path);
	if (!d->mem_path || !d->sysfs_path) {
		r = -ENOMEM;
		goto err_destroy;
	}
	d->mem_fd = open(spec->mem_path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (d->mem_fd < 0) {
		r = -errno;
		if (why) {
			strbuf_printf(why, "cannot open %s: %s%s", spec->mem_path, strerror(-r),
				      (r == -EACCES || r == -EPERM)
					      ? " (the devmem provider needs root, or "
						"CAP_SYS_RAWIO and write access to it)"
					      : "");
		}
		goto err_destroy;
	}
	if (fstat(d->mem_fd, &st) < 0) {
		r = -errno;
		if (why) {
			strbuf_printf(why, "cannot stat %s: %s", spec->mem_path, strerror(-r));
		}
		goto err_destroy;
	}
	d->mem_is_file = S_ISREG(st.st_mode);
	d->mem_file_size = (uint64_t)st.st_size;
	*ret_bus = &d->bus;
	return 0;

err_destroy:
	hw_close(&d->bus);
	return r;
}
