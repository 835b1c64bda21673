/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The event loop: new connections, client messages, unit faults (a
 * descriptor per unit, or a polling timer for units without one) and the
 * signals that stop the service.  Level-triggered epoll; each session
 * handles a bounded number of messages per turn, so a busy client cannot
 * starve the others or the fault path.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/alloc.h"
#include "server/srv-log.h"
#include "server/srv-server.h"

/* How often units without a fault descriptor are polled. */
#define SRV_FAULT_POLL_NS (10 * 1000 * 1000)

static int watch(struct srv_server *server, int fd, struct srv_watch *what)
{
	struct epoll_event event = {.events = EPOLLIN, .data.ptr = what};

	return epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &event) < 0 ? -errno : 0;
}

static int setup_signals(struct srv_server *server)
{
	sigset_t mask;

	/* A client that vanishes mid-reply must not kill the service;
	 * sends also pass MSG_NOSIGNAL. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		return -errno;
	}
	server->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (server->signal_fd < 0) {
		return -errno;
	}
	server->signal_watch.kind = SRV_WATCH_SIGNAL;
	return watch(server, server->signal_fd, &server->signal_watch);
}

static int setup_faults(struct srv_server *server)
{
	size_t units = core_unit_count(server->core);
	bool need_polling = false;
	int r;

	server->faults_watch.kind = SRV_WATCH_FAULTS;
	for (size_t i = 0; i < units; i++) {
		int fd = core_unit_fault_fd(server->core, i);

		if (fd < 0) {
			need_polling = true;
			continue;
		}
		r = watch(server, fd, &server->faults_watch);
		/* Two units may share one descriptor. */
		if (r < 0 && r != -EEXIST) {
			return r;
		}
	}
	if (!need_polling) {
		return 0;
	}
	server->poll_timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (server->poll_timer_fd < 0) {
		return -errno;
	}
	struct itimerspec period = {
		.it_interval = {.tv_nsec = SRV_FAULT_POLL_NS},
		.it_value = {.tv_nsec = SRV_FAULT_POLL_NS},
	};
	if (timerfd_settime(server->poll_timer_fd, 0, &period, NULL) < 0) {
		return -errno;
	}
	server->timer_watch.kind = SRV_WATCH_POLL_TIMER;
	return watch(server, server->poll_timer_fd, &server->timer_watch);
}

int srv_server_init(struct srv_server *server, struct core *core, const struct srv_permits *permits)
{
	*server = (struct srv_server){
		.core = core,
		.permits = permits,
		.listen_fd = -1,
		.signal_fd = -1,
		.poll_timer_fd = -1,
		.listen_watch = {SRV_WATCH_LISTEN},
	};
	server->recv_buf = smmu_malloc(PROTO_MAX_MESSAGE + 1);
	server->reply_buf = smmu_malloc(PROTO_MAX_MESSAGE);
	server->entries = smmu_calloc(PROTO_MAX_MAP_ENTRIES, sizeof(*server->entries));
	server->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (!server->recv_buf || !server->reply_buf || !server->entries || server->epoll_fd < 0) {
		int r = server->epoll_fd < 0 ? -errno : -ENOMEM;

		srv_server_fini(server);
		return r;
	}
	return 0;
}

void srv_server_fini(struct srv_server *server)
{
	while (server->sessions) {
		srv_session_close(server, server->sessions);
	}
	if (server->epoll_fd >= 0) {
		close(server->epoll_fd);
	}
	smmu_free(server->recv_buf);
	smmu_free(server->reply_buf);
	smmu_free(server->entries);
	server->recv_buf = server->reply_buf = NULL;
	server->entries = NULL;
	server->epoll_fd = -1;
}

int srv_loop_init(struct srv_server *server, struct core *core, const struct srv_permits *permits,
		  int listen_fd)
{
	int r = srv_server_init(server, core, permits);

	if (r == 0) {
		server->listen_fd = listen_fd;
		r = watch(server, listen_fd, &server->listen_watch);
		if (r == 0) {
			r = setup_signals(server);
		}
		if (r == 0) {
			r = setup_faults(server);
		}
		if (r < 0) {
			srv_loop_fini(server);
		}
	}
	if (r < 0) {
		srv_log(LOG_ERR, "cannot set up the event loop: %s", strerror(-r));
	}
	return r;
}

static void pause_accepting(struct srv_server *server, bool pause)
{
	struct epoll_event event = {.events = pause ? 0 : EPOLLIN,
				    .data.ptr = &server->listen_watch};

	if (server->accept_paused != pause) {
		epoll_ctl(server->epoll_fd, EPOLL_CTL_MOD, server->listen_fd, &event);
		server->accept_paused = pause;
	}
}

static void accept_connections(struct srv_server *server)
{
	for (;;) {
		struct srv_session *session;
		int fd = accept4(server->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* The listening socket would stay readable and
				 * spin the loop: wait for a session to close. */
				srv_log(LOG_WARNING, "cannot accept connections: %s",
					strerror(errno));
				pause_accepting(server, true);
			}
			return;
		}
		if (server->session_count >= SRV_MAX_SESSIONS) {
			srv_log(LOG_WARNING, "refusing a connection: %u sessions already",
				server->session_count);
			close(fd);
			continue;
		}
		if (srv_session_open(server, fd, &session) < 0) {
			srv_log(LOG_WARNING, "cannot open a session: out of resources");
		}
	}
}

static void read_signal(struct srv_server *server)
{
	struct signalfd_siginfo info;

	while (read(server->signal_fd, &info, sizeof(info)) == sizeof(info)) {
		srv_log(LOG_NOTICE, "stopping on signal %s", strsignal((int)info.ssi_signo));
		server->stopping = true;
	}
}

static void handle_event(struct srv_server *server, const struct epoll_event *event)
{
	struct srv_watch *what = event->data.ptr;
	uint64_t expirations;

	switch (what->kind) {
	case SRV_WATCH_SESSION: {
		struct srv_session *session = (struct srv_session *)what;

		if (srv_session_readable(server, session) < 0 ||
		    (event->events & (EPOLLHUP | EPOLLERR) && !(event->events & EPOLLIN))) {
			srv_session_close(server, session);
			pause_accepting(server, false);
		}
		break;
	}
	case SRV_WATCH_LISTEN:
		accept_connections(server);
		break;
	case SRV_WATCH_SIGNAL:
		read_signal(server);
		break;
	case SRV_WATCH_POLL_TIMER:
		(void)!read(server->poll_timer_fd, &expirations, sizeof(expirations));
		core_poll_faults(server->core);
		break;
	case SRV_WATCH_FAULTS:
		core_poll_faults(server->core);
		break;
	}
}

int srv_loop_run(struct srv_server *server)
{
	struct epoll_event events[32];

	while (!server->stopping) {
		int n = epoll_wait(server->epoll_fd, events, 32, -1);

		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			srv_log(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			handle_event(server, &events[i]);
		}
	}
	return 0;
}

void srv_loop_fini(struct srv_server *server)
{
	if (server->poll_timer_fd >= 0) {
		close(server->poll_timer_fd);
	}
	if (server->signal_fd >= 0) {
		close(server->signal_fd);
	}
	server->poll_timer_fd = server->signal_fd = -1;
	srv_server_fini(server);
}
