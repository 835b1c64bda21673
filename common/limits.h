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

#endif
