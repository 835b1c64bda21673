/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An observer's connection to the service (smmuctl, the service tests):
 * HELLO with PROTO_HELLO_OBSERVER, then status reports and probes.  Not
 * part of libsmmu: QNX's API has no such calls, and an observer needs no
 * ability to connect.
 */
#ifndef SMMU_TOOLS_CTL_CLIENT_H
#define SMMU_TOOLS_CTL_CLIENT_H

#include <smmu.h>
#include <stdbool.h>
#include <stdint.h>

struct strbuf;

struct ctl_client {
	int fd;
	uint32_t seq;
};

/* Connects to the service at `path`.  0 or -errno. */
int ctl_connect(struct ctl_client *client, const char *path);
void ctl_close(struct ctl_client *client);

/* The service's status report (text or JSON), appended to *out. */
int ctl_status(struct ctl_client *client, bool json, struct strbuf *out);

/* Would `devid`'s access (enum smmu_access) at `iova` be allowed?  0 with
 * *ret_refusal (enum smmu_refusal) and, when allowed, *ret_pa; or -errno
 * (-EPERM without the attach ability, -ENOENT for a device no unit
 * controls). */
int ctl_probe(struct ctl_client *client, const union smmu_devid *devid, uint64_t iova,
	      unsigned access, uint64_t *ret_pa, unsigned *ret_refusal);

#endif
