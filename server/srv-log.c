/* SPDX-License-Identifier: Apache-2.0 */
#include "server/srv-log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static struct {
	unsigned debug;
	bool to_stderr;
} srv_log_state = {.to_stderr = true};

/* Under systemd, stderr is already the journal (JOURNAL_STREAM names it):
 * copying there as well would log every start-up line twice. */
static bool stderr_is_journal(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!stream || sscanf(stream, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) < 0) {
		return false;
	}
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void srv_log_open(unsigned debug)
{
	srv_log_state.debug = debug;
	srv_log_state.to_stderr = !stderr_is_journal();
	openlog("smmuman", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	setlogmask(LOG_UPTO(debug >= 2 ? LOG_DEBUG : debug == 1 ? LOG_INFO : LOG_NOTICE));
}

void srv_log_started(void)
{
	srv_log_state.to_stderr = false;
}

void srv_log_close(void)
{
	closelog();
}

void srv_vlog(int priority, const char *fmt, va_list ap)
{
	unsigned threshold = srv_log_state.debug >= 2	? LOG_DEBUG
			     : srv_log_state.debug == 1 ? LOG_INFO
							: LOG_NOTICE;
	va_list copy;

	if ((unsigned)LOG_PRI(priority) > threshold) {
		return;
	}
	if (srv_log_state.to_stderr) {
		va_copy(copy, ap);
		fputs("smmuman: ", stderr);
		vfprintf(stderr, fmt, copy);
		fputc('\n', stderr);
		va_end(copy);
	}
	vsyslog(priority, fmt, ap);
}

void srv_log(int priority, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	srv_vlog(priority, fmt, ap);
	va_end(ap);
}
