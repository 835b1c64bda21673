/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Who holds which ability (QNX's smmu/attach and smmu/target): root holds
 * both; the `permit` options name other users and groups.  Names are
 * resolved once at start-up, so that an unknown name is a start-up error
 * rather than a silent refusal later, and a client is judged by the
 * credentials the kernel reports for its socket (SO_PEERCRED and
 * SO_PEERGROUPS), never by anything it says.
 */
#ifndef SMMU_SERVER_SRV_PERMITS_H
#define SMMU_SERVER_SRV_PERMITS_H

#include <stddef.h>
#include <sys/types.h>

#include "config/config.h"

struct srv_permit {
	unsigned ability; /* enum core_ability */
	bool is_group;
	uint32_t id; /* uid or gid */
};

struct srv_permits {
	struct srv_permit *items;
	size_t count;
};

/* Resolves the configuration's permits.  Returns 0, or -ENOENT after
 * logging which name is unknown, or -ENOMEM. */
int srv_permits_resolve(const struct cfg_config *cfg, struct srv_permits *ret);
void srv_permits_fini(struct srv_permits *permits);

/* The abilities (enum core_ability) of a peer with these credentials. */
unsigned srv_permits_abilities(const struct srv_permits *permits, uid_t uid, gid_t gid,
			       const gid_t *groups, size_t group_count);

#endif
