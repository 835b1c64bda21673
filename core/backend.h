/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The support-library interface: what a backend (smmu-TYPE.so) offers the
 * core, and what the core offers a backend.  A backend exports one object,
 * `smmu_backend`, of type struct smmu_backend; the service checks its
 * abi_version and size before calling anything.
 *
 * Vocabulary:
 *  - unit:    one IOMMU instance (a VT-d DRHD, an SMMUv3, the soft IOMMU);
 *  - device:  one DMA requester bound to a unit (a PCI function, an MMIO
 *             master), with the key the hardware reports it by in faults
 *             (VT-d source-id, SMMU StreamID);
 *  - domain:  one address space (page tables) on one unit.  The core makes
 *             one per (object, unit) and one per unit for devices that are
 *             in no object (their startup mappings and reserved regions).
 *
 * Rules a backend keeps:
 *  - nothing a device can observe changes before a call returns success,
 *    and a failed call leaves the hardware as it was (STYLE.md 4);
 *  - map() on a range that is already mapped fails with -EEXIST;
 *  - attach() switches a device to a domain in one step; attach(NULL)
 *    blocks the device (every DMA faults);
 *  - faults are handed to host->fault() from fault_drain(), never from
 *    another thread.
 *
 * Changing any structure or prototype here bumps SMMU_BACKEND_ABI_VERSION.
 */
#ifndef SMMU_CORE_BACKEND_H
#define SMMU_CORE_BACKEND_H

#include <smmu.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/compiler.h"

#define SMMU_BACKEND_ABI_VERSION 2u

/* Permissions of a mapping, from the device's side. */
enum smmu_prot {
	SMMU_PROT_READ = 1u << 0,  /* the device reads memory (DMA source) */
	SMMU_PROT_WRITE = 1u << 1, /* the device writes memory (DMA target) */
	SMMU_PROT_EXEC = 1u << 2,
};

/* What a device tried, for translate() and fault records. */
enum smmu_access {
	SMMU_ACCESS_READ = 1,
	SMMU_ACCESS_WRITE = 2,
};

/* One refused DMA, as the backend saw it. */
struct smmu_backend_fault {
	uint64_t device_key; /* as returned by device_bind() */
	uint64_t address;    /* the device address, as far as the hardware tells */
	uint64_t raw;	     /* the hardware's own record, for smmu_status.hw_specific */
	uint32_t access;     /* enum smmu_access, 0 when unknown */
	uint32_t reserved;
};

/* Why translate() refused. */
enum smmu_refusal {
	SMMU_REFUSAL_NONE = 0,	     /* allowed */
	SMMU_REFUSAL_BLOCKED = 1,    /* the device is in no domain */
	SMMU_REFUSAL_NOT_MAPPED = 2, /* no mapping at that address */
	SMMU_REFUSAL_READ_ONLY = 3,  /* a write to a mapping without write permission */
	SMMU_REFUSAL_WRITE_ONLY = 4, /* a read of a mapping without read permission */
};

struct smmu_backend_unit;
struct smmu_backend_device;
struct smmu_backend_domain;

/* Services of the core, handed to the backend at init. */
struct smmu_backend_host {
	uint32_t abi_version;
	uint32_t size;
	void *ctx;
	/* Logs one line; priority as syslog(3). */
	void (*log)(void *ctx, int priority, const char *fmt, ...) SMMU_PRINTF(3, 4);
	/* Records a refused DMA of `unit`. */
	void (*fault)(void *ctx, struct smmu_backend_unit *unit,
		      const struct smmu_backend_fault *fault);
	/* How to reach the hardware: the `platform NAME PARAMS` option as a
	 * hw_open() spec ("NAME:PARAMS", see hw/hw.h), or NULL when the
	 * configuration has none (a backend for real hardware then uses
	 * "devmem").  The backend opens its own connection. */
	const char *platform;
};

/*
 * Formats one line and hands it to host->log(); nothing when there is no
 * host yet (before init).  host->log() takes a format, not a va_list, so a
 * backend's own printf-like log function ends here.
 */
static inline void SMMU_PRINTF(3, 0) smmu_backend_vlog(const struct smmu_backend_host *host,
						       int priority, const char *fmt, va_list ap)
{
	char line[512];

	if (!host || !host->log) {
		return;
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	host->log(host->ctx, priority, "%s", line);
}

/* One range of a batch: [iova, iova + size) to [pa, pa + size) with `prot`
 * (enum smmu_prot), page aligned.  unmap_batch() uses iova and size only. */
struct smmu_backend_range {
	uint64_t iova;
	uint64_t size;
	uint64_t pa;
	uint32_t prot;
	uint32_t reserved;
};

/*
 * The backend.  Every function returns 0 or -errno; ret_* are written only
 * on success, except the batches' *ret_done.  Cookies (unit, device, domain) are the backend's own.
 */
struct smmu_backend {
	uint32_t abi_version; /* SMMU_BACKEND_ABI_VERSION */
	uint32_t size;	      /* sizeof(struct smmu_backend) */
	const char *name;     /* the smmu TYPE it implements */

	/* `params` is the `smmu TYPE PARAMS` text or NULL. */
	int (*init)(const struct smmu_backend_host *host, const char *params);
	void (*fini)(void);

	/* `params` is the `unit NAME PARAMS` text. */
	int (*unit_create)(const char *name, const char *params,
			   struct smmu_backend_unit **ret_unit);
	void (*unit_destroy)(struct smmu_backend_unit *unit);
	/* Turns translation on once every known device is attached or blocked. */
	int (*unit_enable)(struct smmu_backend_unit *unit);

	/* Binds a device to a unit.  `use_param` is the PARAM of the device's
	 * `use UNIT PARAM` line, "" when that line has no PARAM, and NULL when
	 * no `use` line names the device (the core is asking each unit whether
	 * it controls it).  The device starts blocked.  -ENOENT: the unit does
	 * not control that device. */
	int (*device_bind)(struct smmu_backend_unit *unit, const union smmu_devid *devid,
			   const char *use_param, struct smmu_backend_device **ret_device,
			   uint64_t *ret_fault_key);
	void (*device_unbind)(struct smmu_backend_device *device);
	/* Switches the device to `domain` (same unit), or blocks it (NULL). */
	int (*device_attach)(struct smmu_backend_device *device,
			     struct smmu_backend_domain *domain);

	int (*domain_create)(struct smmu_backend_unit *unit,
			     struct smmu_backend_domain **ret_domain);
	/* The domain has no device attached when it is destroyed. */
	void (*domain_destroy)(struct smmu_backend_domain *domain);
	/* [iova, iova + size) to [pa, pa + size), page aligned. */
	int (*map)(struct smmu_backend_domain *domain, uint64_t iova, uint64_t pa, uint64_t size,
		   unsigned prot);
	/* Removes exactly the mappings inside [iova, iova + size). */
	int (*unmap)(struct smmu_backend_domain *domain, uint64_t iova, uint64_t size);
	/*
	 * Optional; NULL makes the core call map() or unmap() once per range.
	 * The ranges of one client request, in order, each as map() or unmap()
	 * would do it, but with the work that can be shared done once: the
	 * walk to a table the ranges share, and above all the invalidation,
	 * one per batch instead of one per range.  They stop at the first range
	 * that fails and return its error; *ret_done is then the number of
	 * ranges done before it, which stay done, while that range and the ones
	 * after it are untouched.  On success *ret_done is `count`.
	 */
	int (*map_batch)(struct smmu_backend_domain *domain,
			 const struct smmu_backend_range *ranges, size_t count, size_t *ret_done);
	int (*unmap_batch)(struct smmu_backend_domain *domain,
			   const struct smmu_backend_range *ranges, size_t count, size_t *ret_done);

	/*
	 * Walks the device's live tables as the hardware would for one access.
	 * Returns 0 and sets *ret_refusal (SMMU_REFUSAL_NONE and *ret_pa when
	 * allowed).  A backend for hardware it cannot walk returns -EOPNOTSUPP.
	 */
	int (*translate)(struct smmu_backend_device *device, uint64_t iova, unsigned access,
			 uint64_t *ret_pa, unsigned *ret_refusal);

	/* Hands pending faults to host->fault(), at most `budget`; returns how
	 * many it handed, or -errno. */
	int (*fault_drain)(struct smmu_backend_unit *unit, unsigned budget);
	/* A descriptor that becomes readable when faults are pending, or -1 when
	 * the unit must be polled. */
	int (*fault_fd)(struct smmu_backend_unit *unit);
};

#endif
