# SPDX-License-Identifier: MIT
# WhisperChat — the two commands: `make run` and `make test`.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= 2
CMAKE_FLAGS ?=
SERVER_ARGS ?=

.PHONY: all deps configure build run test bench soak format clean

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

bench: build
	bash scripts/run-bench.sh "$(BUILD_DIR)"

# The long soak (not part of `make test`): SOAK_SECONDS (default 600) of
# SOAK_CLIENTS (default 2000) churning clients; docs/TESTING.md.
soak: build
	"$(BUILD_DIR)/bin/whisperchat-soak" --server "$(BUILD_DIR)/bin/whisperchat-server"

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf "$(BUILD_DIR)"
