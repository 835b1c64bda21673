/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smmu_safety(): whether the service runs as a certified safety variant.
 * The answer is the service's; the library only checks that it is one of
 * the two values QNX defines.
 */
#include "lib/libsmmu-internal.h"

#include <errno.h>

/*
 * Deprecated, as on QNX.  Returns SMMUMAN_SAFETY_YES when the service says
 * it and everything it depends on are safety-certified, SMMUMAN_SAFETY_NO
 * when not (always, for this open-source build), or SMMUMAN_SAFETY_ERROR
 * with errno: ENOTCONN, EBADMSG.
 */
SMMU_EXPORT int smmu_safety(void)
{
	struct proto_empty body = {0};
	int cancel_state, r;

	lib_lock(&cancel_state);
	r = lib_exchange(PROTO_SAFETY, &body, sizeof(body), NULL, 0, 0);
	if (r >= 0 && r != SMMUMAN_SAFETY_NO && r != SMMUMAN_SAFETY_YES) {
		lib_break();
		r = -EBADMSG;
	}
	lib_unlock(cancel_state);
	if (r < 0) {
		lib_fail(r);
		return SMMUMAN_SAFETY_ERROR;
	}
	return r;
}
