/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An intrusive circular doubly-linked list: a struct embeds a
 * struct smmu_list_link and is found back from it with SMMU_CONTAINER_OF.
 * Insertion and removal are O(1) and never allocate, which is what the
 * backends need for their units' device and domain lists.
 */
#ifndef SMMU_COMMON_LIST_H
#define SMMU_COMMON_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct smmu_list_link {
	struct smmu_list_link *prev;
	struct smmu_list_link *next;
};

#define SMMU_CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static inline void smmu_list_init(struct smmu_list_link *head)
{
	head->prev = head;
	head->next = head;
}

static inline bool smmu_list_empty(const struct smmu_list_link *head)
{
	return head->next == head;
}

/* Appends `link` at the tail of `head`'s list. */
static inline void smmu_list_add(struct smmu_list_link *head, struct smmu_list_link *link)
{
	link->prev = head->prev;
	link->next = head;
	head->prev->next = link;
	head->prev = link;
}

/* Unlinks `link` and leaves it an empty list of its own, so that deleting
 * twice is harmless. */
static inline void smmu_list_del(struct smmu_list_link *link)
{
	link->prev->next = link->next;
	link->next->prev = link->prev;
	link->prev = link;
	link->next = link;
}

#endif
