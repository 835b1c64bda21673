/* SPDX-License-Identifier: Apache-2.0 */
#include "server/srv-permits.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>

#include "common/alloc.h"
#include "core/core.h"
#include "server/srv-log.h"

static unsigned core_ability_of(enum cfg_ability ability)
{
	return ability == CFG_ABILITY_TARGET ? CORE_ABILITY_TARGET : CORE_ABILITY_ATTACH;
}

static int resolve_one(const struct cfg_permit *permit, struct srv_permit *ret)
{
	*ret = (struct srv_permit){.ability = core_ability_of(permit->ability), .id = permit->id};
	switch (permit->kind) {
	case CFG_PRINCIPAL_UID:
		return 0;
	case CFG_PRINCIPAL_GID:
		ret->is_group = true;
		return 0;
	case CFG_PRINCIPAL_USER: {
		const struct passwd *pw = getpwnam(permit->name);

		if (!pw) {
			srv_log(LOG_ERR, "%s:%u:%u: permit: no user named '%s'", permit->loc.file,
				permit->loc.line, permit->loc.col, permit->name);
			return -ENOENT;
		}
		ret->id = pw->pw_uid;
		return 0;
	}
	case CFG_PRINCIPAL_GROUP: {
		const struct group *gr = getgrnam(permit->name);

		if (!gr) {
			srv_log(LOG_ERR, "%s:%u:%u: permit: no group named '%s'", permit->loc.file,
				permit->loc.line, permit->loc.col, permit->name);
			return -ENOENT;
		}
		ret->is_group = true;
		ret->id = gr->gr_gid;
		return 0;
	}
	}
	return -EINVAL;
}

int srv_permits_resolve(const struct cfg_config *cfg, struct srv_permits *ret)
{
	*ret = (struct srv_permits){0};
	if (cfg->permit_count == 0) {
		return 0;
	}
	ret->items = smmu_calloc(cfg->permit_count, sizeof(*ret->items));
	if (!ret->items) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < cfg->permit_count; i++) {
		int r = resolve_one(&cfg->permits[i], &ret->items[i]);

		if (r < 0) {
			srv_permits_fini(ret);
			return r;
		}
	}
	ret->count = cfg->permit_count;
	return 0;
}

void srv_permits_fini(struct srv_permits *permits)
{
	smmu_free(permits->items);
	*permits = (struct srv_permits){0};
}

static bool in_groups(gid_t id, gid_t gid, const gid_t *groups, size_t group_count)
{
	if (id == gid) {
		return true;
	}
	for (size_t i = 0; i < group_count; i++) {
		if (groups[i] == id) {
			return true;
		}
	}
	return false;
}

unsigned srv_permits_abilities(const struct srv_permits *permits, uid_t uid, gid_t gid,
			       const gid_t *groups, size_t group_count)
{
	unsigned abilities = 0;

	if (uid == 0) {
		return CORE_ABILITY_ATTACH | CORE_ABILITY_TARGET;
	}
	for (size_t i = 0; i < permits->count; i++) {
		const struct srv_permit *permit = &permits->items[i];

		if (permit->is_group ? in_groups((gid_t)permit->id, gid, groups, group_count)
				     : (uid_t)permit->id == uid) {
			abilities |= permit->ability;
		}
	}
	return abilities;
}
