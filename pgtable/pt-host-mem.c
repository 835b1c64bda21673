/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host table memory (see pt-host-mem.h).  A bump allocator over one MAP_NORESERVE mapping
 * with a free list per power-of-two size; blocks are aligned to their size within the pool,
 * so their fake physical addresses are aligned as the allocator interface requires.
 */
#include "pgtable/pt-host-mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "common/alloc.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PT_HOST_MEM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PT_HOST_MEM_ASAN 1
#endif

#ifdef PT_HOST_MEM_ASAN
#include <sanitizer/asan_interface.h>
#define PT_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define PT_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define PT_POISON(p, n) ((void)(p), (void)(n))
#define PT_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define PT_HOST_MEM_MIN_LG2 12
#define PT_HOST_MEM_MAX_LG2 24

/* Owner: whoever called pt_host_mem_create(); pt_host_mem_destroy() unmaps the pool. */
struct pt_host_mem {
	char *base;
	size_t size;
	size_t bump;
	void *free_list[PT_HOST_MEM_MAX_LG2 + 1];
	long fail_countdown; /* < 0: never fail */
	size_t in_use;
};

static int host_alloc(void *ctx, size_t size, void **ret_cpu, uint64_t *ret_pa)
{
	struct pt_host_mem *m = ctx;
	unsigned lg2 = (unsigned)__builtin_ctzll(size);
	void *p;

	if ((size & (size - 1)) || lg2 < PT_HOST_MEM_MIN_LG2 || lg2 > PT_HOST_MEM_MAX_LG2) {
		return -EINVAL;
	}
	if (m->fail_countdown == 0) {
		return -ENOMEM;
	}
	if (m->fail_countdown > 0) {
		m->fail_countdown--;
	}
	if (m->free_list[lg2]) {
		p = m->free_list[lg2];
		PT_UNPOISON(p, size);
		memcpy(&m->free_list[lg2], p, sizeof(void *));
		memset(p, 0, size);
	} else {
		size_t off = (m->bump + size - 1) & ~(size - 1);

		if (off > m->size || m->size - off < size) {
			return -ENOMEM;
		}
		/* Never used: the mapping hands out zero pages. */
		p = m->base + off;
		m->bump = off + size;
	}
	m->in_use += size;
	*ret_cpu = p;
	*ret_pa = PT_HOST_MEM_PA_BASE + (uint64_t)((char *)p - m->base);
	return 0;
}

static void host_free(void *ctx, void *cpu, uint64_t pa, size_t size)
{
	struct pt_host_mem *m = ctx;
	unsigned lg2 = (unsigned)__builtin_ctzll(size);

	(void)pa;
	memcpy(cpu, &m->free_list[lg2], sizeof(void *));
	m->free_list[lg2] = cpu;
	m->in_use -= size;
	PT_POISON((char *)cpu + sizeof(void *), size - sizeof(void *));
}

/**
 * pt_host_mem_create() - reserve pool_size bytes (rounded to 4 KiB, at most 3 GiB so that every
 * fake physical address stays below 4 GiB).  Pages are committed as tables use them.
 * Return: 0, -EINVAL, -ENOMEM.
 */
int pt_host_mem_create(size_t pool_size, struct pt_host_mem **ret_mem)
{
	pool_size = (pool_size + 4095) & ~(size_t)4095;
	if (pool_size == 0 || pool_size > ((size_t)3 << 30)) {
		return -EINVAL;
	}
	struct pt_host_mem *m = smmu_calloc(1, sizeof(*m));

	if (!m) {
		return -ENOMEM;
	}
	void *base = mmap(NULL, pool_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (base == MAP_FAILED) {
		int r = -errno;

		smmu_free(m);
		return r;
	}
	m->base = base;
	m->size = pool_size;
	m->fail_countdown = -1;
	*ret_mem = m;
	return 0;
}

/** pt_host_mem_destroy() - unmap the pool; every space using it must be gone.  Accepts NULL. */
void pt_host_mem_destroy(struct pt_host_mem *m)
{
	if (!m) {
		return;
	}
	PT_UNPOISON(m->base, m->bump);
	munmap(m->base, m->size);
	smmu_free(m);
}

/** pt_host_mem_allocator() - the allocator interface over this pool (linear). */
void pt_host_mem_allocator(struct pt_host_mem *m, struct pt_allocator *ret_alloc)
{
	*ret_alloc = (struct pt_allocator){
		.alloc = host_alloc,
		.free = host_free,
		.linear_cpu_base = m->base,
		.linear_pa_base = PT_HOST_MEM_PA_BASE,
		.ctx = m,
	};
}

/**
 * pt_host_mem_fail_after() - after `countdown` more successful allocations, fail every later
 * one until called again with a negative countdown.
 */
void pt_host_mem_fail_after(struct pt_host_mem *m, long countdown)
{
	m->fail_countdown = countdown;
}

/** pt_host_mem_in_use() - bytes handed out and not yet freed. */
size_t pt_host_mem_in_use(const struct pt_host_mem *m)
{
	return m->in_use;
}
