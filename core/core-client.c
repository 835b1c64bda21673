/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Clients: connections and their fault queues (64 records, QNX's number).
 */
#include "core/core-internal.h"

#include <errno.h>

#include "common/alloc.h"

int core_client_connect(struct core *core, pid_t pid, uid_t uid, unsigned abilities,
			struct core_client **ret_client)
{
	struct core_client *client = smmu_calloc(1, sizeof(*client));

	if (!client) {
		return -ENOMEM;
	}
	client->id = core->next_client_id++;
	client->pid = pid;
	client->uid = uid;
	client->abilities = abilities;
	if (core_ptr_push((void ***)&core->clients, &core->client_count, client) < 0) {
		smmu_free(client);
		return -ENOMEM;
	}
	*ret_client = client;
	return 0;
}

void core_client_disconnect(struct core *core, struct core_client *client)
{
	/* Destroying an object releases its devices and revokes its mappings. */
	for (size_t i = core->object_count; i-- > 0;) {
		if (core->objects[i]->owner == client) {
			core_object_free(core, core->objects[i]);
		}
	}
	for (size_t i = 0; i < core->client_count; i++) {
		if (core->clients[i] == client) {
			core_ptr_remove((void **)core->clients, &core->client_count, i);
			break;
		}
	}
	smmu_free(client);
}

pid_t core_client_pid(const struct core_client *client)
{
	return client->pid;
}

void core_xfer_notify(struct core *core, struct core_client *client)
{
	(void)core;
	client->listener = true;
}

unsigned core_xfer_pending(const struct core_client *client)
{
	return client->queue_count;
}

int core_xfer_status(struct core *core, struct core_client *client, struct smmu_status *ret)
{
	(void)core;
	if (client->queue_count == 0) {
		return 0;
	}
	*ret = client->queue[client->queue_head];
	client->queue_head = (client->queue_head + 1) % CORE_FAULT_QUEUE_LENGTH;
	client->queue_count--;
	return 1;
}

/*
 * A full queue drops the new record and sets SSF_DROPPED_FAULTS on the
 * newest record it keeps, so the reader learns of the gap right where it
 * is, even when no record ever follows.
 */
static bool queue_push(struct core_client *client, const struct smmu_status *status)
{
	unsigned tail;

	if (client->queue_count == CORE_FAULT_QUEUE_LENGTH) {
		tail = (client->queue_head + CORE_FAULT_QUEUE_LENGTH - 1) % CORE_FAULT_QUEUE_LENGTH;
		client->queue[tail].flags |= SSF_DROPPED_FAULTS;
		return false;
	}
	tail = (client->queue_head + client->queue_count) % CORE_FAULT_QUEUE_LENGTH;
	client->queue[tail] = *status;
	client->queue[tail].flags &= ~SSF_DROPPED_FAULTS;
	client->queue_count++;
	return true;
}

void core_fault_deliver(struct core *core, const struct smmu_status *status)
{
	for (size_t i = 0; i < core->client_count; i++) {
		struct core_client *client = core->clients[i];

		if (!client->listener) {
			continue;
		}
		if (queue_push(client, status) && core->hooks.queued) {
			core->hooks.queued(core->hooks.ctx, client);
		}
	}
	/* The last few faults, whoever listens, for smmuctl status. */
	core->recent_faults[core->fault_total % CORE_RECENT_FAULTS] = *status;
	core->fault_total++;
}
