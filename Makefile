# trimlab: one C scenario engine, measured natively (gcc) and as WebAssembly (emcc).
# `make test` and `make demo` install what is missing first (Debian packages, npm ci).

CC := gcc
CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE
BUILD := build

CORE_SRC := src/tl_error.c src/bucket_model.c src/params.c src/platform.c src/touch.c \
	src/block.c src/chunks.c src/robin_set.c src/u64_vec.c src/engine.c src/scenarios.c \
	src/scenario_simple.c src/scenario_vector.c src/scenario_cycles.c src/scenario_buckets.c \
	src/scenario_fragmented.c src/scenario_highwater.c
CLI_SRC := src/cli_options.c src/results_json.c src/report_table.c src/runner.c
CORE_OBJ := $(CORE_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_TEST_SRC := $(wildcard tests/c/*.c)

APT_PACKAGES := gcc libc6-dev make libcmocka-dev clang-format emscripten chromium
NPM_STAMP := node_modules/.package-lock.json

.PHONY: all native results test test-c test-node test-browser format-check deps bench clean wasm \
	wasm-results site demo compare

all: native wasm site

native: $(BUILD)/trimlab

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/trimlab: $(CORE_OBJ) $(CLI_OBJ) $(BUILD)/obj/main.o
	$(CC) $(CFLAGS) $^ -o $@

$(BUILD)/unit-tests: $(UNIT_TEST_SRC) $(CORE_OBJ) $(CLI_OBJ) $(wildcard tests/c/*.h)
	$(CC) $(CFLAGS) -Isrc $(UNIT_TEST_SRC) $(CORE_OBJ) $(CLI_OBJ) -lcmocka -o $@

$(BUILD)/probe-bench: tests/bench/probe_bench.c $(CORE_OBJ)
	$(CC) $(CFLAGS) -Isrc $^ -o $@

# Benchmarks report figures; no test asserts a time.
bench: $(BUILD)/trimlab $(BUILD)/probe-bench wasm
	node tools/bench.mjs

# The WebAssembly modules (dlmalloc and emmalloc), rebuilt when a source they use changed.
WASM_OUT := web/trimlab.js web/trimlab.wasm web/trimlab-emmalloc.js web/trimlab-emmalloc.wasm

wasm: $(WASM_OUT)

$(WASM_OUT) &: build_wasm.sh Makefile $(CORE_SRC) src/cli_options.c src/report_table.c \
		src/results_json.c src/wasm_api.c $(wildcard src/*.h)
	./build_wasm.sh

# Native vs WebAssembly, every scenario, one table (README).
compare: $(BUILD)/trimlab wasm
	node tools/compare.mjs

# Default WebAssembly results (dlmalloc) for the page, through the Node runner.
wasm-results: wasm
	@mkdir -p web/data
	node tools/run-wasm.mjs --all --trim both --quiet --json web/data/wasm-results.json
	@echo "wrote web/data/wasm-results.json"

# The served tree (web/): the modules, Chart.js from npm (pinned in package-lock.json) and the
# native results; nothing is loaded from another origin.
site: wasm web/vendor/chart.umd.min.js

web/vendor/chart.umd.min.js: $(NPM_STAMP)
	@mkdir -p web/vendor
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md web/vendor/

$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund

PORT ?= 8080

# The README's first command: set up, build, measure natively, serve the page on 127.0.0.1.
demo: deps
	$(MAKE) --no-print-directory all results
	node tools/serve.mjs --port $(PORT)

# Default native results for the page: every scenario, trim on and trim off.
results: $(BUILD)/trimlab
	@mkdir -p web/data
	$(BUILD)/trimlab --all --trim both --quiet --json web/data/native-results.json
	@echo "wrote web/data/native-results.json"

# Installs only what is missing: Debian packages through apt-get, npm packages through npm ci.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@$(MAKE) --no-print-directory $(NPM_STAMP)

test: deps
	$(MAKE) --no-print-directory test-c test-node test-browser

test-c: $(BUILD)/unit-tests format-check
	$(BUILD)/unit-tests

test-node: $(BUILD)/trimlab wasm
	node --test --test-reporter=spec tests/node/

test-browser: site results
	node --test --test-reporter=spec tests/browser/

format-check:
	clang-format --dry-run --Werror src/*.c src/*.h tests/c/*.c $(wildcard tests/c/*.h) tests/bench/*.c

clean:
	rm -rf $(BUILD)
