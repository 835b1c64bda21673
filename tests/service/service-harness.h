/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service suite's harness: a real smmuman process on the soft IOMMU,
 * in a scratch directory, and client processes forked from the test.
 *
 * libsmmu's state is per process, and a forked child starts with none (it
 * must call smmu_init itself), so each client of a test is a child; the
 * test process itself only observes (smmuctl's connection).
 */
#ifndef SMMU_TESTS_SERVICE_HARNESS_H
#define SMMU_TESTS_SERVICE_HARNESS_H

#include <smmu.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/backend.h"

/* The uid a client drops to when the test runs as root, to test what a
 * user without abilities meets. */
#define HARNESS_UNPRIVILEGED_UID 65534

/* Starts smmuman -f on the soft IOMMU with `config` (.smmu words, one
 * string, split on spaces) and waits for READY=1.  When the test does not
 * run as root, `permit attach:target uid:OURS` is added so that its
 * clients hold the abilities root would. */
void harness_start(const char *config);
/* The same without the permit for a non-root test's own uid. */
void harness_start_unpermitted(const char *config);
/* SIGTERM, and checks the service exits 0 with no socket left behind. */
void harness_stop(void);
pid_t harness_service_pid(void);

/* The probe smmuctl makes: enum smmu_refusal of `access` at `iova`. */
unsigned harness_probe(unsigned bus, unsigned dev, uint64_t iova, unsigned access);
/* Waits (bounded) until the probe gives `refusal`; returns whether it did. */
bool harness_wait_probe(unsigned bus, unsigned dev, uint64_t iova, unsigned access,
			unsigned refusal);
/* smmuctl status --json as text (static buffer). */
const char *harness_status_json(void);

/* A client: a child running `body(arg)`; its return value is the child's
 * exit status.  harness_client_wait() returns that status (-1 when the
 * child died of a signal). */
pid_t harness_client_start(int (*body)(void *arg), void *arg);
int harness_client_wait(pid_t pid);
int harness_client_run(int (*body)(void *arg), void *arg);

/* Lets a child and the test take turns: the child blocks in
 * harness_step_wait() until the test calls harness_step_go(), and the test
 * blocks in harness_step_done() until the child calls harness_step_signal().
 * One pair of pipes per test, set up by harness_start(). */
void harness_step_signal(void);
void harness_step_done(void);
void harness_step_go(void);
void harness_step_wait(void);

/* Drops to HARNESS_UNPRIVILEGED_UID when running as root (a no-op
 * otherwise: the test already runs as a user).  Returns 0 or -errno. */
int harness_drop_privileges(void);
/* The uid clients run as after harness_drop_privileges(). */
uid_t harness_client_uid(void);

#endif
