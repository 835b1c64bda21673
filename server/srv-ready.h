/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Start-up as Linux expects.  "Ready" means every configured device is
 * protected and the socket accepts clients; only then:
 *  - under systemd (NOTIFY_SOCKET set), READY=1 is sent (Type=notify);
 *  - without -f, the daemonising parent exits 0, so that a boot script
 *    that runs `smmuman` and then a DMA driver has the ordering it needs.
 *    If the service fails before that, the parent exits 1 (the child has
 *    already said why on stderr).
 */
#ifndef SMMU_SERVER_SRV_READY_H
#define SMMU_SERVER_SRV_READY_H

/* Forks.  The parent waits for the child's word and exits; the child gets
 * 0 and *ret_ready_fd to pass to srv_daemon_ready() later.  -errno when
 * fork or pipe fail (nothing forked then). */
int srv_daemon_start(int *ret_ready_fd);
/* The child is ready: the parent may exit 0.  Detaches from the
 * terminal (stdin, stdout and stderr become /dev/null). */
void srv_daemon_ready(int ready_fd);

/* Sends `state` (e.g. "READY=1") to systemd when NOTIFY_SOCKET is set.
 * 0 when sent or not under systemd, -errno on failure. */
int srv_sd_notify(const char *state);

#endif
