/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every bound on what a configuration file, a client, a guest or a firmware
 * table can make the service allocate, with the reason for each (STYLE.md 7).
 * Reaching one is an error reply or a configuration error, never a crash.
 */
#ifndef SMMU_COMMON_LIMITS_H
#define SMMU_COMMON_LIMITS_H

/* Include nesting: deep enough for any layered board/product/site split, and
 * the issue that founded the language fixes it at 16. */
#define SMMU_CFG_MAX_INCLUDE_DEPTH 16

/* A configuration file larger than this is a mistake (a binary, a log file
 * named by accident); real ones are a few KiB. */
#define SMMU_CFG_MAX_FILE_SIZE (4u << 20)

/* One logical line, after substitutions.  Options are short; this bounds the
 * cost of a pathological line and of the caret line in a diagnostic. */
#define SMMU_CFG_MAX_LINE_LEN 8192

/* Counts of configured things.  64 Ki devices covers a full PCI segment
 * (65536 BDFs); the same bound for allow ranges, units and reserved regions
 * keeps a hostile file from exhausting memory. */
#define SMMU_CFG_MAX_ITEMS 65536

/* After this many errors the parser stops: later ones are usually echoes of
 * the first few, and a binary file would otherwise print megabytes. */
#define SMMU_CFG_MAX_ERRORS 20

/* asinfo sources (syspage file, device tree, /proc/iomem): entries kept.
 * /proc/iomem on a large server has a few thousand lines. */
#define SMMU_ASINFO_MAX_ENTRIES 65536
#define SMMU_ASINFO_MAX_NAME 255

/* An ACPI table the firmware layer will decode.  The DMAR of a 4-socket
 * server is a few hundred bytes and an IORT a few KiB; 1 MiB bounds what a
 * corrupt length field or a wrong --dmar file can make us walk. */
#define SMMU_FW_ACPI_MAX_TABLE_SIZE (1u << 20)

/* Remapping structures of one DMAR, all types together (unknown ones too).
 * A large server has one DRHD per root-complex stack plus a few RMRR, ATSR
 * and RHSA entries, well under 100; 4096 bounds the decoded arrays. */
#define SMMU_FW_DMAR_MAX_STRUCTURES 4096

/* DRHD units of one DMAR.  8 sockets with up to 12 IIO stacks each is under
 * 100 remapping units; 256 leaves room and bounds per-unit state in the
 * VT-d backend. */
#define SMMU_FW_DMAR_MAX_UNITS 256

/* Device scopes of one DMAR, over all structures.  Servers list every root
 * port, IOAPIC and HPET (the largest fixture has under 30); 16384 is far
 * beyond any real table and bounds the scope array to about 1 MiB. */
#define SMMU_FW_DMAR_MAX_SCOPES 16384

/* (device, function) pairs in one device-scope path, i.e. bridges walked
 * from the start bus plus the device itself.  Real tables use 1 or 2 (root
 * port, then the device behind it); a PCIe hierarchy 16 bridges deep does not
 * exist in practice, and the bound keeps each decoded scope fixed-size. */
#define SMMU_FW_DMAR_MAX_PATH 16

/* An ACPI namespace object name in an ANDD structure, e.g. "\_SB.PCI0.I2C0".
 * Names are 4-character segments; 128 bytes is 25 levels, deeper than any
 * namespace firmware builds. */
#define SMMU_FW_ACPI_MAX_NAME 128

/* Nodes of one IORT, all types together (unknown ones too).  The largest
 * fixture, a Snapdragon laptop, has 30; a big server has an SMMU and a root
 * complex per socket and a few hundred named components at most.  4096
 * bounds the decoded node array. */
#define SMMU_FW_IORT_MAX_NODES 4096

/* ID mappings of one IORT, over all nodes.  A GPU named component on the
 * ThinkPad X13s lists 66; 65536 allows one per requester ID of a whole PCI
 * segment and bounds the mapping array to about 2 MiB. */
#define SMMU_FW_IORT_MAX_MAPPINGS 65536

/* GIC ITS identifiers over all ITS groups, and RMR memory range
 * descriptors over all RMR nodes: a handful on real machines. */
#define SMMU_FW_IORT_MAX_ITS_IDS 4096
#define SMMU_FW_IORT_MAX_RMR_RANGES 4096

/* Output references followed when an ID is mapped to its SMMU: the
 * specification's chains are one step (root complex or named component to
 * SMMU) or two (on to an ITS group); Linux stops at 16. */
#define SMMU_FW_IORT_MAX_MAP_DEPTH 8

/* A flattened device tree.  arm64 Linux boots only with a tree of at most
 * 2 MiB (MAX_FDT_SIZE); QEMU's virt board writes 1 MiB with padding. */
#define SMMU_FW_FDT_MAX_SIZE (2u << 20)

/* Node nesting in a device tree.  Linux unflattens at most 64 levels
 * (drivers/of/fdt.c FDT_MAX_DEPTH); real trees use fewer than 10. */
#define SMMU_FW_FDT_MAX_DEPTH 64

/* A node path kept by the device-tree decoder, NUL included.  Real paths
 * are under 100 bytes ("/soc@0/bus@30800000/iommu@30bb0000"). */
#define SMMU_FW_FDT_MAX_PATH 256

/* SMMUv3 nodes of one tree: the same bound as VT-d units per DMAR. */
#define SMMU_FW_FDT_MAX_SMMUS 256

/* Nodes the device-tree decoder keeps (PCI host bridges and devices with
 * `iommus`), and their (SMMU, StreamID) pairs and iommu-map entries.  An SoC
 * has tens of DMA masters; 16384 nodes bound the kept paths to 4 MiB. */
#define SMMU_FW_FDT_MAX_NODES 16384
#define SMMU_FW_FDT_MAX_STREAMS 65536

#endif
