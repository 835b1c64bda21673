/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loading a support library (smmu-TYPE.so) by the QNX rules:
 *  - `smmu TYPE` loads smmu-TYPE.so from the library directory;
 *  - the safety variant of the service (smmuman-safety) tries
 *    smmu-TYPE-safety.so first and falls back to smmu-TYPE.so only when
 *    the safety file does not exist (a broken one is an error);
 *  - a TYPE ending in ".so" names the file exactly and only that file is
 *    tried (a path with '/' is used as it is).
 * The library must export `smmu_backend` with this build's ABI version.
 */
#ifndef SMMU_SERVER_BACKEND_LOAD_H
#define SMMU_SERVER_BACKEND_LOAD_H

#include <stdbool.h>

#include "core/backend.h"

struct strbuf;

struct srv_backend_library {
	void *handle; /* from dlopen() */
	const struct smmu_backend *backend;
	char *path; /* the file that was loaded */
};

/*
 * Loads the library for `type` from `libdir`.  Returns 0 and fills *ret;
 * -ENOENT when no candidate file exists; -EPROTO when a file exists but is
 * not a usable support library (not loadable, no descriptor, another ABI
 * version).  On failure a sentence for the log is appended to *why, naming
 * every file tried.
 */
int srv_backend_load(const char *libdir, const char *type, bool safety_variant,
		     struct srv_backend_library *ret, struct strbuf *why);
void srv_backend_unload(struct srv_backend_library *library);

#endif
