/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Client processes of the conformance suite.  libsmmu's state is per process and a killed
 * client must be a process of its own, so each client is a child that runs libsmmu calls
 * the runner sends over a pipe, one fixed-size command and one reply at a time.
 *
 * A listening client arms smmu_xfer_notify() with SIGEV_SIGNAL (SIGUSR1, kept blocked and
 * taken with sigtimedwait()), as a QNX driver would, and re-arms after every record: the
 * suite checks that refused DMAs are announced by the notification, not only queued.
 */
#include "conformance.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../unit/cmocka-all.h"

/* How long a client waits for a fault record before saying none came.  The service polls
 * VT-d's fault registers every 10 ms and QEMU completes an edu transfer 100 ms (virtual)
 * after it starts; 20 s only bounds a bug, it is not a measurement. */
#define CONF_FAULT_WAIT_MS 20000

/* Objects one client holds. */
#define CONF_AGENT_MAX_OBJECTS 8

enum agent_op {
	AGENT_INIT = 1,
	AGENT_LISTEN,
	AGENT_OBJ_CREATE,
	AGENT_OBJ_DESTROY,
	AGENT_DEVICE_ADD,
	AGENT_MAP,
	AGENT_WAIT_FAULT,
	AGENT_EXIT,
};

struct agent_cmd {
	int op;
	int obj;
	union smmu_devid devid;
	unsigned flags;
	uint64_t addr;
	uint64_t len;
	uint64_t target;
};

struct agent_reply {
	int result; /* the call's return value, or an object index */
	int err;    /* errno after a failure */
	bool notified;
	struct smmu_status status;
};

static struct smmu_object *objects[CONF_AGENT_MAX_OBJECTS];

static int arm_notification(void)
{
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1};

	return smmu_xfer_notify(&ev);
}

/* Waits for the notification signal, takes one record and re-arms (which delivers at once
 * when another record already waits). */
static void wait_fault(struct agent_reply *reply)
{
	struct timespec deadline, now;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += CONF_FAULT_WAIT_MS / 1000;
	for (;;) {
		struct timespec left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = deadline.tv_sec - now.tv_sec;
		left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0) {
			reply->result = 0;
			return;
		}
		if (sigtimedwait(&set, NULL, &left) == SIGUSR1) {
			reply->notified = true;
		}
		reply->result = smmu_xfer_status(&reply->status);
		reply->err = errno;
		if (arm_notification() < 0) {
			reply->result = -1;
			reply->err = errno;
			return;
		}
		if (reply->result != 0) {
			return;
		}
	}
}

static void run(const struct agent_cmd *cmd, struct agent_reply *reply)
{
	memset(reply, 0, sizeof(*reply));
	errno = 0;
	switch (cmd->op) {
	case AGENT_INIT:
		reply->result = smmu_init(0);
		break;
	case AGENT_LISTEN:
		reply->result = arm_notification();
		break;
	case AGENT_OBJ_CREATE:
		reply->result = -1;
		for (int i = 0; i < CONF_AGENT_MAX_OBJECTS; i++) {
			if (!objects[i]) {
				objects[i] = smmu_obj_create(SOCF_NONE);
				reply->result = objects[i] ? i : -1;
				break;
			}
		}
		break;
	case AGENT_OBJ_DESTROY:
		smmu_obj_destroy(objects[cmd->obj]);
		objects[cmd->obj] = NULL;
		break;
	case AGENT_DEVICE_ADD:
		reply->result = smmu_device_add_generic(cmd->obj < 0 ? NULL : objects[cmd->obj],
							&cmd->devid);
		break;
	case AGENT_MAP: {
		struct smmu_map_entry entry = {.phys = cmd->addr, .len = cmd->len};

		reply->result =
			smmu_mapping_add(objects[cmd->obj], cmd->flags, 0, 1, &entry, cmd->target);
		break;
	}
	case AGENT_WAIT_FAULT:
		wait_fault(reply);
		return;
	default:
		reply->result = -1;
		errno = EINVAL;
		break;
	}
	reply->err = errno;
}

/**
 * conf_agent_main() - the client process: SIGUSR1 blocked for sigtimedwait(), the service's
 * socket from SMMUMAN_SOCKET, then commands until AGENT_EXIT or the runner goes away.
 */
int conf_agent_main(int cmd_fd, int reply_fd, const char *socket_path)
{
	struct agent_cmd cmd;
	struct agent_reply reply;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	setenv("SMMUMAN_SOCKET", socket_path, 1);
	while (read(cmd_fd, &cmd, sizeof(cmd)) == (ssize_t)sizeof(cmd) && cmd.op != AGENT_EXIT) {
		run(&cmd, &reply);
		if (write(reply_fd, &reply, sizeof(reply)) != (ssize_t)sizeof(reply)) {
			break;
		}
	}
	smmu_fini();
	return 0;
}

/* ---- The runner's side ---- */

/**
 * conf_agent_start() - forks a client process, which dies with the runner (PDEATHSIG).
 */
struct conf_agent *conf_agent_start(void)
{
	int to_agent[2], to_runner[2];
	struct conf_agent *agent;
	pid_t runner = getpid();

	assert_true(conf_rig.agent_count < sizeof(conf_rig.agents) / sizeof(conf_rig.agents[0]));
	assert_int_equal(pipe2(to_agent, O_CLOEXEC), 0);
	assert_int_equal(pipe2(to_runner, O_CLOEXEC), 0);
	agent = &conf_rig.agents[conf_rig.agent_count];
	agent->pid = fork();
	assert_true(agent->pid >= 0);
	if (agent->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != runner) {
			_exit(1);
		}
		close(to_agent[1]);
		close(to_runner[0]);
		_exit(conf_agent_main(to_agent[0], to_runner[1], conf_rig.socket_path));
	}
	close(to_agent[0]);
	close(to_runner[1]);
	agent->cmd_fd = to_agent[1];
	agent->reply_fd = to_runner[0];
	conf_rig.agent_count++;
	return agent;
}

static struct agent_reply call(struct conf_agent *agent, const struct agent_cmd *cmd)
{
	struct agent_reply reply;

	assert_true(agent->pid > 0);
	assert_int_equal(write(agent->cmd_fd, cmd, sizeof(*cmd)), sizeof(*cmd));
	assert_int_equal(read(agent->reply_fd, &reply, sizeof(reply)), sizeof(reply));
	errno = reply.err;
	return reply;
}

/** conf_agent_kill9() - kill -9 the client and reap it; the service sees the hang-up. */
void conf_agent_kill9(struct conf_agent *agent)
{
	int status;

	assert_int_equal(kill(agent->pid, SIGKILL), 0);
	assert_int_equal(waitpid(agent->pid, &status, 0), agent->pid);
	close(agent->cmd_fd);
	close(agent->reply_fd);
	agent->pid = 0;
}

/* Each returns the libsmmu call's result with errno set as the client saw it. */
int conf_agent_init(struct conf_agent *agent)
{
	return call(agent, &(struct agent_cmd){.op = AGENT_INIT}).result;
}

int conf_agent_listen(struct conf_agent *agent)
{
	return call(agent, &(struct agent_cmd){.op = AGENT_LISTEN}).result;
}

int conf_agent_obj_create(struct conf_agent *agent)
{
	return call(agent, &(struct agent_cmd){.op = AGENT_OBJ_CREATE}).result;
}

int conf_agent_obj_destroy(struct conf_agent *agent, int obj)
{
	return call(agent, &(struct agent_cmd){.op = AGENT_OBJ_DESTROY, .obj = obj}).result;
}

int conf_agent_device_add(struct conf_agent *agent, int obj, unsigned dev)
{
	struct agent_cmd cmd = {.op = AGENT_DEVICE_ADD, .obj = obj};

	cmd.devid = conf_rig.platform->devid[dev];
	return call(agent, &cmd).result;
}

int conf_agent_map(struct conf_agent *agent, int obj, unsigned flags, uint64_t addr, uint64_t len,
		   uint64_t target)
{
	struct agent_cmd cmd = {.op = AGENT_MAP,
				.obj = obj,
				.flags = flags,
				.addr = addr,
				.len = len,
				.target = target};

	return call(agent, &cmd).result;
}

bool conf_agent_wait_fault(struct conf_agent *agent, struct smmu_status *ret_status,
			   bool *ret_notified)
{
	struct agent_reply reply = call(agent, &(struct agent_cmd){.op = AGENT_WAIT_FAULT});

	assert_true(reply.result >= 0);
	if (reply.result == 0) {
		return false;
	}
	*ret_status = reply.status;
	*ret_notified = reply.notified;
	return true;
}

/** conf_agent_stop() - asks the client to exit (smmu_fini) and reaps it; kills a stuck one. */
void conf_agent_stop(struct conf_agent *agent)
{
	struct agent_cmd cmd = {.op = AGENT_EXIT};
	int status;

	if (agent->pid <= 0) {
		return;
	}
	if (write(agent->cmd_fd, &cmd, sizeof(cmd)) != (ssize_t)sizeof(cmd)) {
		kill(agent->pid, SIGKILL);
	}
	close(agent->cmd_fd);
	close(agent->reply_fd);
	/* Bounded: a client stuck in a call is killed rather than waited for. */
	for (int i = 0; i < 200; i++) {
		if (waitpid(agent->pid, &status, WNOHANG) == agent->pid) {
			agent->pid = 0;
			return;
		}
		usleep(10 * 1000);
	}
	kill(agent->pid, SIGKILL);
	waitpid(agent->pid, &status, 0);
	agent->pid = 0;
}
