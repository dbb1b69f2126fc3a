# SPDX-License-Identifier: MIT
# WhisperChat — the two commands: `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= 2
CMAKE_FLAGS ?=
SERVER_ARGS ?=

.PHONY: all deps configure build run test test-asan test-tsan fuzz bench format clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@bash scripts/configure.sh "$(BUILD_DIR)" "$(BUILD_TYPE)" $(CMAKE_FLAGS)

build: configure
	cmake --build "$(BUILD_DIR)" -j$(JOBS)

run: build
	"$(BUILD_DIR)/bin/whisperchat-server" $(SERVER_ARGS)

test: build
	bash scripts/run-tests.sh "$(BUILD_DIR)"

# Sanitizer and fuzz runs, each in a build directory of its own
# (docs/TESTING.md). `make test` runs test-asan and a 60 s fuzz smoke run.
FUZZ_SECONDS ?= 300
test-asan: deps
	bash scripts/run-sanitizers.sh asan

test-tsan: deps
	bash scripts/run-sanitizers.sh tsan

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/run-fuzz.sh

bench: build
	bash scripts/run-bench.sh "$(BUILD_DIR)"

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf "$(BUILD_DIR)" build-asan build-tsan
