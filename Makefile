# trimlab: one C scenario engine, measured natively (gcc) and as WebAssembly (emcc).
# `make help` lists the targets. `make test` and `make demo` install what is missing first.

CC := gcc
CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -g -D_GNU_SOURCE -Isrc
BUILD := build
# Everything generated into the served tree: the modules, Chart.js, the results (web/gen/).
GEN := web/gen

.DEFAULT_GOAL := all

# ---- what each product is made of (README.md, "Layout") ----

# The engine and its scenarios, with the message sanitiser and the version every product uses.
ENGINE_SRC := $(sort $(wildcard src/engine/*.c src/scenarios/*.c)) src/shared/message.c \
	src/shared/version.c
# The command line both runners share: also compiled into the module, so the Node runner's
# options, messages, --list and JSON are the native ones.
CLI_SRC := $(sort $(wildcard src/cli/*.c))
# The native program around them: processes, signals, output files, the subcommands.
NATIVE_SRC := $(filter-out src/native/main.c,$(sort $(wildcard src/native/*.c))) \
	src/shared/trace_writer.c
# The preload recorder: links the message sanitiser, the version and the trace encoder, never the
# engine.
RECORD_SRC := $(sort $(wildcard src/record/*.c)) src/shared/message.c src/shared/trace_writer.c \
	src/shared/version.c
# The WebAssembly module: the engine, the shared command line and the C API. build_wasm.sh reads
# this list from here (`make print-WASM_SRC`).
WASM_SRC := $(ENGINE_SRC) $(CLI_SRC) $(sort $(wildcard src/wasm/*.c))
UNIT_TEST_SRC := $(sort $(wildcard tests/c/*.c))

# ---- the version ----

# One version for every product (tools/version.sh: package.json's, plus `git describe` in a
# checkout); `trimlab --version` prints it.
VERSION := $(shell tools/version.sh)
ifeq ($(VERSION),)
$(error tools/version.sh gave no version)
endif
# The version built, rewritten only when it changes, so a new commit rebuilds only what carries
# it: src/shared/version.c, the only file compiled with it, and the WebAssembly modules.
VERSION_STAMP := $(BUILD)/version
$(VERSION_STAMP): FORCE
	@mkdir -p $(@D)
	@[ "$$(cat $@ 2>/dev/null)" = '$(VERSION)' ] || { echo '$(VERSION)' > $@.tmp && mv $@.tmp $@; }
# Phony, not a missing file: .SECONDARY below would let a missing prerequisite count as made.
.PHONY: FORCE
FORCE:

VERSION_OBJ := $(foreach config,native record record32 asan fuzz,$(BUILD)/$(config)/src/shared/version.o)
$(VERSION_OBJ): $(VERSION_STAMP)
$(VERSION_OBJ): CFLAGS += -DTL_VERSION='"$(VERSION)"'

# ---- one compile rule per configuration, each into its own object tree ----

# $(call objects,CONFIG,SOURCES): the object files of SOURCES in build/CONFIG/.
objects = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

# $(call compile_rule,CONFIG,COMPILER,FLAGS): build/CONFIG/x/y.o from x/y.c, with the headers it
# included recorded in build/CONFIG/x/y.d (-MMD -MP) and read back below.
define compile_rule
$(BUILD)/$(1)/%.o: %.c Makefile
	@mkdir -p $$(dir $$@)
	$(2) $$(CFLAGS) $(3) -MMD -MP -c $$< -o $$@
endef

SAN_CC ?= $(CC)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_CC ?= clang-14
FUZZ_FLAGS := $(SAN_FLAGS)

# native: build/trimlab, the unit tests, valgrind. record: position-independent, hidden symbols
# (only the allocator functions are exported). asan: AddressSanitizer, LeakSanitizer and UBSan.
# fuzz: the same with libFuzzer's coverage (clang).
$(eval $(call compile_rule,native,$(CC),))
$(eval $(call compile_rule,record,$(CC),-fPIC -fvisibility=hidden))
# record32: the recorder for 32-bit (i386) programs, for make planner-i386 (gcc-multilib).
$(eval $(call compile_rule,record32,$(CC),-m32 -fPIC -fvisibility=hidden))
$(eval $(call compile_rule,asan,$(SAN_CC),$(SAN_FLAGS)))
$(eval $(call compile_rule,fuzz,$(FUZZ_CC),$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link))

# Objects sit at build/CONFIG/{src,tests}/DIR/NAME.o.
-include $(wildcard $(BUILD)/*/*/*/*.d)

LIB_OBJ = $(call objects,$(1),$(ENGINE_SRC) $(CLI_SRC))
NATIVE_OBJ = $(call LIB_OBJ,$(1)) $(call objects,$(1),$(NATIVE_SRC))
# Objects named through a pattern rule (fuzz-%, replay-%) are kept like every other.
.SECONDARY:

APT_PACKAGES := gcc libc6-dev make libcmocka-dev clang-format emscripten chromium firefox-esr \
	clang-14 libclang-rt-14-dev valgrind help2man mandoc groff-base sqlite3 lua5.4
NPM_STAMP := node_modules/.package-lock.json

.PHONY: all native wasm site man completion results native-results real-results browser-results wasm-results compare demo \
	planner-accuracy planner-i386 planner-wasm \
	bench deps check test test-c test-node test-browser test-sanitize test-fuzz-replay fuzz \
	valgrind format-check lint format install uninstall dist clean help

all: native wasm planner-wasm site man completion ## build everything: the CLI, the recorder, the modules, the page, trimlab.1, completion

native: $(BUILD)/trimlab $(BUILD)/libtrimlab-record.so ## build/trimlab and the recorder library

$(BUILD)/trimlab: $(call NATIVE_OBJ,native) $(call objects,native,src/native/main.c)
	$(CC) $(CFLAGS) $^ -o $@

# The allocation recorder, preloaded into a program by `trimlab record` (docs/trace-format.md).
$(BUILD)/libtrimlab-record.so: $(call objects,record,$(RECORD_SRC))
	$(CC) $(CFLAGS) -shared $^ -o $@

# The same for i386 programs (TRIMLAB_RECORD_LIB names it: docs/replay.md, "Planner accuracy").
$(BUILD)/record32/libtrimlab-record.so: $(call objects,record32,$(RECORD_SRC))
	$(CC) $(CFLAGS) -m32 -shared $^ -o $@

$(BUILD)/unit-tests: $(call objects,native,$(UNIT_TEST_SRC)) $(call NATIVE_OBJ,native)
	$(CC) $(CFLAGS) $^ -lcmocka -o $@

$(BUILD)/probe-bench: $(call objects,native,tests/bench/probe_bench.c) $(call LIB_OBJ,native)
	$(CC) $(CFLAGS) $^ -o $@

# ---- WebAssembly and the served tree ----

WASM_OUT := $(GEN)/trimlab.js $(GEN)/trimlab.wasm $(GEN)/trimlab-emmalloc.js \
	$(GEN)/trimlab-emmalloc.wasm

# What build_wasm.sh derives from the C API's header (src/wasm/wasm_api.h): the wrapper's cwrap
# signatures and emcc's export list (tools/gen-wasm-api.mjs).
WASM_API := $(GEN)/wasm-api.js $(BUILD)/wasm/exported_functions.json
WASM_API_DEPS := src/wasm/wasm_api.h tools/gen-wasm-api.mjs tools/output-file.mjs web/message.js

wasm: $(WASM_OUT) ## the WebAssembly modules (dlmalloc, emmalloc) in web/gen/

# emcc compiles every source in one command, so any header under src/ counts.
$(WASM_OUT) &: build_wasm.sh Makefile $(WASM_SRC) $(wildcard src/*/*.h) $(WASM_API_DEPS) \
		$(VERSION_STAMP)
	./build_wasm.sh

$(WASM_API) &: build_wasm.sh Makefile $(WASM_API_DEPS)
	./build_wasm.sh --api

print-%: ## print a variable of this Makefile, e.g. make print-WASM_SRC
	@echo $($*)

site: wasm $(GEN)/vendor/chart.umd.min.js $(GEN)/data/benchmarks.json $(GEN)/real/index.json ## the served tree: modules, Chart.js, sql.js and wasmoon (from npm), make bench's figures

# The remedies panel's figures: make bench's own document, served as it is.
$(GEN)/data/benchmarks.json: docs/benchmarks.json
	@mkdir -p $(dir $@)
	cp $< $@

$(GEN)/vendor/chart.umd.min.js: $(NPM_STAMP)
	@mkdir -p $(dir $@)
	cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/LICENSE.md $(dir $@)

# The Real programs view's programs (sql.js, wasmoon: glue, binary, LICENSE into vendor/PACKAGE/)
# and workloads (real/workloads/), and its list of them, real/index.json, written last.
$(GEN)/real/index.json: $(NPM_STAMP) tools/real/vendor.mjs tools/real/workloads.mjs \
		$(wildcard tools/real/workloads/*)
	node tools/real/vendor.mjs $(GEN)

$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund

# ---- the manual page and bash completion, both made from the program's own texts ----

# trimlab(1): help2man on the native --help (every command's section is in it) and --version;
# the NAME line is package.json's description. help2man keeps only the headings it knows as
# sections (OPTIONS, ENVIRONMENT): the sed makes the others (EXIT STATUS, RECORD, TRACE-INFO,
# REPLAY) sections too, and writes the date as YYYY-MM-DD, which mandoc can read.
MAN_PAGE := $(BUILD)/trimlab.1
MAN_DATE := $(shell date -u $${SOURCE_DATE_EPOCH:+-d @$$SOURCE_DATE_EPOCH} +%Y-%m-%d)
DESCRIPTION := $(shell sed -n 's/^  "description": "\(.*\)",$$/\1/p' package.json)

man: $(MAN_PAGE) ## the manual page build/trimlab.1 (help2man on build/trimlab --help)

$(MAN_PAGE): $(BUILD)/trimlab package.json
	help2man --no-info --name='$(DESCRIPTION)' --output=$@.tmp $(BUILD)/trimlab
	sed -i -e 's/^\.SS "\(.*\):"$$/.SH "\U\1"/' \
		-e 's/^\(\.TH [^ ]* "[^"]*"\) "[^"]*"/\1 "$(MAN_DATE)"/' $@.tmp
	mv $@.tmp $@

# Bash completion: commands, options, scenarios and parameters as trimlab's --help texts and
# --list give them (tools/completion.mjs), then the functions of tools/completion.bash.
# Named after the command, as bash-completion looks it up.
COMPLETION := $(BUILD)/bash-completion/trimlab

completion: $(COMPLETION) ## bash completion build/bash-completion/trimlab, from trimlab's --help and --list

$(COMPLETION): $(BUILD)/trimlab tools/completion.mjs tools/completion.bash
	@mkdir -p $(@D)
	node tools/completion.mjs $(BUILD)/trimlab > $@.tmp
	mv $@.tmp $@

# The browser results are measured once, where missing (about 2 minutes): `make browser-results`
# measures them again.
BROWSER_RESULTS := $(GEN)/data/browser-results.json

results: native-results real-results | $(BROWSER_RESULTS) ## the page's data: native-results, real-results, and browser-results where missing

# --map: the page's memory map shows the native heap's maps beside the module's.
native-results: $(BUILD)/trimlab ## measure every scenario natively into web/gen/data/native-results.json
	@mkdir -p $(GEN)/data
	$(BUILD)/trimlab --all --trim both --quiet --map --json $(GEN)/data/native-results.json
	@echo "wrote $(GEN)/data/native-results.json"

browser-results: site ## every scenario in the page in Chromium and Firefox, resident memory from /proc: web/gen/data/browser-results.json
	@mkdir -p $(GEN)/data
	node tools/browser-results.mjs --json $(BROWSER_RESULTS)

$(BROWSER_RESULTS): | site
	@mkdir -p $(GEN)/data
	node tools/browser-results.mjs --json $@

# Real programs nobody here wrote, each workload of tools/real/workloads/ natively (the sqlite3
# and lua5.4 programs under `trimlab measure`, their command lines from tools/real/workloads.mjs)
# and in their Emscripten builds from npm (sql.js, wasmoon) under Node: one document each in
# web/gen/data/real/.
REAL_DIR := $(GEN)/data/real
real-results: $(BUILD)/trimlab $(NPM_STAMP) wasm ## SQLite and Lua workloads natively and in sql.js/wasmoon: web/gen/data/real/
	@node tools/real/results.mjs $(BUILD)/trimlab $(REAL_DIR)

# The planner's modules: the same build with a 4 GiB ceiling instead of 512 MiB, for replays the
# demo's module cannot hold (run-wasm --planner, trace-report). Not served: build/, not web/gen/.
PLANNER_WASM := $(BUILD)/wasm-4gb/trimlab.js $(BUILD)/wasm-4gb/trimlab-emmalloc.js
planner-wasm: $(PLANNER_WASM) ## the planner's modules (MAXIMUM_MEMORY=4GB) in build/wasm-4gb/

$(BUILD)/wasm-4gb/trimlab.js: $(WASM_OUT)
	./build_wasm.sh $@ -sMAXIMUM_MEMORY=4294967296

$(BUILD)/wasm-4gb/trimlab-emmalloc.js: $(WASM_OUT)
	./build_wasm.sh $@ -sMALLOC=emmalloc -DTRIMLAB_EMMALLOC -sMAXIMUM_MEMORY=4294967296

# The planner against real programs (docs/replay.md, "Planner accuracy"): each workload recorded
# natively, replayed in the module, against the real build's memory; i386 rows where
# `make planner-i386` installed the 32-bit programs.
planner-accuracy: $(BUILD)/trimlab $(BUILD)/libtrimlab-record.so $(NPM_STAMP) wasm ## the planner's predictions for sqlite3 and lua5.4 against sql.js and wasmoon: build/planner/accuracy.md
	node tools/planner/accuracy.mjs

planner-i386: ## (as root) i386 sqlite3 and lua5.4 (Debian multiarch) and the -m32 recorder, for planner-accuracy
	tools/planner/setup-i386.sh $(BUILD)/i386
	$(MAKE) --no-print-directory $(BUILD)/record32/libtrimlab-record.so

wasm-results: wasm ## the same in WebAssembly (dlmalloc): web/gen/data/wasm-results.json
	@mkdir -p $(GEN)/data
	node tools/run-wasm.mjs --all --trim both --quiet --json $(GEN)/data/wasm-results.json
	@echo "wrote $(GEN)/data/wasm-results.json"

compare: $(BUILD)/trimlab wasm ## native against WebAssembly, every scenario, one table
	node tools/compare.mjs

PORT ?= 8080

demo: deps ## set up, build, measure natively (and in the browsers where missing), serve the page on 127.0.0.1 (PORT=8080)
	$(MAKE) --no-print-directory all results
	node tools/serve.mjs --port $(PORT)

# Benchmarks report figures; no test asserts a time.
MEMPROF_JS := $(BUILD)/memprof/trimlab-memprof.js

bench: $(BUILD)/trimlab $(BUILD)/libtrimlab-record.so $(BUILD)/probe-bench site results $(MEMPROF_JS) ## measure (minutes): docs/BENCHMARKS.md, docs/benchmarks.json, docs/scale.png
	node tools/bench.mjs
	node tools/bench-page.mjs
	node tools/bench-scale.mjs
	node --expose-gc tools/bench-trace.mjs
	node tools/bench-memprof.mjs
	node tools/bench-lifecycle.mjs
	node tools/bench-report.mjs

# For `make bench` (section 5): the engine with Emscripten's --memoryprofiler and, for a
# like-for-like comparison, without it, both from the same sources and flags at the same moment.
$(MEMPROF_JS): $(WASM_OUT)
	./build_wasm.sh $(BUILD)/memprof/trimlab.js
	./build_wasm.sh $@ --memoryprofiler

# ---- setup ----

deps: ## install only what is missing: Debian packages (apt-get), npm packages (npm ci)
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
	@$(MAKE) -s --no-print-directory $(NPM_STAMP)

# ---- tests ----

test: deps ## every test: C, sanitizers, fuzz replay, valgrind, lint, Node, browser
	$(MAKE) --no-print-directory test-c test-sanitize test-fuzz-replay valgrind lint test-node \
		test-browser

# The quick tier, under a minute here with a warm build: the C unit tests, clang-format, lint, the
# Node tests of the JS modules that take seconds (the page's modules and run code, the results
# validator, the server, the WebAssembly runner, the C API's one export list and the one writer of
# each format, the resident endpoint's page client) and the page's first browser test. `make test` runs all of them and more.
CHECK_NODE_TESTS := tests/node/page-modules.test.mjs tests/node/page-runs.test.mjs \
	tests/node/results-validate.test.mjs tests/node/serve.test.mjs tests/node/js-tools.test.mjs \
	tests/node/formats.test.mjs tests/node/resident-client.test.mjs \
	tests/node/resident-live.test.mjs tests/node/memory-map.test.mjs tests/node/map-panel.test.mjs \
	tests/node/real-view.test.mjs
CHECK_BROWSER_TEST := ^the page loads with no console error

check: test-c lint $(BUILD)/trimlab wasm site native-results ## the quick tier (under a minute): C unit tests, lint, quick Node tests, one browser test
	node --test --test-reporter=spec $(CHECK_NODE_TESTS)
	TRIMLAB_BROWSER=chromium node --test --test-reporter=dot \
		--test-name-pattern='$(CHECK_BROWSER_TEST)' tests/browser/page.test.mjs

# The compiler must tell a scenario's step result from an error code: tests/c/must-not-compile/
# step_result.c compiles as it is and fails to compile with each of its mixups.
STEP_MIXUPS := 1 2 3 4

test-c: $(BUILD)/unit-tests format-check ## C unit tests (cmocka), clang-format, the step result's type
	$(BUILD)/unit-tests
	@$(CC) $(CFLAGS) -fsyntax-only tests/c/must-not-compile/step_result.c
	@for m in $(STEP_MIXUPS); do \
	  if $(CC) $(CFLAGS) -fsyntax-only -DMIXUP=$$m tests/c/must-not-compile/step_result.c \
	    2> /dev/null; then \
	    echo "test-c: mixup $$m of tests/c/must-not-compile/step_result.c compiled: the" \
	      "compiler cannot tell a step result from an error code"; exit 1; fi; \
	done
	@echo "test-c: the compiler refuses all $(words $(STEP_MIXUPS)) mixups of a step result and an error code"

test-node: $(BUILD)/trimlab $(BUILD)/libtrimlab-record.so wasm planner-wasm native-results man completion ## Node tests: CLI, module, runner, tools, server, install
	node --test --test-reporter=spec tests/node/

# The whole browser suite once per browser (tests/support/browser.mjs reads TRIMLAB_BROWSER),
# each browser's time printed.
TEST_BROWSERS := chromium firefox

test-browser: site results ## the page in Chromium and in Firefox ESR, the whole suite in each
	@for b in $(TEST_BROWSERS); do \
	  start=$$(date +%s); \
	  TRIMLAB_BROWSER=$$b node --test --test-reporter=spec tests/browser/ || exit 1; \
	  echo "test-browser: $$b: $$(( $$(date +%s) - start )) s"; \
	done

# AddressSanitizer (with LeakSanitizer) and UBSan: the native runner and the unit tests, built into
# build/asan/. SAN_CC=clang-14 works too. A forked child of build/asan/trimlab checks its own leaks
# (src/native/main.c); the unit tests skip the RLIMIT_AS out-of-memory test under ASan.
SAN_BUILD := $(BUILD)/asan
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# Bad input: each must exit 2 with one line on stderr and no sanitizer report.
SAN_TL := $(SAN_BUILD)/trimlab
SAN_BAD_RUNS := '$(SAN_TL) --scenario nope' '$(SAN_TL) --bogus' \
	'$(SAN_TL) --scenario simple --set block_mib=0' '$(SAN_TL) --scenario buckets --set model=8M//8M' \
	'$(SAN_TL) --scenario cycles --set cycles=x' '$(SAN_TL) --all --trim sometimes' \
	'$(SAN_TL) --scenario highwater --set batch_mib=0' \
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
	'TRIMLAB_RECORD_LIB=$(CURDIR)/$(BUILD)/libtrimlab-record.so $(SAN_TL) record -o /dev/full -- true' \
	'$(SAN_TL) measure -o $(SAN_BUILD)/m.json -- no-such-program-here' '$(SAN_TL) measure -- true'

$(SAN_BUILD)/trimlab: $(call NATIVE_OBJ,asan) $(call objects,asan,src/native/main.c)
	$(SAN_CC) $(CFLAGS) $(SAN_FLAGS) $^ -o $@

$(SAN_BUILD)/unit-tests: $(call objects,asan,$(UNIT_TEST_SRC)) $(call NATIVE_OBJ,asan)
	$(SAN_CC) $(CFLAGS) $(SAN_FLAGS) $^ -lcmocka -o $@

test-sanitize: $(SAN_BUILD)/unit-tests $(SAN_BUILD)/trimlab $(BUILD)/libtrimlab-record.so ## unit tests, every scenario, replays, bad input under ASan, LSan, UBSan
	$(SAN_ENV) $(SAN_BUILD)/unit-tests
	$(SAN_ENV) $(SAN_BUILD)/trimlab --all --trim both --json $(SAN_BUILD)/results.json \
		> $(SAN_BUILD)/tables.txt
	$(SAN_ENV) DISABLE_MALLOC_TRIM=1 BUCKET_MODEL=2K/4K ENABLE_CUSTOM_BUCKETS=1 \
		$(SAN_BUILD)/trimlab --scenario buckets --quiet
	$(SAN_ENV) $(SAN_BUILD)/trimlab --scenario highwater --set total_mib=40 --set batch_mib=8 \
		--trim both --quiet
	$(SAN_ENV) $(SAN_BUILD)/trimlab --list > /dev/null
	$(SAN_ENV) $(SAN_BUILD)/trimlab --help > /dev/null
	$(SAN_ENV) $(SAN_BUILD)/trimlab --version > /dev/null
	$(SAN_ENV) $(SAN_BUILD)/trimlab replay tests/replay/good.trace --trim both --set \
		events_per_step=7 --json $(SAN_BUILD)/replay.json > /dev/null
	$(SAN_ENV) $(SAN_BUILD)/trimlab replay tests/replay/cut-short.trace --quiet 2> /dev/null
	$(SAN_ENV) $(SAN_BUILD)/trimlab trace-info tests/replay/good.trace > /dev/null
	$(SAN_ENV) $(SAN_BUILD)/trimlab measure -o $(SAN_BUILD)/measure.json -- lua5.4 -e \
		'local t = {} for i = 1, 200000 do t[i] = {i} end'
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
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := bucket_model params cli trace
FUZZ_BUILD := $(BUILD)/fuzz

$(FUZZ_BUILD)/fuzz-%: $(call objects,fuzz,tests/fuzz/fuzz_%.c) $(call LIB_OBJ,fuzz)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ -o $@

$(SAN_BUILD)/replay-%: $(call objects,asan,tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c) \
		$(call LIB_OBJ,asan)
	$(SAN_CC) $(CFLAGS) $(SAN_FLAGS) $^ -o $@

fuzz: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz-%) ## run each libFuzzer target for FUZZ_SECONDS (clang-14)
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

test-fuzz-replay: $(FUZZ_TARGETS:%=$(SAN_BUILD)/replay-%) ## replay the fuzz corpora and regressions under ASan, UBSan
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

valgrind: $(BUILD)/unit-tests $(BUILD)/trimlab ## unit tests, every scenario, a replay and a measure under memcheck
	$(VALGRIND) $(BUILD)/unit-tests
	$(VALGRIND) $(BUILD)/trimlab --all --quiet --json $(BUILD)/valgrind-results.json
	$(VALGRIND) $(BUILD)/trimlab replay tests/replay/good.trace --trim both --quiet \
		--set events_per_step=7
	$(VALGRIND) $(BUILD)/trimlab measure -o $(BUILD)/valgrind-measure.json -- /bin/true

C_FILES := $(wildcard src/*/*.c src/*/*.h tests/c/*.c tests/c/*.h tests/c/*/*.c tests/bench/*.c \
	tests/fuzz/*.c tests/fuzz/*.h tests/record/*.c)

format-check: ## clang-format over every C file
	clang-format --dry-run --Werror $(C_FILES)

# JavaScript is held to the same bar: ESLint (tools/eslint.config.js), Prettier (its settings are
# in package.json) and, for the wrapper's public surface, the resident reading and its client, the
# demo server and the tools' shared modules, TypeScript's checker on their JSDoc types
# (tools/tsconfig.json lists them), all pinned in package.json.
JS_FILES := $(wildcard web/*.js tools/*.js tools/*.mjs tools/real/*.mjs tools/planner/*.mjs \
	tests/*/*.mjs)
NPM_BIN := node_modules/.bin

lint: $(NPM_STAMP) $(GEN)/wasm-api.js ## ESLint and Prettier over every JavaScript file, tsc over the typed modules' JSDoc
	$(NPM_BIN)/eslint -c tools/eslint.config.js --cache --cache-location $(BUILD)/lint/eslint \
		$(JS_FILES)
	$(NPM_BIN)/prettier --check --cache --cache-location $(BUILD)/lint/prettier $(JS_FILES)
	$(NPM_BIN)/tsc -p tools/tsconfig.json --incremental --tsBuildInfoFile $(BUILD)/lint/tsbuildinfo

format: $(NPM_STAMP) ## rewrite every C file with clang-format and every JavaScript file with Prettier
	clang-format -i $(C_FILES)
	$(NPM_BIN)/prettier --write --log-level warn $(JS_FILES)

# ---- install, uninstall, dist ----

# PREFIX is where trimlab will live, DESTDIR a staging folder put in front of every path
# (`make install DESTDIR=/tmp/stage PREFIX=/usr`). The installed trimlab finds the recorder library
# in ../lib/trimlab/ from its own folder (src/native/cmd_record.c), so the tree can be moved.
PREFIX := /usr/local
BIN_DIR = $(DESTDIR)$(PREFIX)/bin
LIB_DIR = $(DESTDIR)$(PREFIX)/lib/trimlab
SHARE_DIR = $(DESTDIR)$(PREFIX)/share
PAGE_DIR = $(SHARE_DIR)/trimlab
MAN_DIR = $(SHARE_DIR)/man/man1
COMPLETION_DIR = $(SHARE_DIR)/bash-completion/completions
DOC_DIR = $(SHARE_DIR)/doc/trimlab
INSTALL_FILES := tools/install-files.sh

# The page's default data, measured once when `make results` has not run yet.
$(GEN)/data/native-results.json: | $(BUILD)/trimlab
	$(MAKE) --no-print-directory native-results

# The Real programs view's packages and workloads are installed as make site wrote their folders
# (listed when installing, not when the Makefile is read); its native figures are not: they come
# from make real-results, which install does not run.
install: native site man completion $(GEN)/data/native-results.json ## install into PREFIX (/usr/local), staged under DESTDIR
	$(INSTALL_FILES) 755 "$(BIN_DIR)" $(BUILD)/trimlab
	$(INSTALL_FILES) 644 "$(LIB_DIR)" $(BUILD)/libtrimlab-record.so
	$(INSTALL_FILES) 644 "$(PAGE_DIR)/web" $(wildcard web/*.html web/*.css web/*.js)
	$(INSTALL_FILES) 644 "$(PAGE_DIR)/web/gen" $(WASM_OUT)
	$(INSTALL_FILES) 644 "$(PAGE_DIR)/web/gen/vendor" $(GEN)/vendor/chart.umd.min.js \
		$(GEN)/vendor/LICENSE.md
	$(INSTALL_FILES) 644 "$(PAGE_DIR)/web/gen/data" $(GEN)/data/native-results.json \
		$(GEN)/data/benchmarks.json
	for dir in $(GEN)/vendor/*/ $(GEN)/real/workloads/; do \
	  $(INSTALL_FILES) 644 "$(PAGE_DIR)/web/$${dir#web/}" $$dir* || exit 1; \
	done
	$(INSTALL_FILES) 644 "$(PAGE_DIR)/web/gen/real" $(GEN)/real/index.json
	$(INSTALL_FILES) 644 "$(MAN_DIR)" $(MAN_PAGE)
	$(INSTALL_FILES) 644 "$(COMPLETION_DIR)" $(COMPLETION)
	$(INSTALL_FILES) 644 "$(DOC_DIR)" README.md
	$(INSTALL_FILES) 644 "$(DOC_DIR)/docs" $(wildcard docs/*)

# Removes what install put there (trimlab's own folders whole), then each folder on the way to
# them that is left empty, below PREFIX: a staging DESTDIR keeps only the empty PREFIX folder.
uninstall: ## remove what make install installed (give the same PREFIX and DESTDIR)
	rm -f "$(BIN_DIR)/trimlab" "$(MAN_DIR)/trimlab.1" "$(COMPLETION_DIR)/trimlab"
	rm -rf "$(LIB_DIR)" "$(PAGE_DIR)" "$(DOC_DIR)"
	for dir in "$(BIN_DIR)" "$(MAN_DIR)" "$(SHARE_DIR)/man" "$(COMPLETION_DIR)" \
		"$(SHARE_DIR)/bash-completion" "$(SHARE_DIR)/doc" "$(SHARE_DIR)" \
		"$(DESTDIR)$(PREFIX)/lib"; do \
	  [ ! -d "$$dir" ] || rmdir --ignore-fail-on-non-empty "$$dir"; \
	done

# trimlab-VERSION.tar.gz of the tracked files and the version, for building where there is no
# checkout (tools/dist.sh).
DIST := $(BUILD)/trimlab-$(VERSION).tar.gz

dist: ## build/trimlab-VERSION.tar.gz: the tracked files (no build output, no node_modules)
	tools/dist.sh $(VERSION) $(DIST)

# ---- housekeeping ----

clean: ## remove everything generated (build/, web/gen/)
	rm -rf $(BUILD) $(GEN)

help: ## this list
	@awk -F ':.*## ' '/^[a-z][a-z%-]*:.*## / { printf "  %-18s %s\n", $$1, $$2 }' Makefile
