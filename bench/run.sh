#!/bin/sh
# bench/run.sh — the measurements of `make bench` (which installs what is missing and builds
# build/dlc, build/bench/bench_dlc and build/bench/sgemm_blas first), then the report.
# Every part writes JSON under build/bench/; bench/report.py prints the table and merges them
# into build/bench/results.json.  A part that fails is reported as missing; the rest still runs.
# Nothing here checks timings: this is a benchmark, not a test.
#
# The timed parts run in BENCH_ROUNDS rounds (default 3), one after the other in the same order
# each round (part.rN.json); the report takes each time's best round (and the peak's highest).
# On a shared machine a neighbour's burst then costs one round of one side, not the comparison.
#
# OpenBLAS, and PyTorch (whose dense products go to the system BLAS, OpenBLAS once
# libopenblas-dev is installed), run with the kernels OpenBLAS detects for this CPU: an
# OPENBLAS_CORETYPE in the environment is removed for them, and when one is set, OpenBLAS is
# measured a second time with it, as an extra column.
set -u
cd "$(dirname "$0")/.."
OUT=build/bench
PY=/usr/bin/python3
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.txt

for b in build/dlc "$OUT/bench_dlc" "$OUT/sgemm_blas"; do
    [ -x "$b" ] || { echo "bench/run.sh: $b is missing (run make bench)" >&2; exit 1; }
done
[ -x "$PY" ] || { echo "bench/run.sh: $PY is missing (bench/install-deps installs it)" >&2; exit 1; }

# the machine before we start: load, and CPU time of everyone (to tell how busy it was)
cat /proc/loadavg > "$OUT/loadavg_start.txt"
head -1 /proc/stat > "$OUT/stat_start.txt"
date +%s > "$OUT/time_start.txt"

# PyTorch's CPU tuning guide recommends a caching allocator; without one, glibc hands the
# optimizer's temporaries back to the kernel after every step and each step page-faults them in again.
TUNED_MALLOC="MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=1073741824"
ROUNDS=${BENCH_ROUNDS:-3}
r=1
part() {   # part NAME COMMAND...: run COMMAND with stdout to $OUT/NAME.rR.json, say how it went
    name=$1.r$r
    shift
    echo "== $name" >&2
    if ! "$@" > "$OUT/$name.json"; then
        echo "bench/run.sh: '$*' failed" >&2
        rm -f "$OUT/$name.json"
    fi
}

while [ "$r" -le "$ROUNDS" ]; do
    part peak "$OUT/bench_dlc" peak
    part dlc_models "$OUT/bench_dlc" models
    part dlc_gemm "$OUT/bench_dlc" gemm
    part blas env -u OPENBLAS_CORETYPE "$OUT/sgemm_blas"
    # OpenBLAS 0.3.21 does not know every CPU: on one it does not recognize it falls back to its
    # generic SSE3 kernels (core "Prescott"), which is not PyTorch's best.  Then, unless the
    # environment names a core, PyTorch and OpenBLAS also run with the kernels for the ISA the CPU
    # has (SkylakeX for AVX-512, Haswell for AVX2), and the comparison takes PyTorch's best.
    if [ "$r" = 1 ] && [ -z "${OPENBLAS_CORETYPE:-}" ] && grep -q '"core": "Prescott"' "$OUT/blas.r1.json" 2>/dev/null; then
        if grep -qw avx512f /proc/cpuinfo; then OPENBLAS_CORETYPE=SkylakeX
        elif grep -qw avx2 /proc/cpuinfo; then OPENBLAS_CORETYPE=Haswell; fi
        [ -n "${OPENBLAS_CORETYPE:-}" ] && { export OPENBLAS_CORETYPE; KERNELS=1; }
    fi
    [ -n "${OPENBLAS_CORETYPE:-}" ] && part blas_env "$OUT/sgemm_blas"

    # PyTorch twice: as installed, and with glibc's malloc keeping freed memory (TUNED_MALLOC)
    if "$PY" -c "import torch" 2>/dev/null; then
        for t in 1 2; do
            part "torch_default_$t" env -u OPENBLAS_CORETYPE "$PY" bench/torch_bench.py time "$t"
            part "torch_tuned_$t" env -u OPENBLAS_CORETYPE $TUNED_MALLOC "$PY" bench/torch_bench.py time "$t"
            [ -n "${KERNELS:-}" ] && part "torch_kernels_$t" env $TUNED_MALLOC "$PY" bench/torch_bench.py time "$t"
        done
    else
        echo "== torch: 'import torch' fails in $PY; PyTorch is left out" >&2
    fi
    r=$((r + 1))
done

# peak RSS of a 200-step training run (GNU time's %M: the child's max RSS in KiB)
echo "== rss" >&2
/usr/bin/time -f %M -o "$OUT/rss_dlc.txt" build/dlc train models/mlp.dlm --steps 200 --quiet > "$OUT/rss_dlc.log" 2>&1 ||
    { echo "bench/run.sh: dlc train failed:" >&2; cat "$OUT/rss_dlc.log" >&2; rm -f "$OUT/rss_dlc.txt"; }
if "$PY" -c "import torch" 2>/dev/null; then
    env -u OPENBLAS_CORETYPE /usr/bin/time -f %M -o "$OUT/rss_torch.txt" "$PY" bench/torch_bench.py train mlp 200 \
        > "$OUT/rss_torch.log" 2>&1 ||
        { echo "bench/run.sh: the torch training run failed:" >&2; cat "$OUT/rss_torch.log" >&2; rm -f "$OUT/rss_torch.txt"; }
fi

head -1 /proc/stat > "$OUT/stat_end.txt"
date +%s > "$OUT/time_end.txt"
cat /proc/loadavg > "$OUT/loadavg_end.txt"
times > "$OUT/times.txt"   # the shell's and its children's CPU time: what this script ran

exec "$PY" bench/report.py "$OUT"
