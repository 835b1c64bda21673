/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Objects and their devices: smmu_obj_create(), smmu_obj_destroy(),
 * smmu_device_add_generic().
 *
 * An object handle is the service's object id plus the connection it was
 * created on: after smmu_fini() and a new smmu_init() (or a restarted
 * service, which may hand out the same ids again), an old handle must not
 * name a new object, so it is refused here with ENOENT, the answer the
 * service gives for an object the client does not own.
 */
#include "lib/libsmmu-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Creates an object, the unit of shared mappings and permissions.  `flags`
 * is SOCF_NONE or SOCF_RESERVED_MANUAL.  Returns a handle to pass to
 * smmu_obj_destroy(), or NULL with errno: ENOMEM, ENOTCONN, EBADMSG, or
 * what the service answers (EINVAL for unknown flags, EPERM, ENOMEM).
 */
SMMU_EXPORT struct smmu_object *smmu_obj_create(unsigned flags)
{
	struct proto_object_create body = {.flags = flags};
	struct proto_object_create_reply reply;
	struct smmu_object *sop = malloc(sizeof(*sop));
	const void *payload;
	size_t size;
	int cancel_state, r;

	if (!sop) {
		return NULL;
	}
	lib_lock(&cancel_state);
	r = lib_exchange(PROTO_OBJECT_CREATE, &body, sizeof(body), NULL, 0, sizeof(reply));
	if (r >= 0) {
		payload = lib_reply_payload(&size);
		memcpy(&reply, payload, sizeof(reply));
		/* Id 0 means "no object" in PROTO_DEVICE_ADD. */
		if (reply.object_id == 0) {
			lib_break();
			r = -EBADMSG;
		}
		*sop = (struct smmu_object){
			.id = reply.object_id,
			.generation = lib_conn.generation,
		};
	}
	lib_unlock(cancel_state);
	if (r < 0) {
		free(sop);
		lib_fail(r);
		return NULL;
	}
	return sop;
}

/*
 * Destroys the object (the service removes its devices, which return to
 * their startup state, and its mappings) and frees the handle, whatever the
 * service answers: there is nothing a caller could do with a handle that
 * failed to go.  NULL is ignored.  errno is left as it was.
 */
SMMU_EXPORT void smmu_obj_destroy(struct smmu_object *sop)
{
	struct proto_object_destroy body = {0};
	int cancel_state, saved_errno = errno;

	if (!sop) {
		return;
	}
	lib_lock(&cancel_state);
	if (lib_object_current(sop)) {
		body.object_id = sop->id;
		(void)lib_exchange(PROTO_OBJECT_DESTROY, &body, sizeof(body), NULL, 0, 0);
	}
	lib_unlock(cancel_state);
	free(sop);
	errno = saved_errno;
}

/*
 * Adds the device `devid` to `sop` (moving it from another object of this
 * process), or with sop NULL removes it from this process's objects.
 * Returns 0 (never QNX's +1: the service replays the object's mappings
 * into every new device itself), or -1 with errno: EINVAL (devid NULL or of
 * an unknown type), ENOENT (no unit controls the device; on removal, this
 * process does not hold it; or sop from an earlier connection), EBUSY
 * (another client holds it), ENOTCONN, EPERM, EBADMSG.
 */
SMMU_EXPORT int smmu_device_add_generic(struct smmu_object *sop, const union smmu_devid *devid)
{
	struct proto_device_add body = {.devid_size = sizeof(*devid)};
	int cancel_state, r;

	/* The service closes a connection whose device id has an unknown
	 * type (a malformed message): refuse it before it is sent. */
	if (!devid || (devid->type != SDT_PCI && devid->type != SDT_MMIO)) {
		return lib_fail(-EINVAL);
	}
	body.devid = *devid;
	lib_lock(&cancel_state);
	if (sop && !lib_object_current(sop)) {
		r = lib_conn.fd < 0 ? -ENOTCONN : -ENOENT;
	} else {
		body.object_id = sop ? sop->id : 0;
		r = lib_exchange(PROTO_DEVICE_ADD, &body, sizeof(body), NULL, 0, 0);
	}
	lib_unlock(cancel_state);
	return r < 0 ? lib_fail(r) : 0;
}
