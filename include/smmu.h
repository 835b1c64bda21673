/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libsmmu: the client API of smmuman, with the names, types, constants and
 * signatures of QNX SMMUMAN's <smmu.h>, so that a QNX driver's SMMU code
 * compiles unchanged on Linux.
 *
 * Differences that Linux imposes, each documented in libsmmu(3):
 *  - abilities are held by uid/gid as smmuman's configuration says
 *    (`permit`), checked with the socket's peer credentials; the ability
 *    names below are kept for source compatibility;
 *  - smmu_xfer_notify() takes a Linux struct sigevent (SIGEV_SIGNAL,
 *    SIGEV_THREAD, SIGEV_NONE);
 *  - smmu_xfer_fd() is an extension: a descriptor an event loop can poll
 *    for "fault records are waiting".
 *
 * Functions that return int return -1 and set errno on failure.
 */
#ifndef SMMU_H
#define SMMU_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SMMU_EXPORT __attribute__((visibility("default")))
#define SMMU_DEPRECATED __attribute__((deprecated))
#else
#define SMMU_EXPORT
#define SMMU_DEPRECATED
#endif

/* QNX procmgr ability names; on Linux see `permit` in smmuman.smmu(5). */
#define SMMU_ABILITY_ATTACH_NAME "smmu/attach"
#define SMMU_ABILITY_TARGET_NAME "smmu/target"

enum smmu_devid_type {
	SDT_PCI = 0,
	SDT_MMIO = 1,
	SDT_NUM_TYPES = 2,
};

/* Any bus, device or function. */
#define SMMU_PCI_FIELD_ANY (~0u)

struct smmu_devid_pci {
	unsigned type; /* SDT_PCI */
	unsigned bus;
	unsigned dev;
	unsigned func;
};

struct smmu_devid_mmio {
	unsigned type;	 /* SDT_MMIO */
	unsigned length; /* size of the register window */
	uint64_t phys;	 /* physical base of the register window */
};

/* 32 bytes whatever the member, so the size never changes across versions. */
union smmu_devid {
	unsigned type;
	struct smmu_devid_pci pci;
	struct smmu_devid_mmio mmio;
	uint64_t __spacer[4];
};

enum smmu_mapping_flags {
	SMF_NONE = 0x00,   /* no permission: removes the mappings */
	SMF_READ = 0x01,   /* the device may read (DMA source) */
	SMF_WRITE = 0x02,  /* the device may write (DMA target) */
	SMF_EXEC = 0x04,   /* execute, for hardware that distinguishes it */
	SMF_VIRT = 0x08,   /* for future use, as on QNX */
	SMF_TARGET = 0x10, /* entries are device addresses translated to `target` */
};

struct smmu_map_entry {
	union {
		void *virt;	 /* for future use */
		uint32_t virt32; /* for future use */
		uint64_t virt64; /* for future use */
		uint64_t phys;	 /* start of the region (device address with SMF_TARGET) */
	};
	uint64_t len;
};

/* A fault record: a DMA the IOMMU refused. */
struct smmu_status {
	uint64_t hw_specific; /* the raw hardware record */
	uint64_t fault_addr;  /* the address the device tried, as far as reported */
	union smmu_devid devid;
	unsigned flags;
};

/* In smmu_status.flags: records were lost because the queue was full. */
#define SSF_DROPPED_FAULTS 0x80000000u

#define SMMUMAN_SAFETY_ERROR (-1)
#define SMMUMAN_SAFETY_NO 0
#define SMMUMAN_SAFETY_YES 0xffff

enum smmu_obj_create_flags {
	SOCF_NONE = 0x0000,	       /* the service maps devices' reserved regions */
	SOCF_RESERVED_MANUAL = 0x0001, /* the client maps them itself */
};

struct smmu_object;
/* Declared by <signal.h> under POSIX; named here so that a strict ISO C
 * translation unit can include this header too. */
struct sigevent;

SMMU_EXPORT int smmu_init(unsigned flags);
SMMU_EXPORT void smmu_fini(void);

SMMU_EXPORT struct smmu_object *smmu_obj_create(unsigned flags);
SMMU_EXPORT void smmu_obj_destroy(struct smmu_object *sop);

SMMU_EXPORT int smmu_device_add_generic(struct smmu_object *sop, const union smmu_devid *devid);

static inline int smmu_device_add_pci(struct smmu_object *sop, unsigned pbus, unsigned pdev,
				      unsigned pfunc)
{
	union smmu_devid devid = {.pci = {SDT_PCI, pbus, pdev, pfunc}};

	return smmu_device_add_generic(sop, &devid);
}

static inline int smmu_device_add_mmio(struct smmu_object *sop, uint64_t phys, unsigned len)
{
	union smmu_devid devid = {.mmio = {SDT_MMIO, len, phys}};

	return smmu_device_add_generic(sop, &devid);
}

SMMU_EXPORT int smmu_mapping_add(struct smmu_object *sop, unsigned flags, pid_t pid,
				 unsigned num_entries, const struct smmu_map_entry *entries,
				 uint64_t target);

SMMU_EXPORT unsigned smmu_device_report_reserved(const union smmu_devid *devid, unsigned offset,
						 struct smmu_map_entry *resv, unsigned nresv);

SMMU_EXPORT int smmu_xfer_notify(const struct sigevent *evp);
SMMU_EXPORT int smmu_xfer_status(struct smmu_status *ssp);

/* Extension: readable while fault records wait for smmu_xfer_status(). */
SMMU_EXPORT int smmu_xfer_fd(void);

SMMU_EXPORT int smmu_safety(void) SMMU_DEPRECATED;

#ifdef __cplusplus
}
#endif

#endif
