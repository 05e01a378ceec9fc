# trimlab: one C scenario engine, measured natively (gcc) and as WebAssembly (emcc).
# `make test` and `make demo` install what is missing first (Debian packages, npm ci).

CC := gcc
CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -Isrc
BUILD := build

CORE_SRC := src/engine/tl_error.c src/shared/message.c src/engine/bucket_model.c src/engine/params.c src/engine/platform.c src/engine/touch.c \
	src/engine/block.c src/engine/chunks.c src/engine/robin_set.c src/engine/u64_vec.c src/engine/engine.c src/scenarios/scenarios.c \
	src/scenarios/scenario_simple.c src/scenarios/scenario_vector.c src/scenarios/scenario_cycles.c src/scenarios/scenario_buckets.c \
	src/scenarios/scenario_fragmented.c src/scenarios/scenario_highwater.c \
	src/engine/trace_reader.c src/engine/addr_map.c src/scenarios/scenario_replay.c
CLI_SRC := src/cli/cli_options.c src/cli/results_json.c src/cli/report_table.c src/native/runner.c \
	src/native/cmd_record.c src/shared/trace_writer.c \
	src/cli/replay_cli.c src/native/child_run.c src/native/child_signals.c src/native/failed_run.c src/native/output_file.c \
	src/native/trace_file.c src/native/cmd_trace_info.c src/native/cmd_replay.c
CORE_OBJ := $(CORE_SRC:src/%.c=$(BUILD)/obj/%.o)
CLI_OBJ := $(CLI_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_TEST_SRC := $(wildcard tests/c/*.c)

APT_PACKAGES := gcc libc6-dev make libcmocka-dev clang-format emscripten chromium clang-14 \
	libclang-rt-14-dev valgrind
NPM_STAMP := node_modules/.package-lock.json

.PHONY: all native results test test-c test-node test-browser format-check deps bench clean wasm \
	wasm-results site demo compare test-sanitize test-fuzz-replay fuzz valgrind

all: native wasm site

native: $(BUILD)/trimlab $(BUILD)/libtrimlab-record.so

$(BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/trimlab: $(CORE_OBJ) $(CLI_OBJ) $(BUILD)/obj/native/main.o
	$(CC) $(CFLAGS) $^ -o $@

# The allocation recorder, preloaded into a program by `trimlab record` (docs/trace-format.md).
# Native only; hidden visibility so only the allocator functions are exported.
RECORD_SRC := src/record/recorder.c src/record/record_core.c src/record/record_start.c src/shared/trace_writer.c src/shared/message.c

$(BUILD)/libtrimlab-record.so: $(RECORD_SRC) $(wildcard src/*/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fPIC -shared -fvisibility=hidden $(RECORD_SRC) -o $@

$(BUILD)/unit-tests: $(UNIT_TEST_SRC) $(CORE_OBJ) $(CLI_OBJ) $(wildcard tests/c/*.h)
	$(CC) $(CFLAGS) -Isrc $(UNIT_TEST_SRC) $(CORE_OBJ) $(CLI_OBJ) -lcmocka -o $@

$(BUILD)/probe-bench: tests/bench/probe_bench.c $(CORE_OBJ)
	$(CC) $(CFLAGS) -Isrc $^ -o $@

# Benchmarks report figures; no test asserts a time. Measures on this machine (a few minutes) and
# writes docs/BENCHMARKS.md, docs/benchmarks.json and docs/scale.png (tools/bench*.mjs).
MEMPROF_JS := $(BUILD)/memprof/trimlab-memprof.js

bench: $(BUILD)/trimlab $(BUILD)/libtrimlab-record.so $(BUILD)/probe-bench site results $(MEMPROF_JS)
	node tools/bench.mjs
	node tools/bench-page.mjs
	node tools/bench-scale.mjs
	node --expose-gc tools/bench-trace.mjs
	node tools/bench-memprof.mjs
	node tools/bench-report.mjs

# The WebAssembly modules (dlmalloc and emmalloc), rebuilt when a source they use changed.
WASM_OUT := web/trimlab.js web/trimlab.wasm web/trimlab-emmalloc.js web/trimlab-emmalloc.wasm

wasm: $(WASM_OUT)

$(WASM_OUT) &: build_wasm.sh Makefile $(CORE_SRC) src/cli/cli_options.c src/cli/report_table.c \
		src/cli/results_json.c src/cli/replay_cli.c src/wasm/wasm_api.c $(wildcard src/*/*.h)
	./build_wasm.sh

# For `make bench` (section 5): the engine with Emscripten's --memoryprofiler and, for a like-for-like
# comparison, without it, both from the same sources and flags at the same moment.
$(MEMPROF_JS): $(WASM_OUT)
	./build_wasm.sh $(BUILD)/memprof/trimlab.js
	./build_wasm.sh $@ --memoryprofiler

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
	$(MAKE) --no-print-directory test-c test-sanitize test-fuzz-replay valgrind test-node test-browser

test-c: $(BUILD)/unit-tests format-check
	$(BUILD)/unit-tests

test-node: $(BUILD)/trimlab $(BUILD)/libtrimlab-record.so wasm results
	node --test --test-reporter=spec tests/node/

test-browser: site results
	node --test --test-reporter=spec tests/browser/

# ---- sanitizers, fuzzing, valgrind ----

# AddressSanitizer (with LeakSanitizer) and UBSan: the native runner and the unit tests, built into
# build/asan/. SAN_CC=clang-14 works too. A forked child of build/asan/trimlab checks its own leaks
# (src/native/main.c); the unit tests skip the RLIMIT_AS out-of-memory test under ASan.
SAN_CC ?= $(CC)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_BUILD := $(BUILD)/asan
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
SAN_CORE_OBJ := $(CORE_SRC:src/%.c=$(SAN_BUILD)/obj/%.o)
SAN_CLI_OBJ := $(CLI_SRC:src/%.c=$(SAN_BUILD)/obj/%.o)
# Bad input: each must exit 2 with one line on stderr and no sanitizer report.
SAN_TL := $(SAN_BUILD)/trimlab
SAN_BAD_RUNS := '$(SAN_TL) --scenario nope' '$(SAN_TL) --bogus' \
	'$(SAN_TL) --scenario simple --set block_mib=0' '$(SAN_TL) --scenario buckets --set model=8M//8M' \
	'$(SAN_TL) --scenario cycles --set cycles=x' '$(SAN_TL) --all --trim sometimes' \
	'$(SAN_TL) --set block_mib=1' '$(SAN_TL) --scenario simple --json /nonexistent/dir/r.json' \
	'BUCKET_MODEL=3M ENABLE_CUSTOM_BUCKETS=1 $(SAN_TL) --scenario buckets' \
	$(patsubst %,'$(SAN_TL) replay %',$(wildcard tests/replay/bad-*.trace)) \
	'$(SAN_TL) trace-info tests/replay/bad-double-free.trace' '$(SAN_TL) replay' \
	'$(SAN_TL) replay tests/replay/good.trace --set events_per_step=0' \
	'$(SAN_TL) --scenario simple --trim on --trim off' '$(SAN_TL) --list --scenario nope' \
	'ENABLE_CUSTOM_BUCKETS=maybe $(SAN_TL) --scenario simple' \
	'$(SAN_TL) replay tests/replay/good.trace --json a.json --json b.json' \
	'$(SAN_TL) trace-info tests/replay/good.trace tests/replay/good.trace' \
	'TRIMLAB_RECORD_LIB=/nonexistent $(SAN_TL) record -o $(SAN_BUILD)/r.trace -- true' \
	'$(SAN_TL) --scenario simple --json /dev/full' '$(SAN_TL) --all --json /proc/version' \
	'$(SAN_TL) replay tests/replay/good.trace --json /dev/full' '$(SAN_TL) replay /dev/null' \
	'TRIMLAB_RECORD_LIB=$(CURDIR)/$(BUILD)/libtrimlab-record.so $(SAN_TL) record -o /dev/full -- true'

$(SAN_BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h) Makefile
	@mkdir -p $(dir $@)
	$(SAN_CC) $(CFLAGS) $(SAN_FLAGS) -c $< -o $@

$(SAN_BUILD)/trimlab: $(SAN_CORE_OBJ) $(SAN_CLI_OBJ) $(SAN_BUILD)/obj/native/main.o
	$(SAN_CC) $(CFLAGS) $(SAN_FLAGS) $^ -o $@

$(SAN_BUILD)/unit-tests: $(UNIT_TEST_SRC) $(SAN_CORE_OBJ) $(SAN_CLI_OBJ) $(wildcard tests/c/*.h)
	$(SAN_CC) $(CFLAGS) $(SAN_FLAGS) -Isrc $(UNIT_TEST_SRC) $(SAN_CORE_OBJ) $(SAN_CLI_OBJ) \
		-lcmocka -o $@

test-sanitize: $(SAN_BUILD)/unit-tests $(SAN_BUILD)/trimlab $(BUILD)/libtrimlab-record.so
	$(SAN_ENV) $(SAN_BUILD)/unit-tests
	$(SAN_ENV) $(SAN_BUILD)/trimlab --all --trim both --json $(SAN_BUILD)/results.json \
		> $(SAN_BUILD)/tables.txt
	$(SAN_ENV) DISABLE_MALLOC_TRIM=1 BUCKET_MODEL=2K/4K ENABLE_CUSTOM_BUCKETS=1 \
		$(SAN_BUILD)/trimlab --scenario buckets --quiet
	$(SAN_ENV) $(SAN_BUILD)/trimlab --list > /dev/null
	$(SAN_ENV) $(SAN_BUILD)/trimlab replay tests/replay/good.trace --trim both --set \
		events_per_step=7 --json $(SAN_BUILD)/replay.json > /dev/null
	$(SAN_ENV) $(SAN_BUILD)/trimlab replay tests/replay/cut-short.trace --quiet 2> /dev/null
	$(SAN_ENV) $(SAN_BUILD)/trimlab trace-info tests/replay/good.trace > /dev/null
	@for run in $(SAN_BAD_RUNS); do \
	  env $(SAN_ENV) $$run > /dev/null 2> $(SAN_BUILD)/stderr.txt; \
	  code=$$?; lines=$$(wc -l < $(SAN_BUILD)/stderr.txt); \
	  if [ $$code -ne 2 ] || [ $$lines -ne 1 ]; then \
	    echo "test-sanitize: $$run: exit $$code, $$lines lines on stderr (want exit 2, 1 line)"; \
	    cat $(SAN_BUILD)/stderr.txt; exit 1; fi; \
	  echo "refused cleanly: $$run: $$(cat $(SAN_BUILD)/stderr.txt)"; \
	done
	@echo "test-sanitize: no sanitizer errors, no leaks (parent and forked children)"

# libFuzzer targets (tests/fuzz/fuzz_*.c) for every parser of outside input: `make fuzz` runs each
# for FUZZ_SECONDS from tests/fuzz/corpus/<target>/ (read only) into build/fuzz/corpus/<target>/;
# crashes land in build/fuzz/artifacts/<target>/. The same targets, linked with a plain main
# (tests/fuzz/replay_main.c) and sanitizers, replay the seed corpus and tests/fuzz/regressions/ in
# `make test` (test-fuzz-replay).
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := bucket_model params cli trace
FUZZ_BUILD := $(BUILD)/fuzz
FUZZ_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_LIB_OBJ := $(CORE_SRC:src/%.c=$(FUZZ_BUILD)/obj/%.o) $(FUZZ_BUILD)/obj/cli/cli_options.o
FUZZ_HEADERS := tests/fuzz/fuzz_common.h $(wildcard src/*/*.h)
.SECONDARY: $(FUZZ_LIB_OBJ)

$(FUZZ_BUILD)/obj/%.o: src/%.c $(wildcard src/*/*.h) Makefile
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/fuzz-%: tests/fuzz/fuzz_%.c $(FUZZ_HEADERS) $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -Isrc $< $(FUZZ_LIB_OBJ) -o $@

$(SAN_BUILD)/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(FUZZ_HEADERS) \
		$(SAN_CORE_OBJ) $(SAN_BUILD)/obj/cli/cli_options.o
	$(SAN_CC) $(CFLAGS) $(SAN_FLAGS) -Isrc -Itests/fuzz $< tests/fuzz/replay_main.c \
		$(SAN_CORE_OBJ) $(SAN_BUILD)/obj/cli/cli_options.o -o $@

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz-%)
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

test-fuzz-replay: $(FUZZ_TARGETS:%=$(SAN_BUILD)/replay-%)
	@for t in $(FUZZ_TARGETS); do \
	  $(SAN_ENV) $(SAN_BUILD)/replay-$$t tests/fuzz/corpus/$$t \
	    $$(ls -d tests/fuzz/regressions/$$t 2>/dev/null) || exit 1; \
	done

# valgrind memcheck over the unit tests and every scenario (forked children traced). malloc_trim is
# a stub under valgrind, so nothing about trim is asserted here; the unit tests skip their
# RLIMIT_AS test and the in-use checks (mallinfo2 does not see valgrind's malloc). About 3 s here,
# so `make test` runs it.
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --trace-children=yes

valgrind: $(BUILD)/unit-tests $(BUILD)/trimlab
	$(VALGRIND) $(BUILD)/unit-tests
	$(VALGRIND) $(BUILD)/trimlab --all --quiet --json $(BUILD)/valgrind-results.json
	$(VALGRIND) $(BUILD)/trimlab replay tests/replay/good.trace --trim both --quiet \
		--set events_per_step=7

format-check:
	clang-format --dry-run --Werror src/*/*.c src/*/*.h tests/c/*.c $(wildcard tests/c/*.h) tests/bench/*.c \
		tests/fuzz/*.c tests/fuzz/*.h tests/record/*.c

clean:
	rm -rf $(BUILD)
