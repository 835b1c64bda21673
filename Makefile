# SPDX-License-Identifier: Apache-2.0
#
# The README's commands.  Every target first installs missing Debian packages
# (scripts/install-deps.sh), so a fresh clone needs nothing done by hand.

BUILD      ?= build
ASAN_BUILD ?= build-asan
# The virtual board `make run` starts: q35 (Intel VT-d) or virt (Arm SMMUv3).
BOARD      ?= q35

.PHONY: all deps build run check bench install clean

all: build

deps:
	@sh scripts/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD)
	@meson compile -C $(BUILD)

# Starts the service on a virtual board (BOARD=q35 by default, or virt).
run: build
	@sh scripts/run.sh $(BUILD) $(BOARD)

# Every test suite, in the normal build and under ASan+UBSan, plus bounded fuzzing.
check: deps
	@sh scripts/check.sh $(BUILD) $(ASAN_BUILD)

bench: build
	@meson test -C $(BUILD) --benchmark --verbose --num-processes 1

install: build
	@meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
