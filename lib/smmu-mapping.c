/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smmu_mapping_add(), and the splitting of a long entry list into requests
 * of at most PROTO_MAX_MAP_ENTRIES, made invisible to the caller:
 *
 *  - with SMF_TARGET the service lays the entries of one request back to
 *    back from its `target` (entry k at target + the unrounded lengths of
 *    entries 0..k-1, core/core.h), so each later request's target advances
 *    by the lengths of the entries sent before it;
 *  - all requests of one call are sent under the connection lock, so no
 *    other thread's request comes between them (and no other process can
 *    touch this process's objects);
 *  - an add is all or nothing, as one request is in the core: when request
 *    k fails, the service has already taken back request k itself, and the
 *    library removes requests 0..k-1 again (SMF_NONE, or SMF_TARGET alone
 *    with the same targets, the core's removal).  One case it cannot undo
 *    exactly: an entry that was already mapped identically before the call
 *    succeeds without change in the service, and the take-back removes it;
 *  - entries are checked as the core checks them before the first request
 *    is sent, so a list the core would refuse for its contents never needs
 *    a take-back;
 *  - a removal (no R/W/X bit) is not all or nothing, in one request or
 *    several: what was removed before a failure stays removed.
 */
#include "lib/libsmmu-internal.h"

#include <errno.h>
#include <stdbool.h>

/* The service rounds every range to 4 KiB pages, start down and end up
 * (core/core.h, as QNX's backends do); the checks below mirror
 * entry_mapping() in core/core-object.c. */
#define LIB_PAGE_SIZE 4096u

#define LIB_PERMISSIONS (SMF_READ | SMF_WRITE | SMF_EXEC)

/* The wire copy of one request's entries; guarded by lib_conn.lock. */
static struct proto_map_entry lib_wire_entries[PROTO_MAX_MAP_ENTRIES];

/* One PROTO_MAPPING_ADD of `count` (1..PROTO_MAX_MAP_ENTRIES) entries. */
static int send_request(uint32_t object_id, unsigned flags, const struct smmu_map_entry *entries,
			size_t count, uint64_t target)
{
	struct proto_mapping_add body = {
		.target = target,
		.object_id = object_id,
		.flags = flags,
		.entry_count = (uint32_t)count,
	};

	for (size_t i = 0; i < count; i++) {
		lib_wire_entries[i] =
			(struct proto_map_entry){.phys = entries[i].phys, .len = entries[i].len};
	}
	return lib_exchange(PROTO_MAPPING_ADD, &body, sizeof(body), lib_wire_entries,
			    count * sizeof(lib_wire_entries[0]), 0);
}

/* What the core would refuse in the entries themselves: an empty range, a
 * range past the end of the address space, and with SMF_TARGET a target
 * past the end or at another offset within its page than its entry. */
static int check_entries(unsigned flags, const struct smmu_map_entry *entries, size_t count,
			 uint64_t target)
{
	uint64_t offset = 0;

	for (size_t k = 0; k < count; k++) {
		const struct smmu_map_entry *e = &entries[k];
		uint64_t last, pa, pa_last, first_page;

		if (e->len == 0) {
			return -EINVAL;
		}
		if (__builtin_add_overflow(e->phys, e->len - 1, &last)) {
			return -EOVERFLOW;
		}
		if (flags & SMF_TARGET) {
			if (__builtin_add_overflow(target, offset, &pa) ||
			    __builtin_add_overflow(pa, e->len - 1, &pa_last) ||
			    __builtin_add_overflow(offset, e->len, &offset)) {
				return -EOVERFLOW;
			}
			if ((pa ^ e->phys) & (LIB_PAGE_SIZE - 1)) {
				return -EINVAL;
			}
		}
		/* The whole 64-bit space has no size that fits in 64 bits. */
		first_page = e->phys & ~(uint64_t)(LIB_PAGE_SIZE - 1);
		if ((last | (LIB_PAGE_SIZE - 1)) - first_page + 1 == 0) {
			return -EOVERFLOW;
		}
	}
	return 0;
}

/* Sends entries [0, count) in requests of PROTO_MAX_MAP_ENTRIES.  Returns
 * 0, or the first failure with *ret_done the number of entries the
 * requests before it carried. */
static int send_all(uint32_t object_id, unsigned flags, const struct smmu_map_entry *entries,
		    size_t count, uint64_t target, size_t *ret_done)
{
	uint64_t offset = 0;
	size_t done = 0;

	while (done < count) {
		size_t n =
			count - done < PROTO_MAX_MAP_ENTRIES ? count - done : PROTO_MAX_MAP_ENTRIES;
		/* check_entries() proved that target + offset does not wrap. */
		uint64_t request_target = flags & SMF_TARGET ? target + offset : target;
		int r = send_request(object_id, flags, entries + done, n, request_target);

		if (r < 0) {
			*ret_done = done;
			return r;
		}
		for (size_t i = 0; i < n; i++) {
			offset += entries[done + i].len;
		}
		done += n;
	}
	*ret_done = done;
	return 0;
}

/* A call with more entries than one request holds. */
static int add_split(uint32_t object_id, unsigned flags, const struct smmu_map_entry *entries,
		     size_t count, uint64_t target)
{
	size_t done, undone;
	int r;

	/* A flag the core refuses (unknown, SMF_VIRT) fails the first request
	 * with the core's own errno before anything changes: check the
	 * entries only for requests it would look into. */
	if (!(flags & ~(unsigned)(LIB_PERMISSIONS | SMF_TARGET))) {
		r = check_entries(flags, entries, count, target);
		if (r < 0) {
			return r;
		}
	}
	r = send_all(object_id, flags, entries, count, target, &done);
	if (r < 0 && (flags & LIB_PERMISSIONS) && done > 0) {
		/* Best effort: if even the removal fails the connection is
		 * gone, and the service revokes everything of a closed
		 * connection anyway. */
		(void)send_all(object_id, flags & SMF_TARGET, entries, done, target, &undone);
	}
	return r;
}

/*
 * Adds the regions `entries[0..num_entries)` for every device of `sop`
 * with the permissions in `flags` (SMF_READ, SMF_WRITE, SMF_EXEC), or with
 * none of them removes them; SMF_TARGET maps the entries (device
 * addresses) back to back onto the memory from `target`.  `pid` must be 0
 * ("for future use", as on QNX).  Any number of entries: the library
 * splits long lists (see above).  num_entries 0 changes nothing and
 * returns 0.  Returns 0, or -1 with errno: EINVAL (sop NULL, pid not 0,
 * entries NULL, an empty range or a misaligned target), EOVERFLOW, ENOENT
 * (sop not this connection's), EEXIST (overlaps a different mapping),
 * EPERM (SMF_TARGET without the target ability), EOPNOTSUPP (SMF_VIRT),
 * ENOMEM, ENOTCONN, EBADMSG.
 */
SMMU_EXPORT int smmu_mapping_add(struct smmu_object *sop, unsigned flags, pid_t pid,
				 unsigned num_entries, const struct smmu_map_entry *entries,
				 uint64_t target)
{
	int cancel_state, r;

	if (!sop || pid != 0 || (num_entries > 0 && !entries)) {
		return lib_fail(-EINVAL);
	}
	lib_lock(&cancel_state);
	if (lib_conn.fd < 0) {
		r = -ENOTCONN;
	} else if (!lib_object_current(sop)) {
		r = -ENOENT;
	} else if (num_entries == 0) {
		/* The protocol has no empty request (PROTO_MAPPING_ADD needs
		 * 1..PROTO_MAX_MAP_ENTRIES entries); nothing to change. */
		r = 0;
	} else if (num_entries <= PROTO_MAX_MAP_ENTRIES) {
		r = send_request(sop->id, flags, entries, num_entries, target);
	} else {
		r = add_split(sop->id, flags, entries, num_entries, target);
	}
	lib_unlock(cancel_state);
	return r < 0 ? lib_fail(r) : 0;
}
