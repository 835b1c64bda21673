/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault notification: smmu_xfer_notify(), smmu_xfer_status(),
 * smmu_xfer_fd(), and the waiter thread that turns "the notification socket
 * is readable" into QNX's one-shot sigevent.
 *
 * The service only ever sends one-byte datagrams on the socket pair the
 * library passed in HELLO (proto/proto.h): the library's end is readable
 * exactly while fault records wait, because smmu_xfer_status() drains it
 * before each PROTO_XFER_STATUS and the service sends again when the reply
 * says records remain.  The waiter thread never reads the socket; it polls
 * it only while a sigevent is armed, delivers that sigevent once, disarms,
 * and sleeps on a condition variable until smmu_xfer_notify() arms it
 * again.  So a client that re-arms while records wait is notified at once,
 * as QNX's one-shot registration would be.
 *
 * Waiter states (struct lib_notify, guarded by its lock):
 *
 *   ABSENT --smmu_xfer_notify(SIGNAL|THREAD)--> SLEEPING <--> POLLING
 *     ^                                            |  armed      |
 *     +-------- lib_notify_stop() (last smmu_fini), fork child --+
 *
 *   ABSENT    !running; armed may be false only.
 *   SLEEPING  running, !armed: waits on `cond`.
 *   POLLING   running, armed: polls the notification socket and `wake_fd`.
 */
#include "lib/libsmmu-internal.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

struct lib_notify {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running; /* the waiter thread exists */
	bool stop;    /* it must exit */
	bool armed;   /* deliver `event` once when the socket is readable */
	pthread_t thread;
	int fd;	     /* lib_conn.notify_fd, copied for the waiter */
	int wake_fd; /* an eventfd that gets the waiter out of poll() */
	struct sigevent event;
	/* SIGEV_THREAD: the caller's thread attributes, copied (its object
	 * may be gone by the time of the fault), and the signal mask of the
	 * thread that armed, for the callback's thread. */
	pthread_attr_t attr;
	bool has_attr;
	sigset_t mask;
};

static struct lib_notify lib_notify = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.fd = -1,
	.wake_fd = -1,
};

/* What a SIGEV_THREAD delivery hands its new thread. */
struct thread_call {
	void (*function)(union sigval);
	union sigval value;
	sigset_t mask;
};

static void *thread_call_main(void *arg)
{
	struct thread_call call = *(struct thread_call *)arg;

	free(arg);
	pthread_sigmask(SIG_SETMASK, &call.mask, NULL);
	call.function(call.value);
	return NULL;
}

/* Delivers the armed sigevent once (lib_notify.lock held).  A delivery the
 * system has no resources for (no thread, a full real-time signal queue)
 * is lost, as an event to a full QNX channel would be: the socket stays
 * readable for anyone polling smmu_xfer_fd(). */
static void deliver(void)
{
	const struct sigevent *ev = &lib_notify.event;

	if (ev->sigev_notify == SIGEV_SIGNAL) {
		(void)sigqueue(getpid(), ev->sigev_signo, ev->sigev_value);
	} else if (ev->sigev_notify == SIGEV_THREAD) {
		struct thread_call *call = malloc(sizeof(*call));
		pthread_attr_t detached;
		pthread_t thread;

		if (!call) {
			return;
		}
		*call = (struct thread_call){
			.function = ev->sigev_notify_function,
			.value = ev->sigev_value,
			.mask = lib_notify.mask,
		};
		if (!lib_notify.has_attr) {
			pthread_attr_init(&detached);
			pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
		}
		if (pthread_create(&thread, lib_notify.has_attr ? &lib_notify.attr : &detached,
				   thread_call_main, call) != 0) {
			free(call);
		}
		if (!lib_notify.has_attr) {
			pthread_attr_destroy(&detached);
		}
	}
}

/* The waiter thread; runs with every signal blocked, so that a signal it
 * queues goes to a thread of the application's choosing. */
static void *waiter_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lib_notify.lock);
	for (;;) {
		struct pollfd pfd[2] = {
			{.fd = lib_notify.fd, .events = POLLIN},
			{.fd = lib_notify.wake_fd, .events = POLLIN},
		};
		eventfd_t value;

		while (!lib_notify.stop && !lib_notify.armed) {
			pthread_cond_wait(&lib_notify.cond, &lib_notify.lock);
		}
		if (lib_notify.stop) {
			break;
		}
		pthread_mutex_unlock(&lib_notify.lock);
		if (poll(pfd, 2, -1) < 0) {
			pfd[0].revents = 0;
		}
		pthread_mutex_lock(&lib_notify.lock);
		if (pfd[1].revents) {
			(void)eventfd_read(lib_notify.wake_fd, &value);
		}
		/* POLLHUP too: the service closed its end, which the client
		 * learns from smmu_xfer_status() failing. */
		if (pfd[0].revents && lib_notify.armed && !lib_notify.stop) {
			lib_notify.armed = false;
			deliver();
		}
	}
	pthread_mutex_unlock(&lib_notify.lock);
	return NULL;
}

/* Starts the waiter (lib_notify.lock held).  Returns 0 or -errno. */
static int start_waiter(int notify_fd)
{
	sigset_t all, old;
	int r;

	lib_notify.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (lib_notify.wake_fd < 0) {
		return -errno;
	}
	lib_notify.fd = notify_fd;
	lib_notify.stop = false;
	/* A new thread inherits the creator's mask: block everything around
	 * the creation instead of inside the thread, leaving no window. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&lib_notify.thread, NULL, waiter_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		close(lib_notify.wake_fd);
		lib_notify.wake_fd = -1;
		return -r;
	}
	lib_notify.running = true;
	return 0;
}

static void forget_attr(void)
{
	if (lib_notify.has_attr) {
		pthread_attr_destroy(&lib_notify.attr);
		lib_notify.has_attr = false;
	}
}

/* Copies what a thread attributes object can portably say about the
 * thread to create, and makes it detached: nobody joins a notification
 * thread.  An explicit stack is not copied, since two deliveries may run
 * at once. */
static int copy_attr(pthread_attr_t *dst, const pthread_attr_t *src)
{
	struct sched_param param;
	size_t size;
	int value, r;

	r = pthread_attr_init(dst);
	if (r != 0) {
		return -r;
	}
	if ((r = pthread_attr_getstacksize(src, &size)) != 0 ||
	    (r = pthread_attr_setstacksize(dst, size)) != 0 ||
	    (r = pthread_attr_getguardsize(src, &size)) != 0 ||
	    (r = pthread_attr_setguardsize(dst, size)) != 0 ||
	    (r = pthread_attr_getinheritsched(src, &value)) != 0 ||
	    (r = pthread_attr_setinheritsched(dst, value)) != 0 ||
	    (r = pthread_attr_getschedpolicy(src, &value)) != 0 ||
	    (r = pthread_attr_setschedpolicy(dst, value)) != 0 ||
	    (r = pthread_attr_getschedparam(src, &param)) != 0 ||
	    (r = pthread_attr_setschedparam(dst, &param)) != 0 ||
	    (r = pthread_attr_getscope(src, &value)) != 0 ||
	    (r = pthread_attr_setscope(dst, value)) != 0 ||
	    (r = pthread_attr_setdetachstate(dst, PTHREAD_CREATE_DETACHED)) != 0) {
		pthread_attr_destroy(dst);
		return -r;
	}
	return 0;
}

/* Replaces the armed sigevent with `evp` (lib_conn.lock held, so that
 * notify_fd cannot close meanwhile).  Returns 0 or -errno. */
static int arm(const struct sigevent *evp)
{
	pthread_attr_t attr;
	bool has_attr = false;
	int r = 0;

	if (evp->sigev_notify == SIGEV_THREAD && evp->sigev_notify_attributes) {
		r = copy_attr(&attr, evp->sigev_notify_attributes);
		if (r < 0) {
			return r;
		}
		has_attr = true;
	}
	pthread_mutex_lock(&lib_notify.lock);
	if (evp->sigev_notify == SIGEV_NONE) {
		/* QNX: a new registration replaces the old one. */
		lib_notify.armed = false;
		goto out_unlock;
	}
	if (!lib_notify.running) {
		r = start_waiter(lib_conn.notify_fd);
		if (r < 0) {
			goto out_unlock;
		}
	}
	forget_attr();
	lib_notify.event = *evp;
	lib_notify.event.sigev_notify_attributes = NULL;
	if (has_attr) {
		lib_notify.attr = attr;
		lib_notify.has_attr = true;
		has_attr = false;
	}
	pthread_sigmask(SIG_BLOCK, NULL, &lib_notify.mask);
	lib_notify.armed = true;
	pthread_cond_signal(&lib_notify.cond);
out_unlock:
	pthread_mutex_unlock(&lib_notify.lock);
	if (has_attr) {
		pthread_attr_destroy(&attr);
	}
	return r;
}

void lib_notify_stop(void)
{
	eventfd_t one = 1;

	pthread_mutex_lock(&lib_notify.lock);
	lib_notify.armed = false;
	forget_attr();
	if (!lib_notify.running) {
		pthread_mutex_unlock(&lib_notify.lock);
		return;
	}
	lib_notify.stop = true;
	pthread_cond_signal(&lib_notify.cond);
	pthread_mutex_unlock(&lib_notify.lock);
	/* A failed write still leaves `stop` for the waiter to see when poll
	 * returns; the eventfd cannot be full with one pending wake-up. */
	(void)eventfd_write(lib_notify.wake_fd, one);
	pthread_join(lib_notify.thread, NULL);
	pthread_mutex_lock(&lib_notify.lock);
	close(lib_notify.wake_fd);
	lib_notify.wake_fd = -1;
	lib_notify.fd = -1;
	lib_notify.running = false;
	lib_notify.stop = false;
	pthread_mutex_unlock(&lib_notify.lock);
}

void lib_notify_prepare(void)
{
	pthread_mutex_lock(&lib_notify.lock);
}

void lib_notify_parent(void)
{
	pthread_mutex_unlock(&lib_notify.lock);
}

void lib_notify_child(void)
{
	/* The waiter thread does not exist in the child; its descriptors and
	 * the condition variable's waiter state are the parent's. */
	if (lib_notify.wake_fd >= 0) {
		close(lib_notify.wake_fd);
	}
	lib_notify.wake_fd = -1;
	lib_notify.fd = -1;
	lib_notify.running = false;
	lib_notify.stop = false;
	lib_notify.armed = false;
	forget_attr();
	pthread_mutex_init(&lib_notify.lock, NULL);
	pthread_cond_init(&lib_notify.cond, NULL);
}

void lib_notify_drain(void)
{
	char byte[16];

	/* Stops at end of file too: the service's end closed, which stays
	 * readable for ever. */
	while (recv(lib_conn.notify_fd, byte, sizeof(byte), MSG_DONTWAIT) > 0) {
	}
}

/* Whether `evp` is a sigevent this library can deliver. */
static bool event_valid(const struct sigevent *evp)
{
	switch (evp->sigev_notify) {
	case SIGEV_NONE:
		return true;
	case SIGEV_SIGNAL:
		return evp->sigev_signo > 0 && evp->sigev_signo <= SIGRTMAX;
	case SIGEV_THREAD:
		return evp->sigev_notify_function != NULL;
	default:
		return false;
	}
}

/*
 * Makes the process a listener for faults (it receives a copy of every
 * fault from now on; none from before) and arms `evp` to be delivered once
 * when a record waits, at once if one already does.  Each call replaces
 * the previous registration; re-arm after each delivery.  SIGEV_NONE arms
 * nothing (use smmu_xfer_fd()), SIGEV_SIGNAL queues sigev_signo with
 * sigev_value to the process, SIGEV_THREAD calls sigev_notify_function in a
 * new detached thread.  Returns 0, or -1 with errno: EINVAL (evp NULL or of
 * another kind, bad signal number, no function), ENOTCONN, EPERM, EAGAIN
 * (no waiter thread), or what the service answers.
 */
SMMU_EXPORT int smmu_xfer_notify(const struct sigevent *evp)
{
	struct proto_empty body = {0};
	int cancel_state, r;

	if (!evp || !event_valid(evp)) {
		return lib_fail(-EINVAL);
	}
	lib_lock(&cancel_state);
	r = lib_exchange(PROTO_XFER_NOTIFY, &body, sizeof(body), NULL, 0, 0);
	if (r >= 0) {
		r = arm(evp);
	}
	lib_unlock(cancel_state);
	return r < 0 ? lib_fail(r) : 0;
}

/*
 * Takes the oldest fault record queued for this process.  Returns 1 with
 * *ssp filled, 0 when none waits, or -1 with errno: EINVAL (ssp NULL),
 * ENOTCONN, EBADMSG.
 */
SMMU_EXPORT int smmu_xfer_status(struct smmu_status *ssp)
{
	struct proto_empty body = {0};
	struct proto_xfer_status_reply reply;
	const void *payload;
	size_t size;
	int cancel_state, r;

	if (!ssp) {
		return lib_fail(-EINVAL);
	}
	lib_lock(&cancel_state);
	/* Drained before asking, never after: a record queued after the
	 * reply was built sends a new datagram, which must survive. */
	if (lib_conn.fd >= 0) {
		lib_notify_drain();
	}
	r = lib_exchange(PROTO_XFER_STATUS, &body, sizeof(body), NULL, 0, sizeof(reply));
	if (r >= 0) {
		payload = lib_reply_payload(&size);
		memcpy(&reply, payload, sizeof(reply));
		if (reply.present > 1) {
			lib_break();
			r = -EBADMSG;
		} else {
			r = (int)reply.present;
			if (r == 1) {
				*ssp = reply.status;
			}
		}
	}
	lib_unlock(cancel_state);
	return r < 0 ? lib_fail(r) : r;
}

/*
 * Extension: a descriptor that is readable while fault records wait for
 * smmu_xfer_status() (and, for ever, once the service has closed the
 * connection).  Poll it; never read it.  It stays valid until the last
 * smmu_fini().  Returns it, or -1 with errno ENOTCONN before smmu_init().
 */
SMMU_EXPORT int smmu_xfer_fd(void)
{
	int cancel_state, fd;

	lib_lock(&cancel_state);
	fd = lib_conn.users > 0 ? lib_conn.notify_fd : -ENOTCONN;
	lib_unlock(cancel_state);
	return fd < 0 ? lib_fail(fd) : fd;
}
