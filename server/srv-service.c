/* SPDX-License-Identifier: Apache-2.0 */
#include "server/srv-service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "server/backend-load.h"
#include "server/srv-log.h"
#include "server/srv-ready.h"
#include "server/srv-server.h"

#ifndef CLOSE_RANGE_CLOEXEC
#include <linux/close_range.h>
#endif

/* Descriptors inherited from whoever started us (a shell's, a test
 * harness's) must not stay open for the life of a privileged service. */
static void close_inherited_descriptors(void)
{
	close_range(3, ~0u, 0);
}

static int enter_design_safe_state(const char *why)
{
	srv_log(LOG_CRIT, "%s; entering the design safe state (exit)", why);
	return EXIT_FAILURE;
}

/* No component of this build is safety-certified: the `safety` option
 * decides what that means. */
static int check_safety_policy(const struct cfg_config *cfg, const char *library_path)
{
	switch (cfg->safety) {
	case CFG_SAFETY_REQUIRED:
		srv_log(LOG_CRIT, "safety required, but %s is not safety-certified", library_path);
		return -EPERM;
	case CFG_SAFETY_WARN:
		srv_log(LOG_WARNING, "%s is not safety-certified", library_path);
		return 0;
	default:
		return 0;
	}
}

struct service {
	struct srv_backend_library library;
	bool library_loaded;
	struct srv_permits permits;
	struct core *core;
	struct srv_server server;
	bool loop_ready;
	int listen_fd;
	const char *socket_path;
};

static void service_stop(struct service *service)
{
	if (service->loop_ready) {
		srv_loop_fini(&service->server);
	}
	if (service->listen_fd >= 0) {
		close(service->listen_fd);
		unlink(service->socket_path);
	}
	if (service->core) {
		core_destroy(service->core);
	}
	if (service->library_loaded) {
		srv_backend_unload(&service->library);
	}
	srv_permits_fini(&service->permits);
}

/* Everything up to "every configured device is protected and the socket
 * accepts clients".  Returns 0 or the exit status. */
static int service_start(struct service *service, const struct cfg_config *cfg,
			 const struct srv_service_options *options, int *ready_fd)
{
	struct strbuf why = STRBUF_INIT;
	struct core_hooks hooks = srv_core_hooks;
	int r;

	if (!cfg->smmu.name) {
		return enter_design_safe_state("no support library is configured ('smmu TYPE') "
					       "and no virtual IOMMU was found");
	}
	r = srv_backend_load(options->libdir, cfg->smmu.name, options->safety_variant,
			     &service->library, &why);
	if (r < 0) {
		srv_log(LOG_CRIT, "%s", why.oom ? "out of memory" : strbuf_str(&why));
		strbuf_fini(&why);
		return enter_design_safe_state(r == -ENOENT ? "required hardware support is not "
							      "present"
							    : "the support library is unusable");
	}
	strbuf_fini(&why);
	service->library_loaded = true;
	srv_log(LOG_INFO, "support library %s", service->library.path);
	if (check_safety_policy(cfg, service->library.path) < 0 ||
	    srv_permits_resolve(cfg, &service->permits) < 0) {
		return enter_design_safe_state("the configuration cannot be honoured");
	}
	if (!cfg->foreground) {
		r = srv_daemon_start(ready_fd);
		if (r < 0) {
			srv_log(LOG_ERR, "cannot daemonise: %s", strerror(-r));
			return EXIT_FAILURE;
		}
	}
	hooks.ctx = &service->server;
	r = core_create(service->library.backend, cfg, &hooks, &service->core);
	if (r < 0) {
		return enter_design_safe_state("the configured devices cannot be protected");
	}
	service->listen_fd = srv_listen(service->socket_path);
	if (service->listen_fd < 0) {
		return EXIT_FAILURE;
	}
	if (srv_loop_init(&service->server, service->core, &service->permits, service->listen_fd) <
	    0) {
		return EXIT_FAILURE;
	}
	service->loop_ready = true;
	return 0;
}

int srv_service_run(const struct cfg_config *cfg, const struct srv_service_options *options)
{
	struct service service = {.listen_fd = -1, .socket_path = options->socket_path};
	int ready_fd = -1;
	int status;
	char state[64];

	close_inherited_descriptors();
	srv_log_open(cfg->debug);
	status = service_start(&service, cfg, options, &ready_fd);
	if (status == 0) {
		srv_log(LOG_NOTICE, "ready: %zu configured devices protected; listening on %s",
			cfg->device_count, options->socket_path);
		snprintf(state, sizeof(state), "READY=1\nMAINPID=%ld", (long)getpid());
		srv_sd_notify(state);
		if (ready_fd >= 0) {
			srv_daemon_ready(ready_fd);
			ready_fd = -1;
		}
		srv_log_started();
		status = srv_loop_run(&service.server) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
		srv_sd_notify("STOPPING=1");
	}
	service_stop(&service);
	srv_log(LOG_INFO, "stopped");
	srv_log_close();
	if (ready_fd >= 0) {
		close(ready_fd);
	}
	return status;
}
