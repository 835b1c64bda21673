/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Device names of the soft IOMMU: the specs a `unit` line lists, in the configuration's own
 * spellings (`pci:[SEG:]BUS:DEV.FUNC`, `mem:PADDR`), and the devids the core binds, both
 * turned into the fault key (soft.h) so that matching a devid against a unit's list is one
 * comparison.  The configuration layer sits above the backends, so its number parser is not
 * used; the rules are the same (config/cfg-number.h): addresses hexadecimal by default with
 * K/M/G multipliers, other numbers decimal, `0x` and `0d` prefixes override.
 */
#include "backends/soft/soft.h"

#include <errno.h>
#include <string.h>

#include "config/cfg-number.h"

#define SOFT_PCI_SEGMENT_MAX 0xffffu
#define SOFT_PCI_BUS_MAX 255u
#define SOFT_PCI_DEV_MAX 31u
#define SOFT_PCI_FUNC_MAX 7u

/* A number in the configuration's own spellings (decimal PCI fields,
 * hexadecimal addresses with K/M/G, 0x/0d prefixes): config/cfg-number.h. */
static int parse_number(const char *text, size_t len, unsigned base, bool multipliers,
			uint64_t *ret_value)
{
	struct cfg_number_error error;
	enum cfg_number_kind kind = base == 16	  ? CFG_NUMBER_ADDRESS
				    : multipliers ? CFG_NUMBER_SIZE
						  : CFG_NUMBER_DECIMAL;

	return cfg_number_parse(text, len, kind, ret_value, &error);
}

static uint64_t pci_key(unsigned segment, unsigned bus, unsigned dev, unsigned func)
{
	return FIELD_PREP(SOFT_KEY_PCI_SEGMENT, segment) | FIELD_PREP(SOFT_KEY_PCI_BUS, bus) |
	       FIELD_PREP(SOFT_KEY_PCI_DEV, dev) | FIELD_PREP(SOFT_KEY_PCI_FUNC, func);
}

/* `[SEG:]BUS:DEV.FUNC` (the text after "pci:"), into a key.  *ret_why on -EINVAL. */
static int parse_pci(const char *text, size_t len, uint64_t *ret_key, const char **ret_why)
{
	static const char *const range_why[] = {
		"the PCI segment must be a number up to 65535",
		"the PCI bus must be a number up to 255",
		"the PCI device must be a number up to 31",
		"the PCI function must be a number up to 7",
	};
	static const uint64_t limits[] = {SOFT_PCI_SEGMENT_MAX, SOFT_PCI_BUS_MAX, SOFT_PCI_DEV_MAX,
					  SOFT_PCI_FUNC_MAX};
	const char *field[4];
	size_t field_len[4];
	uint64_t value[4] = {0};
	size_t colons = 0;
	const char *dot;
	size_t first;

	for (size_t i = 0; i < len; i++) {
		colons += text[i] == ':';
	}
	if (colons < 1 || colons > 2) {
		*ret_why = "a PCI device is pci:[SEG:]BUS:DEV.FUNC";
		return -EINVAL;
	}
	/* With a segment the fields are SEG, BUS, DEV, FUNC; without, BUS, DEV, FUNC. */
	first = colons == 2 ? 0 : 1;
	for (size_t f = first; f < 2; f++) {
		const char *colon = memchr(text, ':', len);

		field[f] = text;
		field_len[f] = (size_t)(colon - text);
		len -= field_len[f] + 1;
		text = colon + 1;
	}
	dot = memchr(text, '.', len);
	if (!dot) {
		*ret_why = "expected DEV.FUNC after the bus";
		return -EINVAL;
	}
	field[2] = text;
	field_len[2] = (size_t)(dot - text);
	field[3] = dot + 1;
	field_len[3] = len - field_len[2] - 1;
	for (size_t f = first; f < 4; f++) {
		int r = parse_number(field[f], field_len[f], 10, false, &value[f]);

		if (r < 0 || value[f] > limits[f]) {
			*ret_why = range_why[f];
			return -EINVAL;
		}
	}
	if (value[0] != 0) {
		return -EOPNOTSUPP;
	}
	*ret_key = pci_key((unsigned)value[0], (unsigned)value[1], (unsigned)value[2],
			   (unsigned)value[3]);
	return 0;
}

/**
 * soft_devspec_parse() - one device of a `unit` line, `len` bytes at `text`, as its fault key.
 * Return: 0; -EINVAL for a spec that is not one, -EOPNOTSUPP for a PCI segment other than 0
 * (union smmu_devid cannot name one); on either *ret_why is a phrase for the log line.
 */
int soft_devspec_parse(const char *text, size_t len, uint64_t *ret_key, const char **ret_why)
{
	uint64_t value;
	int r;

	if (len > 4 && memcmp(text, "pci:", 4) == 0) {
		r = parse_pci(text + 4, len - 4, ret_key, ret_why);
		if (r == -EOPNOTSUPP) {
			*ret_why =
				"PCI segments other than 0 are not supported (QNX device ids have "
				"no segment)";
		}
		return r;
	}
	if (len > 4 && memcmp(text, "mem:", 4) == 0) {
		r = parse_number(text + 4, len - 4, 16, true, &value);
		if (r < 0) {
			*ret_why = "a memory device is mem:PADDR, its register base (no length)";
			return -EINVAL;
		}
		if (value & ~SOFT_KEY_MMIO_ADDR) {
			*ret_why = "a register base needs at most 63 bits";
			return -EINVAL;
		}
		*ret_key = SOFT_KEY_MMIO | value;
		return 0;
	}
	*ret_why = "use pci:[SEG:]BUS:DEV.FUNC or mem:PADDR, separated by commas, or none";
	return -EINVAL;
}

/**
 * soft_devid_key() - the fault key of a device the core binds.
 * Return: 0; -ENOENT for a wildcard (QNX's SMMU_PCI_FIELD_ANY names a set of devices, which
 * no single device binding stands for); -EINVAL for a malformed devid (unknown type, a field
 * beyond what PCI has, a base with bit 63 set).
 */
int soft_devid_key(const union smmu_devid *devid, uint64_t *ret_key)
{
	if (devid->type == SDT_PCI) {
		const struct smmu_devid_pci *pci = &devid->pci;

		if (pci->bus == SMMU_PCI_FIELD_ANY || pci->dev == SMMU_PCI_FIELD_ANY ||
		    pci->func == SMMU_PCI_FIELD_ANY) {
			return -ENOENT;
		}
		if (pci->bus > SOFT_PCI_BUS_MAX || pci->dev > SOFT_PCI_DEV_MAX ||
		    pci->func > SOFT_PCI_FUNC_MAX) {
			return -EINVAL;
		}
		*ret_key = pci_key(0, pci->bus, pci->dev, pci->func);
		return 0;
	}
	if (devid->type == SDT_MMIO) {
		if (devid->mmio.phys & ~SOFT_KEY_MMIO_ADDR) {
			return -EINVAL;
		}
		*ret_key = SOFT_KEY_MMIO | devid->mmio.phys;
		return 0;
	}
	return -EINVAL;
}
