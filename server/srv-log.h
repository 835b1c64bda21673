/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service's log, as QNX's `debug 1|2` and as Linux expects: during
 * start-up every message goes to stderr (whoever started the service sees
 * why it failed) and to the system log; once the service is ready, to the
 * system log only (syslog, which journald collects).
 *
 * Levels: errors, warnings and notices always; `debug 1` adds LOG_INFO,
 * `debug 2` adds LOG_DEBUG.
 */
#ifndef SMMU_SERVER_SRV_LOG_H
#define SMMU_SERVER_SRV_LOG_H

#include <stdarg.h>
#include <syslog.h>

#include "common/compiler.h"

void srv_log_open(unsigned debug);
/* Start-up is over: stop copying messages to stderr. */
void srv_log_started(void);
void srv_log_close(void);

void srv_log(int priority, const char *fmt, ...) SMMU_PRINTF(2, 3);
void srv_vlog(int priority, const char *fmt, va_list ap) SMMU_PRINTF(2, 0);

#endif
