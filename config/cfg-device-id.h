/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device ids outside a configuration file: one spec parsed exactly as a
 * `device` line parses it (smmuctl takes the same spellings), and the
 * conversion to the client API's union smmu_devid that the core and the
 * tools share.
 */
#ifndef SMMU_CONFIG_CFG_DEVICE_ID_H
#define SMMU_CONFIG_CFG_DEVICE_ID_H

#include <smmu.h>

#include "config/config.h"

/* Parses `text` ("pci:0:18.0", "mem:0x1f000000,4K").  Returns 0, or
 * -EINVAL with the error in *diags (named "<command line>"), or -ENOMEM. */
int cfg_device_id_parse(const char *text, struct cfg_device_id *ret, struct cfg_diags *diags);

/* The QNX device id for a configuration's.  Returns 0, or -EOPNOTSUPP (a
 * PCI segment other than 0: union smmu_devid has no segment) or -EINVAL
 * (a register window of 4 GiB or more: the length field has 32 bits), with
 * a sentence in *ret_why. */
int cfg_device_id_to_devid(const struct cfg_device_id *id, union smmu_devid *ret,
			   const char **ret_why);

#endif
