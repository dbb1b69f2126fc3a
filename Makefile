# SPDX-License-Identifier: MIT
# WhisperChat — the two commands: `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= 2
CMAKE_FLAGS ?=
SERVER_ARGS ?=
PACKAGE_DIR ?= $(BUILD_DIR)/packages

.PHONY: all deps configure build run test test-asan test-tsan fuzz bench bench-cluster package soak format clean

all: build

deps:
	@bash scripts/install-deps.sh all

configure:
	@bash scripts/install-deps.sh run build test
	@bash scripts/configure.sh "$(BUILD_DIR)" "$(BUILD_TYPE)" $(CMAKE_FLAGS)

build: configure
	cmake --build "$(BUILD_DIR)" -j$(JOBS)

# Only what running needs: the server, and the console client for the
# README's tour. No tests, benchmarks, GUI programs or test services.
run:
	@bash scripts/install-deps.sh run
	@WHISPER_CONFIGURE_FOR=run bash scripts/configure.sh "$(BUILD_DIR)" "$(BUILD_TYPE)" $(CMAKE_FLAGS)
	cmake --build "$(BUILD_DIR)" -j$(JOBS) --target whisperchat-server whisperchat-cli
	"$(BUILD_DIR)/bin/whisperchat-server" $(SERVER_ARGS)

test: build
	bash scripts/run-tests.sh "$(BUILD_DIR)"

# Sanitizer and fuzz runs, each in a build directory of its own
# (docs/TESTING.md). test-asan runs every suite under ASan + UBSan; `make
# test` runs all but the packaging and script suites under it, and a 60 s
# fuzz smoke run. test-tsan runs the unit suites labelled `threads`.
FUZZ_SECONDS ?= 300
test-asan: deps
	bash scripts/run-sanitizers.sh asan

test-tsan: deps
	bash scripts/run-sanitizers.sh tsan

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/run-fuzz.sh

bench:
	@bash scripts/install-deps.sh run build test bench
	@bash scripts/configure.sh "$(BUILD_DIR)" "$(BUILD_TYPE)" $(CMAKE_FLAGS)
	cmake --build "$(BUILD_DIR)" -j$(JOBS)
	bash scripts/run-bench.sh "$(BUILD_DIR)"

# The cluster benchmark alone (`make bench` runs it with the others).
bench-cluster:
	@bash scripts/install-deps.sh run build test bench
	@bash scripts/configure.sh "$(BUILD_DIR)" "$(BUILD_TYPE)" $(CMAKE_FLAGS)
	cmake --build "$(BUILD_DIR)" -j$(JOBS) --target whisperchat-server whisperchat-loadgen
	bash bench/cluster/run.sh "$(BUILD_DIR)"

# The Debian packages, in $(PACKAGE_DIR): builds only the packaged programs
# and manual pages, then CPack packs them.
package:
	@bash scripts/install-deps.sh package
	@WHISPER_CONFIGURE_FOR=package bash scripts/configure.sh "$(BUILD_DIR)" "$(BUILD_TYPE)" $(CMAKE_FLAGS)
	cmake --build "$(BUILD_DIR)" -j$(JOBS) --target packaged-files
	cd "$(BUILD_DIR)" && cpack --config CPackConfig.cmake -G DEB -B "$(abspath $(PACKAGE_DIR))"
	@rm -rf "$(PACKAGE_DIR)/_CPack_Packages"
	@ls "$(PACKAGE_DIR)"/*.deb

# The long soak (not part of `make test`): SOAK_SECONDS (default 600) of
# SOAK_CLIENTS (default 2000) churning clients; docs/TESTING.md. Builds only
# the server and the soak driver.
soak: configure
	cmake --build "$(BUILD_DIR)" -j$(JOBS) --target whisperchat-server whisperchat-soak
	"$(BUILD_DIR)/bin/whisperchat-soak" --server "$(BUILD_DIR)/bin/whisperchat-server"

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf "$(BUILD_DIR)" build-asan build-tsan
