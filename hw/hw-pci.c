/* SPDX-License-Identifier: Apache-2.0 */
/*
 * PCI addressing helpers (see hw-pci.h) and the text form of a PCI function.
 */
#include "hw/hw-pci.h"

#include <errno.h>
#include <string.h>

#include "common/bitfield.h"

/* CONFIG_ADDRESS fields (PCI Local Bus 3.0 §3.2.2.3.2, Figure 3-2). */
#define PCI_CF8_ENABLE BIT(31)
#define PCI_CF8_BUS GENMASK(23, 16)
#define PCI_CF8_DEVICE GENMASK(15, 11)
#define PCI_CF8_FUNCTION GENMASK(10, 8)
#define PCI_CF8_REGISTER GENMASK(7, 2)

/* ECAM address bits (PCIe 6.0 §7.2.2, Table 7-1). */
#define PCI_ECAM_BUS GENMASK(27, 20)
#define PCI_ECAM_DEVICE GENMASK(19, 15)
#define PCI_ECAM_FUNCTION GENMASK(14, 12)
#define PCI_ECAM_REGISTER GENMASK(11, 0)

/**
 * hw_pci_cf8_address() - the CONFIG_ADDRESS value selecting the dword that holds `offset`
 * (below 256).  The byte within the dword is chosen by accessing CONFIG_DATA + (offset & 3).
 */
uint32_t hw_pci_cf8_address(struct hw_pci_bdf bdf, unsigned offset)
{
	return (uint32_t)(PCI_CF8_ENABLE | FIELD_PREP(PCI_CF8_BUS, bdf.bus) |
			  FIELD_PREP(PCI_CF8_DEVICE, bdf.device) |
			  FIELD_PREP(PCI_CF8_FUNCTION, bdf.function) |
			  FIELD_PREP(PCI_CF8_REGISTER, offset >> 2));
}

/** hw_pci_ecam_offset() - where `offset` (below 4096) of a function lies in its ECAM region. */
uint64_t hw_pci_ecam_offset(struct hw_pci_bdf bdf, unsigned offset)
{
	return FIELD_PREP(PCI_ECAM_BUS, bdf.bus) | FIELD_PREP(PCI_ECAM_DEVICE, bdf.device) |
	       FIELD_PREP(PCI_ECAM_FUNCTION, bdf.function) | FIELD_PREP(PCI_ECAM_REGISTER, offset);
}

/* Reads 1..max_digits hex digits, stopping at the first non-digit. */
static const char *parse_hex(const char *p, unsigned max_digits, unsigned *ret_value)
{
	unsigned value = 0;
	unsigned digits = 0;

	for (; digits < max_digits; p++, digits++) {
		unsigned d;

		if (*p >= '0' && *p <= '9') {
			d = (unsigned)(*p - '0');
		} else if (*p >= 'a' && *p <= 'f') {
			d = (unsigned)(*p - 'a' + 10);
		} else if (*p >= 'A' && *p <= 'F') {
			d = (unsigned)(*p - 'A' + 10);
		} else {
			break;
		}
		value = value * 16 + d;
	}
	if (digits == 0) {
		return NULL;
	}
	*ret_value = value;
	return p;
}

/**
 * hw_pci_bdf_parse() - a PCI function written as lspci does, in hexadecimal:
 * "BB:DD.F" or "SSSS:BB:DD.F" (00:01.0, 0000:00:1f.2).
 * Return: 0, or -EINVAL for anything else (device above 0x1f, function above 7, extra text).
 */
int hw_pci_bdf_parse(const char *text, struct hw_pci_bdf *ret_bdf)
{
	unsigned first, second, device, function;
	struct hw_pci_bdf bdf = {0};
	const char *p = parse_hex(text, 4, &first);

	if (!p || *p != ':') {
		return -EINVAL;
	}
	p = parse_hex(p + 1, 2, &second);
	if (!p) {
		return -EINVAL;
	}
	if (*p == ':') {
		bdf.segment = (uint16_t)first;
		bdf.bus = (uint8_t)second;
		p = parse_hex(p + 1, 2, &device);
		if (!p || second > 0xff) {
			return -EINVAL;
		}
	} else {
		if (first > 0xff) {
			return -EINVAL;
		}
		bdf.bus = (uint8_t)first;
		device = second;
	}
	if (*p != '.' || device > 0x1f) {
		return -EINVAL;
	}
	p = parse_hex(p + 1, 1, &function);
	if (!p || *p != '\0' || function > 7) {
		return -EINVAL;
	}
	bdf.device = (uint8_t)device;
	bdf.function = (uint8_t)function;
	*ret_bdf = bdf;
	return 0;
}
