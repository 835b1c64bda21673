/* SPDX-License-Identifier: Apache-2.0 */
#include "common/quote.h"

#include <string.h>

void smmu_quote(const char *text, size_t len, char *buf, size_t size)
{
	size_t n = len < SMMU_QUOTE_MAX ? len : SMMU_QUOTE_MAX;
	size_t out = 0;

	if (size == 0) {
		return;
	}
	for (size_t i = 0; i < n && out + 1 < size; i++) {
		unsigned char c = (unsigned char)text[i];

		buf[out++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (n < len && out + 4 <= size) {
		memcpy(&buf[out], "...", 3);
		out += 3;
	}
	buf[out] = '\0';
}
