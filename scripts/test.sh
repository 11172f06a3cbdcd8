#!/bin/sh
# The whole test suite, as CI runs it: install what is needed, build and run
# every test normally, again under AddressSanitizer + UBSan, and fuzz the ELF
# loader briefly.
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh
jobs=$(nproc)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHL_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build -j"$jobs" --output-on-failure --timeout 300
# The kvm engine on SVM semantics, in an emulated machine (tests/kvm-vm).
HL_KVM_SVM=1 ctest --test-dir build -L kvm-svm --output-on-failure

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHL_SANITIZE=ON -DHL_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-asan -j"$jobs" --output-on-failure --timeout 600

cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DHL_FUZZ=ON -DHL_WERROR=ON >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_elf
ctest --test-dir build-fuzz -R '^fuzz\.' --output-on-failure --timeout 120
