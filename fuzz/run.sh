#!/usr/bin/env bash
# Runs one fuzz target under libFuzzer for a fixed time (see docs/robustness.md, "Fuzzing").
#
#   fuzz/run.sh <parse_validate|edit_roundtrip> [seconds, default 600] [libFuzzer options...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1 lets
# it use the -Z flags libFuzzer needs. The corpus (fuzz/corpus/<target>) is seeded from
# fuzz/seeds/<target> and the test fixtures; crashes land in fuzz/artifacts/<target>.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?usage: fuzz/run.sh <parse_validate|edit_roundtrip> [seconds] [libFuzzer options...]}"
seconds="${2:-600}"
shift
[ $# -gt 0 ] && shift
corpus="fuzz/corpus/$target"
mkdir -p "$corpus" "fuzz/artifacts/$target"
cp fuzz/seeds/"$target"/* "$corpus"/
for f in tests/fixtures/reports/*.md tests/fixtures/hostile/reports/*.md tests/fixtures/hostile/fuzz/*; do
    [ -f "$f" ] || continue
    name="fixture-$(basename "$(dirname "$f")")-$(basename "$f")"
    cp "$f" "$corpus/$name"
    if [ "$target" = edit_roundtrip ]; then
        # The report, 0xFF, then 32 operation bytes derived from the file name.
        { cat "$f"; printf '\377'; printf '%s' "$f" | sha256sum | cut -c1-64 | xxd -r -p; } >"$corpus/$name.ops"
    fi
done
export RUSTC_BOOTSTRAP=1
exec cargo fuzz run --debug-assertions "$target" "$corpus" -- \
    -dict=fuzz/dict/report.dict -max_total_time="$seconds" -max_len=16384 -timeout=10 \
    -rss_limit_mb=4096 -print_final_stats=1 "$@"
