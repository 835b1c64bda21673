/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A backend for core tests: domains are mapping sets, translate() walks
 * them as hardware would, and any call can be made to fail.  Units control
 * PCI devices on buses below 16 and MMIO devices at non-zero addresses.
 */
#ifndef SMMU_TESTS_FAKE_BACKEND_H
#define SMMU_TESTS_FAKE_BACKEND_H

#include "core/backend.h"

#ifndef FAKE_SYMBOL
extern const struct smmu_backend fake_backend;
#else
extern const struct smmu_backend FAKE_SYMBOL;
#endif

/* Forgets everything (between tests). */
void fake_reset(void);
/* The next `skip` calls of any operation succeed, the one after fails with
 * `err` (once).  A negative skip disables. */
void fake_fail_after(int skip, int err);
/* Queues a fault for the next fault_drain() of the first unit. */
void fake_queue_fault(uint64_t key, uint64_t address, unsigned access);
/* How many domains and devices exist now (leak checks). */
unsigned fake_domain_count(void);
unsigned fake_enabled_units(void);
/* The fault key the fake gives a PCI function. */
uint64_t fake_pci_key(unsigned bus, unsigned dev, unsigned func);

#endif
