#!/usr/bin/env bash
# The whole test suite under AddressSanitizer, then with UndefinedBehaviorSanitizer.
#
#   Tests/Fuzz/sanitizers.sh [address] [undefined]      (default: both)
#
# Builds go to .build-asan and .build-ubsan. swiftc has no -sanitize=undefined on Linux
# (Swift code traps on overflow and out-of-bounds access by itself), so the undefined run
# instruments the C shims, where any report aborts the run.
set -euo pipefail
cd "$(dirname "$0")/../.."

jobs="${SANITIZER_BUILD_JOBS:-2}"
# The S3 store and its HTTP client are Swift over BoringSSL, not the C that reads images:
# left out of the instrumented builds, which would otherwise rebuild SwiftNIO and BoringSSL twice.
export PREFLIGHT_WITHOUT_S3=1
runs=("$@")
if [ "${#runs[@]}" -eq 0 ]; then runs=(address undefined); fi

for sanitizer in "${runs[@]}"; do
    case "$sanitizer" in
        address)
            swift build --build-tests --sanitize=address --scratch-path .build-asan -j "$jobs"
            # Leak reports would name allocations of the Swift runtime, Foundation and XCTest.
            # The "does not hang" bounds of the hostile-input tests are scaled for the slower build.
            ASAN_OPTIONS=detect_leaks=0 PREFLIGHT_TEST_TIME_SCALE=4 \
                swift test --skip-build --sanitize=address --scratch-path .build-asan
            ;;
        undefined)
            runtime="$(clang -print-file-name="libclang_rt.ubsan_standalone-$(uname -m).a")"
            flags=(-Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
                   -Xlinker "$runtime" -Xlinker -lpthread -Xlinker -ldl -Xlinker -lrt)
            swift build --build-tests --scratch-path .build-ubsan -j "$jobs" "${flags[@]}"
            PREFLIGHT_TEST_TIME_SCALE=2 swift test --skip-build --scratch-path .build-ubsan "${flags[@]}"
            ;;
        *)
            echo "Tests/Fuzz/sanitizers.sh: unknown sanitizer '$sanitizer' (address, undefined)" >&2
            exit 2
            ;;
    esac
done
