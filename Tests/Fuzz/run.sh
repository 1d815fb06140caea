#!/usr/bin/env bash
# Builds Preflight's libFuzzer targets (with AddressSanitizer) and runs each in turn.
#
#   Tests/Fuzz/run.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default 60); targets: png jpeg sniff manifest-line (default: all,
# one after the other). Everything built or found goes under .build-fuzz/:
#   corpus/TARGET/     inputs that reached new code (grows from run to run)
#   artifacts/TARGET/  crash-*, timeout-*, oom-*, slow-unit-* inputs
#   logs/TARGET.log    libFuzzer's output; summary.txt: one line per target
# The seeds are the committed fixtures (Fixtures/images, Fixtures/hostile) and
# Tests/Fuzz/corpus/TARGET. Exits with 1 when a target crashed or broke an invariant (a
# crash-* artifact); timeouts and out-of-memory inputs are listed but fail only with
# FUZZ_STRICT=1, since a loaded machine can make a sound input slow.
#
# Environment: FUZZ_BUILD_JOBS (default 2), FUZZ_STRICT (default 0), FUZZ_SEED (a fixed
# libFuzzer seed, so that a run repeats the same mutations), FUZZ_SCRATCH (default
# .build-fuzz), FUZZ_EXTRA (more libFuzzer flags).
set -uo pipefail
cd "$(dirname "$0")/../.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then targets=(png jpeg sniff manifest-line); fi
scratch="${FUZZ_SCRATCH:-.build-fuzz}"
strict="${FUZZ_STRICT:-0}"

product() {
    case "$1" in
        png) echo FuzzPNG ;;
        jpeg) echo FuzzJPEG ;;
        sniff) echo FuzzSniff ;;
        manifest-line) echo FuzzManifestLine ;;
        *) echo "Tests/Fuzz/run.sh: unknown target '$1' (png, jpeg, sniff, manifest-line)" >&2; exit 2 ;;
    esac
}

dictionary() {
    case "$1" in
        png) echo Tests/Fuzz/dict/png.dict ;;
        jpeg) echo Tests/Fuzz/dict/jpeg.dict ;;
        sniff) echo Tests/Fuzz/dict/sniff.dict ;;
        manifest-line) echo Tests/Fuzz/dict/manifest.dict ;;
    esac
}

# Longer inputs only slow the mutations down: every structure fits in this.
max_len() {
    case "$1" in
        manifest-line) echo 16384 ;;
        *) echo 65536 ;;
    esac
}

seeds() {
    case "$1" in
        manifest-line) echo "Tests/Fuzz/corpus/manifest-line Fixtures/hostile/manifests" ;;
        *) echo "Tests/Fuzz/corpus/$1 Fixtures/images Fixtures/hostile/images" ;;
    esac
}

for target in "${targets[@]}"; do product "$target" >/dev/null || exit 2; done

# swiftc keeps only the last -sanitize= it is given, and SwiftPM passes one per --sanitize
# in no fixed order: the Swift code gets both sanitizers from the single combined flag,
# which comes after SwiftPM's own (--sanitize=fuzzer still picks the libFuzzer entry point).
# The fuzz targets need nothing of the S3 store (Package.swift at the top).
export PREFLIGHT_WITHOUT_S3=1
build=(swift build --package-path Tests/Fuzz --scratch-path "$scratch" -c release -j "${FUZZ_BUILD_JOBS:-2}"
       --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=address)
echo "Building the fuzz targets in $scratch ..." >&2
if ! "${build[@]}"; then
    echo "Tests/Fuzz/run.sh: the fuzz targets did not build" >&2
    exit 2
fi
bin="$("${build[@]}" --show-bin-path)"
# Targets write each input to a file: on tmpfs that costs nothing; on a disk the writes
# slow a target many times over.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then tmp="$(mktemp -d /dev/shm/preflight-fuzz.XXXXXX)"; else tmp="$scratch/tmp"; fi
mkdir -p "$scratch/logs" "$tmp"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
for target in "${targets[@]}"; do
    # A target without coverage counters in the Swift code would fuzz blind.
    counters="$(PREFLIGHT_FUZZ_DIR="$tmp" "$bin/$(product "$target")" -runs=0 2>&1 | sed -n 's/.*Loaded 1 modules *(\([0-9]*\) inline.*/\1/p')"
    if [ "${counters:-0}" -lt 10000 ]; then
        echo "Tests/Fuzz/run.sh: $(product "$target") has only ${counters:-no} coverage counters; the Swift code is not instrumented" >&2
        exit 2
    fi
done

summary="$scratch/summary.txt"
: > "$summary"
failed=0
for target in "${targets[@]}"; do
    name="$(product "$target")"
    corpus="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target"
    log="$scratch/logs/$target.log"
    mkdir -p "$corpus" "$artifacts"
    existing_seeds=()
    for dir in $(seeds "$target"); do [ -d "$dir" ] && existing_seeds+=("$dir"); done
    echo "Fuzzing $target for ${seconds}s ..." >&2
    # Each input must finish in 10 s and use at most 2 GB; no single allocation may
    # exceed 1 GB (the decoders refuse anything that would need more).
    PREFLIGHT_FUZZ_DIR="$tmp" ASAN_OPTIONS="malloc_context_size=5:quarantine_size_mb=64:allocator_may_return_null=1" \
        nice -n 10 "$bin/$name" "$corpus" "${existing_seeds[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -max_len="$(max_len "$target")" -use_value_profile=1 -dict="$(dictionary "$target")" -artifact_prefix="$artifacts/" \
        -print_final_stats=1 ${FUZZ_SEED:+-seed="$FUZZ_SEED"} ${FUZZ_EXTRA:-} > "$log" 2>&1
    status=$?
    runs="$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}')"
    last="$(grep -E '^#[0-9]+' "$log" | tail -1)"
    cov="$(echo "$last" | grep -o 'cov: [0-9]*' | awk '{print $2}')"
    ft="$(echo "$last" | grep -o 'ft: [0-9]*' | awk '{print $2}')"
    line="$target: ${runs:-?} executions in ${seconds}s, coverage ${cov:-?} edges, ${ft:-?} features, exit $status"
    echo "$line" | tee -a "$summary" >&2
    if grep -qE 'ERROR: libFuzzer: (timeout|out-of-memory \(used)' "$log"; then
        echo "  $target: an input was too slow or too large; it is in $artifacts, the log in $log" | tee -a "$summary" >&2
        [ "$strict" = 1 ] && failed=1
    elif [ "$status" -ne 0 ] || grep -qE '^==[0-9]+== ?ERROR|fuzz invariant broken|deadly signal' "$log"; then
        echo "  $target: crash; the input is in $artifacts, the log in $log" | tee -a "$summary" >&2
        failed=1
    fi
done
exit "$failed"
