/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The provider spec string (syntax in hw.h) as plain data.  Parsing is a pure function of
 * the text: it opens nothing, so the grammar is tested without any machine.
 *
 * Owner: the caller; hw_spec_fini() frees the strings.
 */
#ifndef SMMU_HW_HW_SPEC_H
#define SMMU_HW_HW_SPEC_H

#include <stdbool.h>
#include <stdint.h>

struct strbuf;

/* A spec longer than this is not a spec (paths are bounded by PATH_MAX anyway). */
#define HW_SPEC_MAX_LEN 4096

enum hw_provider {
	HW_PROVIDER_QTEST = 1,
	HW_PROVIDER_DEVMEM,
};

struct hw_spec {
	enum hw_provider provider;
	char *socket_path; /* qtest: required */
	char *mem_path;	   /* qtest: guest RAM file or NULL; devmem: default "/dev/mem" */
	char *sysfs_path;  /* devmem: default "/sys/bus/pci/devices" */
	uint64_t ram_base; /* qtest */
	bool has_ram_size;
	uint64_t ram_size;
	bool has_ecam;
	uint64_t ecam_base;
	bool has_tables;
	uint64_t tables_pa;
	uint64_t tables_size;
};

int hw_spec_parse(const char *text, struct hw_spec *ret_spec, struct strbuf *why);
void hw_spec_fini(struct hw_spec *spec);
int hw_parse_u64(const char *text, uint64_t *ret_value);

#endif
