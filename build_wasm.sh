#!/usr/bin/env bash
# Builds the scenario engine as WebAssembly with Debian's emscripten 3.1.6
# (its traps are listed in docs/toolchain.md), twice:
#   web/gen/trimlab.js + web/gen/trimlab.wasm                     dlmalloc (Emscripten's default)
#   web/gen/trimlab-emmalloc.js + web/gen/trimlab-emmalloc.wasm   emmalloc
# and, first, what is derived from the C API's header: web/gen/wasm-api.js (the wrapper's cwrap
# signatures) and build/wasm/exported_functions.json (emcc's export list).
# The sources are the Makefile's WASM_SRC: the engine and its scenarios, the command line the
# Node runner shares with build/trimlab (src/cli/: its messages and --list equal the native ones)
# and the C API (src/wasm/).
set -euo pipefail

cd "$(dirname "$0")"

# emcc's -O2+ JS optimizer needs acorn, which Debian installs where Node 20 does not look.
export NODE_PATH=/usr/share/nodejs

# WASM_SRC and the generated folder (GEN, web/gen) exactly as the Makefile has them, so each is
# said in one place.
read -r -a sources <<<"$(MAKEFLAGS= make -s --no-print-directory -f Makefile print-WASM_SRC)"
gen=$(MAKEFLAGS= make -s --no-print-directory -f Makefile print-GEN)
version=$(MAKEFLAGS= make -s --no-print-directory -f Makefile print-VERSION)

# The C API's export list and the wrapper's cwrap signatures, both derived from its header
# (src/wasm/wasm_api.h), the one list of the interface.
build_dir=$(MAKEFLAGS= make -s --no-print-directory -f Makefile print-BUILD)
exports="$build_dir/wasm/exported_functions.json"
mkdir -p "$(dirname "$exports")" "$gen"
node tools/gen-wasm-api.mjs "$exports" "$gen/wasm-api.js"
# `./build_wasm.sh --api`: only these two (`make lint` type-checks the wrapper against them).
if [ "${1:-}" = --api ]; then
    exit 0
fi

if ! command -v emcc >/dev/null 2>&1; then
    echo "build_wasm.sh: emcc not found (apt-get install -y emscripten)" >&2
    exit 1
fi

flags=(
    # The same C dialect and warnings as the native build; warnings are errors.
    -std=c11
    -Wall
    -Wextra
    -Werror
    # As the native CFLAGS: musl declares sbrk, setenv and open_memstream only with it.
    -D_GNU_SOURCE
    # Headers are named from src/ (engine/engine.h), as in the native build.
    -Isrc
    # The version the native build has (src/shared/version.c), from the same Makefile variable.
    "-DTL_VERSION=\"${version}\""
    # Small and fast code; the memory behaviour does not depend on it (touching is volatile).
    -O3
    # Memory must be able to grow: the scenarios exist to show how it grows and never shrinks.
    -sALLOW_MEMORY_GROWTH=1
    # Start at exactly 64 MiB, as the reference measurement did (docs/reference-measurement.md);
    # the tests assume it.
    -sINITIAL_MEMORY=67108864
    # Ceiling 512 MiB: malloc returns NULL there and the run ends with outcome oom.
    -sMAXIMUM_MEMORY=536870912
    # A factory function instead of a global Module, so every run can get a fresh instance.
    -sMODULARIZE=1
    # The factory's name (a global in the browser, module.exports in Node).
    -sEXPORT_NAME=createTrimlab
    # One glue for the page's Worker (web/lab-worker.js), the page itself (its catalogue of
    # scenarios) and the Node runner; no shell code.
    -sENVIRONMENT=web,worker,node
    # The wrapper calls the C API through ccall/cwrap only.
    -sEXPORTED_RUNTIME_METHODS=ccall,cwrap
    # The C API of src/wasm/wasm_api.h, nothing else (main() does not exist).
    "-sEXPORTED_FUNCTIONS=@${exports}"
    # A library must not install process-wide handlers in Node (the glue's defaults do).
    -sNODEJS_CATCH_EXIT=0
    -sNODEJS_CATCH_REJECTION=0
    # No eval/new Function in the glue, so a page with a strict CSP can run it.
    -sDYNAMIC_EXECUTION=0
)

build() {
    local output=$1
    shift
    emcc "${flags[@]}" "$@" "${sources[@]}" -o "$output"
}

# `./build_wasm.sh OUT.js [EMCC FLAG...]`: one extra build with the same sources and flags plus
# the given ones, instead of the two above (`make bench` builds build/memprof/ with
# --memoryprofiler this way).
if [ $# -gt 0 ]; then
    mkdir -p "$(dirname "$1")"
    build "$@"
    exit 0
fi

build "$gen/trimlab.js"
# emmalloc instead of dlmalloc; TRIMLAB_EMMALLOC makes src/engine/platform.c read emmalloc's
# counters.
build "$gen/trimlab-emmalloc.js" -sMALLOC=emmalloc -DTRIMLAB_EMMALLOC

for f in "$gen"/trimlab{,-emmalloc}.{wasm,js}; do
    printf '%-32s %7d bytes, %6d gzipped\n' "$f" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)"
done
