/* SPDX-License-Identifier: Apache-2.0 */
#include "server/backend-load.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/strbuf.h"

/* The first operation a descriptor lacks, or NULL: the core calls every
 * one of them, so a library without one is refused here, not crashed on
 * later.  The batches (map_batch, unmap_batch) are optional: the core
 * falls back to map() and unmap(). */
static const char *missing_operation(const struct smmu_backend *b)
{
	const struct {
		const char *name;
		bool present;
	} ops[] = {
		{"init", b->init},
		{"fini", b->fini},
		{"unit_create", b->unit_create},
		{"unit_destroy", b->unit_destroy},
		{"unit_enable", b->unit_enable},
		{"device_bind", b->device_bind},
		{"device_unbind", b->device_unbind},
		{"device_attach", b->device_attach},
		{"domain_create", b->domain_create},
		{"domain_destroy", b->domain_destroy},
		{"map", b->map},
		{"unmap", b->unmap},
		{"translate", b->translate},
		{"fault_drain", b->fault_drain},
		{"fault_fd", b->fault_fd},
	};

	if (!b->name) {
		return "name";
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (!ops[i].present) {
			return ops[i].name;
		}
	}
	return NULL;
}

/* Tries one file.  -ENOENT: not there; -EPROTO: there but unusable. */
static int try_load(const char *path, struct srv_backend_library *ret, struct strbuf *why)
{
	const struct smmu_backend *backend;
	void *handle;

	if (access(path, F_OK) < 0) {
		strbuf_printf(why, "%s: not found; ", path);
		return -ENOENT;
	}
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		strbuf_printf(why, "%s: cannot load: %s; ", path, dlerror());
		return -EPROTO;
	}
	backend = dlsym(handle, "smmu_backend");
	if (!backend) {
		strbuf_printf(why, "%s: exports no smmu_backend; ", path);
	} else if (backend->abi_version != SMMU_BACKEND_ABI_VERSION ||
		   backend->size != sizeof(*backend)) {
		strbuf_printf(why,
			      "%s: built for backend ABI %u (size %u), this service needs %u "
			      "(size %zu); ",
			      path, backend->abi_version, backend->size, SMMU_BACKEND_ABI_VERSION,
			      sizeof(*backend));
		backend = NULL;
	} else if (missing_operation(backend)) {
		strbuf_printf(why, "%s: its smmu_backend has no %s; ", path,
			      missing_operation(backend));
		backend = NULL;
	}
	if (!backend) {
		dlclose(handle);
		return -EPROTO;
	}
	ret->path = smmu_strdup(path);
	if (!ret->path) {
		dlclose(handle);
		return -ENOMEM;
	}
	ret->handle = handle;
	ret->backend = backend;
	return 0;
}

static char *library_path(const char *libdir, const char *file)
{
	struct strbuf path = STRBUF_INIT;

	if (strchr(file, '/')) {
		strbuf_puts(&path, file);
	} else {
		strbuf_printf(&path, "%s/%s", libdir, file);
	}
	return strbuf_take(&path);
}

int srv_backend_load(const char *libdir, const char *type, bool safety_variant,
		     struct srv_backend_library *ret, struct strbuf *why)
{
	size_t len = strlen(type);
	char *candidates[2] = {NULL, NULL};
	struct strbuf file = STRBUF_INIT;
	int result = -ENOENT;
	size_t count = 0;

	*ret = (struct srv_backend_library){0};
	if (len > 3 && strcmp(type + len - 3, ".so") == 0) {
		/* Named exactly: only this file, whatever the variant. */
		candidates[count++] = library_path(libdir, type);
	} else {
		if (safety_variant) {
			strbuf_printf(&file, "smmu-%s-safety.so", type);
			candidates[count++] = library_path(libdir, strbuf_str(&file));
			strbuf_reset(&file);
		}
		strbuf_printf(&file, "smmu-%s.so", type);
		candidates[count++] = library_path(libdir, strbuf_str(&file));
	}
	for (size_t i = 0; i < count; i++) {
		int r = candidates[i] ? try_load(candidates[i], ret, why) : -ENOMEM;

		/* Only a missing file falls back (QNX: "if it doesn't find the
		 * safety variant"); a safety library that is there but broken
		 * must not be silently replaced by the uncertified one. */
		if (r != -ENOENT) {
			result = r;
			break;
		}
	}
	for (size_t i = 0; i < count; i++) {
		smmu_free(candidates[i]);
	}
	strbuf_fini(&file);
	return result;
}

void srv_backend_unload(struct srv_backend_library *library)
{
	if (library->handle) {
		dlclose(library->handle);
	}
	smmu_free(library->path);
	*library = (struct srv_backend_library){0};
}
