/* SPDX-License-Identifier: Apache-2.0 */
#include "config/cfg-device-id.h"

#include <errno.h>
#include <stdint.h>

int cfg_device_id_parse(const char *text, struct cfg_device_id *ret, struct cfg_diags *diags)
{
	/* One `device` option with nothing else: the parser's own spellings,
	 * limits and messages, with no second implementation to drift. */
	char *words[] = {"device", (char *)text};
	struct cfg_parse_options options = {0};
	struct cfg_config cfg = {0};
	int r = cfg_parse_args(&cfg, 2, words, &options, diags);

	if (r == 0 && cfg.device_count == 1) {
		*ret = cfg.devices[0].id;
	} else if (r == 0) {
		r = -EINVAL;
	}
	cfg_config_fini(&cfg);
	return r;
}

int cfg_device_id_to_devid(const struct cfg_device_id *id, union smmu_devid *ret,
			   const char **ret_why)
{
	if (id->kind == CFG_DEVICE_MEM) {
		if (id->mem.size > UINT32_MAX) {
			*ret_why = "a device register window of 4 GiB or more (the client API "
				   "holds its length in 32 bits)";
			return -EINVAL;
		}
		*ret = (union smmu_devid){
			.mmio = {SDT_MMIO, (unsigned)id->mem.size, id->mem.paddr}};
		return 0;
	}
	if (id->pci.segment != 0) {
		*ret_why = "a PCI segment other than 0 (the client API cannot name it)";
		return -EOPNOTSUPP;
	}
	*ret = (union smmu_devid){.pci = {SDT_PCI, id->pci.bus, id->pci.dev, id->pci.func}};
	return 0;
}
