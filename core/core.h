/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The core: all IOMMU state and policy of the service, with QNX SMMUMAN's
 * semantics.  Pure logic: no sockets, no registers, no dlopen.  It drives
 * the hardware only through a struct smmu_backend.  Single-threaded: the
 * server calls it from its event loop, one request at a time.
 *
 * State:
 *  - units       from `unit` lines (and later firmware tables);
 *  - devices     known to the service: from `device` lines, or bound on
 *                demand when a client adds a device a unit controls;
 *  - objects     created by clients; an object's mappings apply to all its
 *                devices (one backend domain per object and unit);
 *  - clients     connections, with their abilities and fault queues.
 *
 * Decisions where QNX is silent (documented in libsmmu(3)):
 *  - adding a device never returns +1: the core replays the object's
 *    mappings into any domain it creates, so clients never re-issue them;
 *  - a device in no object reaches only its startup mappings (allow sets
 *    named on its `device` line) and reserved regions; a device with
 *    neither is blocked;
 *  - SMF_NONE removes exactly the given ranges, splitting mappings that
 *    straddle their edges; removing what is not mapped is not an error;
 *  - adding a range that is already mapped identically succeeds and
 *    changes nothing; overlapping a different mapping is EEXIST;
 *  - ranges are rounded to 4 KiB pages (start down, end up), as QNX's
 *    backends do;
 *  - with SMF_TARGET the entries are laid out back to back from `target`:
 *    entry k translates to target + the sizes of entries 0..k-1;
 *  - every client that has called smmu_xfer_notify() at least once gets a
 *    copy of every later fault in its queue of 64 (broadcast).  The core
 *    tells the server about each record it queues; QNX's one-shot sigevent
 *    is delivered by libsmmu (see proto/proto.h).
 */
#ifndef SMMU_CORE_CORE_H
#define SMMU_CORE_CORE_H

#include <smmu.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config/config.h"
#include "core/backend.h"

#define CORE_PAGE_SIZE 4096u
#define CORE_FAULT_QUEUE_LENGTH 64u

enum core_ability {
	CORE_ABILITY_ATTACH = 1u << 0,
	CORE_ABILITY_TARGET = 1u << 1,
};

struct core;
struct core_client;

/* What the core asks of the server. */
struct core_hooks {
	void *ctx;
	void (*log)(void *ctx, int priority, const char *fmt, ...) SMMU_PRINTF(3, 4);
	/* A fault record was queued for a listening client. */
	void (*queued)(void *ctx, struct core_client *client);
};

/*
 * Creates the core over `backend` (already checked for ABI version and
 * size), initialises the backend with `smmu TYPE PARAMS`, creates the units,
 * binds the configured devices and puts them in their startup state, then
 * enables the units.  Returns 0 and *ret_core, or -errno after logging why.
 */
int core_create(const struct smmu_backend *backend, const struct cfg_config *cfg,
		const struct core_hooks *hooks, struct core **ret_core);
/* Detaches everything, frees everything, finalises the backend. */
void core_destroy(struct core *core);

/* A client connection.  `abilities` comes from the peer's credentials. */
int core_client_connect(struct core *core, pid_t pid, uid_t uid, unsigned abilities,
			struct core_client **ret_client);
/* The client went away (smmu_fini, close, death): its objects are
 * destroyed, its devices released to their startup state, its mappings
 * revoked and its fault queue freed. */
void core_client_disconnect(struct core *core, struct core_client *client);
pid_t core_client_pid(const struct core_client *client);

/* smmu_obj_create / smmu_obj_destroy.  Objects are named by ids that are
 * never reused while the service runs. */
int core_object_create(struct core *core, struct core_client *client, unsigned flags,
		       uint32_t *ret_id);
int core_object_destroy(struct core *core, struct core_client *client, uint32_t id);

/* smmu_device_add_generic: object_id 0 removes the client's device(s).
 * Returns 0, -EBUSY (another client owns it), -ENOENT (no unit controls
 * it, or on removal the client does not own it), -EINVAL. */
int core_device_add(struct core *core, struct core_client *client, uint32_t object_id,
		    const union smmu_devid *devid);

/* smmu_mapping_add: `flags` as enum smmu_mapping_flags. */
int core_mapping_add(struct core *core, struct core_client *client, uint32_t object_id,
		     unsigned flags, const struct smmu_map_entry *entries, size_t count,
		     uint64_t target);

/* smmu_device_report_reserved: copies up to `capacity` regions from index
 * `offset` and returns how many there are from `offset` on (0 past the
 * end), or -ENOENT for an unknown device. */
int core_device_report_reserved(struct core *core, const union smmu_devid *devid, unsigned offset,
				struct smmu_map_entry *entries, unsigned capacity);

/* smmu_xfer_notify: the client receives every fault from now on (no
 * backlog for late registrants, as on QNX). */
void core_xfer_notify(struct core *core, struct core_client *client);
/* smmu_xfer_status: returns 1 and the oldest record, 0 when none. */
int core_xfer_status(struct core *core, struct core_client *client, struct smmu_status *ret);
/* Records waiting in the client's queue. */
unsigned core_xfer_pending(const struct core_client *client);

/* smmuctl probe: would this device's access be allowed?  Walks the live
 * tables through the backend.  0 with *ret_refusal, or -ENOENT/-errno. */
int core_probe(struct core *core, const union smmu_devid *devid, uint64_t iova, unsigned access,
	       uint64_t *ret_pa, unsigned *ret_refusal);

/* smmuctl status: the whole state as text or JSON, appended to `out`. */
struct strbuf;
void core_status(const struct core *core, bool json, struct strbuf *out);

/* The units' fault descriptors, for the server's event loop: the number
 * of units, and for unit `index` a descriptor that becomes readable when
 * faults are pending, or -1 when that unit must be polled. */
size_t core_unit_count(const struct core *core);
int core_unit_fault_fd(const struct core *core, size_t index);

/* Drains every unit's faults (the server calls it when a fault fd is
 * readable or on its polling timer).  Returns how many were handled. */
int core_poll_faults(struct core *core);

#endif
