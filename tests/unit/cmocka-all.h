/* SPDX-License-Identifier: Apache-2.0 */
/* cmocka.h needs these headers first; tests include this one instead. */
#ifndef SMMU_TESTS_CMOCKA_ALL_H
#define SMMU_TESTS_CMOCKA_ALL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#endif
