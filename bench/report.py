#!/usr/bin/python3
"""The report of `make bench`: reads the parts bench/run.sh wrote to DIR (build/bench), prints
the table and writes DIR/results.json with every number (raw milliseconds and the derived
GFLOP/s, % of peak and ratios).  Missing parts are reported as missing.  A part's rounds
(NAME.rN.json) are merged first: each time is its best round's (merge_rounds).

  report.py DIR

Definitions (also in docs/bench.md):
  GFLOP/s      the analytic FLOP count of bench.h (products only) / median time
  % of peak    GFLOP/s / the measured FMA peak at the same thread count
  torch/dlc    PyTorch's best time (over 1 and 2 threads, as installed and with glibc malloc keeping
               freed memory) / dlc's best time (over 1 and 2 threads): > 1, dlc is faster
  dlc/OpenBLAS dlc's GFLOP/s / OpenBLAS's at the same thread count: > 1, dlc is faster
"""
import glob
import json
import os
import re
import platform
import subprocess
import sys
import time

THREADS = ("1", "2")
TORCH_CONFIGS = ("default", "tuned", "kernels")


def load(path):
    try:
        with open(path) as f:
            return json.load(f) if path.endswith(".json") else f.read().strip()
    except (OSError, ValueError):
        return None


def round_rule(key):
    """How the rounds of a number under `key` merge: a time (a key ending in _ms or _s, or an
    "ms" object) takes its smallest, the peak's GFLOP/s (its "threads" object) its largest;
    None: the first round's."""
    if key == "threads":
        return max
    if key == "ms" or key.endswith(("_ms", "_s")):
        return min
    return None


def merge_rounds(runs, key=""):
    """One part's rounds (parsed JSON of the same shape) as one, by round_rule."""
    first = runs[0]
    if isinstance(first, dict):   # {"train_ms": {"1": .., "2": ..}}: the numbers inside are times too
        return {k: merge_rounds([r[k] for r in runs if isinstance(r, dict) and k in r], key if round_rule(key) else k)
                for k in first}
    if isinstance(first, list):
        n = min(len(r) for r in runs if isinstance(r, list))
        return [merge_rounds([r[i] for r in runs if isinstance(r, list)], key) for i in range(n)] + first[n:]
    nums = [r for r in runs if isinstance(r, (int, float)) and not isinstance(r, bool)]
    rule = round_rule(key)
    return rule(nums) if rule and nums and not isinstance(first, bool) else first


def load_part(d, name):
    """bench/run.sh's part NAME, its rounds (NAME.r1.json, NAME.r2.json, ...) merged; None when
    no round of it succeeded"""
    paths = glob.glob(f"{glob.escape(d)}/{name}.r*.json")
    rounds = sorted(int(m.group(1)) for m in (re.fullmatch(rf"{re.escape(name)}\.r(\d+)\.json", os.path.basename(p))
                                               for p in paths) if m)
    runs = [run for run in (load(f"{d}/{name}.r{r}.json") for r in rounds) if run is not None]
    return merge_rounds(runs) if runs else None


def cpu_seconds(text):
    """'1m2.5s 0m0.3s' (sh's times) -> 62.8"""
    total = 0.0
    for field in (text or "").split():
        m, s = field.rstrip("s").split("m")
        total += 60 * float(m) + float(s)
    return total


def machine_info(d):
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                                timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    info = {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "commit": commit,
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE"),
            "loadavg_start": load(f"{d}/loadavg_start.txt"), "loadavg_end": load(f"{d}/loadavg_end.txt")}
    info["rounds"] = len(glob.glob(f"{glob.escape(d)}/dlc_models.r*.json"))
    # how busy the machine was with other work: all CPU time spent minus the bench's own
    s0, s1 = load(f"{d}/stat_start.txt"), load(f"{d}/stat_end.txt")
    t0, t1 = load(f"{d}/time_start.txt"), load(f"{d}/time_end.txt")
    if s0 and s1 and t0 and t1:
        # user nice system idle iowait irq softirq steal (guest time is already in user)
        a, b = [int(x) for x in s0.split()[1:9]], [int(x) for x in s1.split()[1:9]]
        delta = [y - x for x, y in zip(a, b)]
        busy = (sum(delta) - delta[3] - delta[4]) / os.sysconf("SC_CLK_TCK")
        own = cpu_seconds((load(f"{d}/times.txt") or "").splitlines()[-1:][0] if load(f"{d}/times.txt") else "")
        wall = max(int(t1) - int(t0), 1)
        info.update({"wall_s": wall, "cpu_s_all": round(busy, 1), "cpu_s_bench": round(own, 1),
                     "other_load": round(max(busy - own, 0) / wall, 2)})
    return info


def gflops(flops, ms):
    return flops / (ms * 1e-3) / 1e9 if ms else None


def pct(g, peak):
    return 100 * g / peak if g and peak else None


def f(x, spec, width):
    """x formatted, or '-' when missing, right-aligned to width"""
    return (format(x, spec) if x is not None else "-").rjust(width)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
    res = {"machine": machine_info(d), "notes": []}
    notes = res["notes"]

    peak = load_part(d, "peak")
    peaks = peak["threads"] if peak and "threads" in peak else {}
    res["peak"] = peak

    # ---- models
    dm = load_part(d, "dlc_models")
    # PyTorch as installed ("default") and with glibc malloc keeping freed memory ("tuned")
    torch_runs = {(cfg, t): load_part(d, f"torch_{cfg}_{t}") for cfg in TORCH_CONFIGS for t in THREADS}
    torch_by = {}
    for (cfg, t), run in torch_runs.items():
        for m in (run or {}).get("models", []):
            torch_by.setdefault(m["name"], {})[(cfg, t)] = m
    models = []
    for m in (dm or {}).get("models", []):
        row = dict(m)
        if "error" not in m:
            for kind in ("train", "infer"):
                flops = m["flops_train" if kind == "train" else "flops_forward"]
                per = {}
                for t in THREADS:
                    ms = m[f"{kind}_ms"].get(t)
                    g = gflops(flops, ms)
                    per[t] = {"ms": ms, "gflops": g, "pct_peak": pct(g, peaks.get(t))}
                best_t = min(per, key=lambda t: per[t]["ms"])
                entry = {"flops": flops, "dlc": per, "dlc_best_ms": per[best_t]["ms"], "dlc_best_threads": int(best_t)}
                tm = torch_by.get(m["name"], {})
                if tm:
                    entry["torch"] = {}
                    for cfg in TORCH_CONFIGS:
                        tt = {t: tm[(cfg, t)][f"{kind}_ms"] for t in THREADS if (cfg, t) in tm}
                        if not tt:
                            continue
                        tbest = min(tt, key=tt.get)
                        entry["torch"][cfg] = {"ms": tt, "best_ms": tt[tbest], "best_threads": int(tbest),
                                               "best_gflops": gflops(flops, tt[tbest]),
                                               "over_dlc": tt[tbest] / per[best_t]["ms"],
                                               "over_dlc_same_threads": {t: tt[t] / per[t]["ms"] for t in tt}}
                    cands = [(v["best_ms"], cfg) for cfg, v in entry["torch"].items()]
                    if cands:
                        best_ms, best_cfg = min(cands)
                        entry["torch_best_ms"] = best_ms
                        entry["torch_best_config"] = best_cfg
                        entry["torch_best_threads"] = entry["torch"][best_cfg]["best_threads"]
                        entry["torch_over_dlc"] = best_ms / per[best_t]["ms"]
                    for key_, tmod in tm.items():
                        if tmod.get("batch") != m.get("batch"):
                            notes.append(f"{m['name']}: torch's batch {tmod.get('batch')} differs from dlc's "
                                         f"{m.get('batch')}")
                            break
                row[kind] = entry
        models.append(row)
    res["models"] = models
    res["torch_runs"] = {f"{cfg}_{t}": {k: v for k, v in r.items() if k != "models"}
                         for (cfg, t), r in torch_runs.items() if r}

    # ---- gemm
    dg, bl, be = load_part(d, "dlc_gemm"), load_part(d, "blas"), load_part(d, "blas_env")

    def key(c):
        return (c["m"], c["n"], c["k"], c["ta"], c["tb"])

    blas_by = {key(c): c for c in (bl or {}).get("gemm", [])}
    env_by = {key(c): c for c in (be or {}).get("gemm", [])}
    gemms = []
    for c in (dg or {}).get("gemm", []):
        flops = 2.0 * c["m"] * c["n"] * c["k"]
        row = {"label": c["label"], "m": c["m"], "n": c["n"], "k": c["k"], "ta": c["ta"], "tb": c["tb"],
               "flops": flops, "dlc_rel_err": c.get("rel_err"), "dlc": {}, "openblas": {}, "openblas_env": {}}
        for t in THREADS:
            g = gflops(flops, c["ms"].get(t))
            row["dlc"][t] = {"ms": c["ms"].get(t), "gflops": g, "pct_peak": pct(g, peaks.get(t))}
            for name, src in (("openblas", blas_by), ("openblas_env", env_by)):
                b = src.get(key(c))
                if b:
                    bg = gflops(flops, b["ms"].get(t))
                    row[name][t] = {"ms": b["ms"].get(t), "gflops": bg, "pct_peak": pct(bg, peaks.get(t)),
                                    "rel_err": b.get("rel_err")}
            ob = row["openblas"].get(t)
            row["dlc"][t]["over_openblas"] = g / ob["gflops"] if g and ob and ob["gflops"] else None
        d1, d2 = row["dlc"]["1"]["ms"], row["dlc"]["2"]["ms"]
        row["dlc_speedup_2t"] = d1 / d2 if d1 and d2 else None
        gemms.append(row)
    res["gemm"] = gemms
    res["openblas"] = {k: v for k, v in (bl or {}).items() if k != "gemm"}
    res["openblas_env"] = {k: v for k, v in (be or {}).items() if k != "gemm"} if be else None

    # ---- rss
    rss = {}
    for who in ("dlc", "torch"):
        v = load(f"{d}/rss_{who}.txt")
        rss[who] = int(v.split()[-1]) / 1024 if v and v.split()[-1].isdigit() else None
    rss["torch_over_dlc"] = rss["torch"] / rss["dlc"] if rss["dlc"] and rss["torch"] else None
    rss["what"] = ("mlp, 200 training steps on Fashion-MNIST, data loading and the test-set evaluation included "
                   "(both hold the 70000 images as bytes, 52 MiB, and make f32 batches of them)")
    res["rss_mib"] = rss

    # ---- warnings about the measurement itself
    mi = res["machine"]
    if mi.get("other_load") is not None and mi["other_load"] > 0.15:
        notes.append(f"other processes kept {mi['other_load']:.2f} cores busy on average during the run: "
                     "timings (the 2-thread ones most) are unreliable; rerun on an idle machine")
    if peaks.get("1") and peaks.get("2") and peaks["2"] < 1.6 * peaks["1"]:
        notes.append(f"the 2-thread FMA peak is only {peaks['2'] / peaks['1']:.2f}x the 1-thread one: "
                     "the second core was busy or is an SMT sibling")
    for m in models:
        if "error" in m:
            notes.append(f"{m['name']}: dlc failed: {m['error']}")
    for c in gemms:   # the sampled check of the results (rel_err null: a NaN)
        for name, src in (("dlc", c), ("OpenBLAS", c["openblas"].get("1") or {})):
            e = src.get("dlc_rel_err" if name == "dlc" else "rel_err", 0)
            if e is None or not e <= 1e-4:
                notes.append(f"{name} sgemm {c['m']}x{c['n']}x{c['k']}: wrong results, sampled relative error "
                             f"{'NaN' if e is None else format(e, '.3g')}")
    for part in ("peak", "dlc_models", "dlc_gemm", "blas"):
        if load_part(d, part) is None:
            notes.append(f"part '{part}' is missing (it failed; see the messages above)")
    if not any(torch_runs.values()):
        notes.append("PyTorch is not in the comparison: 'import torch' failed or its runs failed")

    with open(f"{d}/results.json", "w") as fjson:
        json.dump(res, fjson, indent=1)
    print_report(res, peaks)
    print(f"\nall numbers: {d}/results.json")


def print_report(res, peaks):
    mi = res["machine"]
    print()
    print(f"dlc benchmark  {mi['date']}  {mi['commit']}")
    print(f"machine: {mi['cpu']}, {mi['cores']} cores, Linux {mi['kernel']}; load average at start "
          f"{(mi['loadavg_start'] or '?').split(' ')[0]}" +
          (f"; other processes: {mi['other_load']:.2f} cores on average over {mi['wall_s']} s" if "other_load" in mi else ""))
    p = res["peak"] or {}
    if peaks:
        print(f"fp32 FMA peak ({p.get('isa')}, {p.get('chains')} chains per core): "
              f"1 core {peaks.get('1', 0):.1f} GFLOP/s, 2 cores {peaks.get('2', 0):.1f} GFLOP/s")

    print(f"\nEvery time is the best of {mi['rounds']} rounds (bench/run.sh runs each timed part once a round).")
    print("\nModels: median ms per call; GFLOP/s from the products only (forward 2MNK each; train = forward")
    print("+ weight gradients + input gradients but the first layer's); % of the FMA peak at the same thread")
    kernels = any(k.startswith("kernels_") for k in res["torch_runs"])
    print("count.  torch: best of 1 and 2 threads (t), as installed and with glibc malloc keeping freed memory" +
          (";\n+kernels: also with OpenBLAS's kernels for this CPU's ISA (OPENBLAS_CORETYPE="
           f"{(res.get('openblas_env') or {}).get('OPENBLAS_CORETYPE')}), as OpenBLAS does not recognize it;" if kernels else ";"))
    print("torch/dlc: the best torch / dlc's best (> 1: dlc is faster)")
    print(f"{'model':<6} {'compile':>7} {'call':<5} {'MFLOP':>6} | {'dlc 1 thread':^20} | {'dlc 2 threads':^20} |"
          f" {'torch':^11} {'malloc-tuned':^12}{' +kernels   ' if kernels else ''} | {'torch/':>6}")
    print(f"{'':<6} {'s':>7} {'':<5} {'':>6} | {'ms':>6} {'GFLOP/s':>7} {'%pk':>5} | {'ms':>6} {'GFLOP/s':>7} {'%pk':>5} |"
          f" {'ms':>8}   {'ms':>9}   {'     ms     ' if kernels else ''} | {'dlc':>6}")
    for m in res["models"]:
        if "error" in m:
            print(f"{m['name']:<6} dlc failed: {m['error']}")
            continue
        for kind in ("train", "infer"):
            e = m[kind]
            d1, d2 = e["dlc"]["1"], e["dlc"]["2"]
            tcells = []
            for cfg in TORCH_CONFIGS if kernels else TORCH_CONFIGS[:2]:
                v = e.get("torch", {}).get(cfg)
                tcells.append(f"{v['best_ms']:>8.3f} {v['best_threads']}t" if v else f"{'-':>8}   ")
            print(f"{m['name'] if kind == 'train' else '':<6} "
                  f"{f(m['compile_s'], '.2f', 7) if kind == 'train' else '':>7} {kind:<5} {e['flops'] / 1e6:>6.1f} | "
                  f"{f(d1['ms'], '.3f', 6)} {f(d1['gflops'], '.1f', 7)} {f(d1['pct_peak'], '.1f', 5)} | "
                  f"{f(d2['ms'], '.3f', 6)} {f(d2['gflops'], '.1f', 7)} {f(d2['pct_peak'], '.1f', 5)} | "
                  f"{'  '.join(tcells)}  | {f(e.get('torch_over_dlc'), '.2f', 6)}")

    ob = res.get("openblas") or {}
    oe = res.get("openblas_env")
    version = ob["library"].split(" ")[1] if ob.get("library") else "?"
    print(f"\nsgemm, row-major C = op(A) op(B): GFLOP/s and % of peak; OB = OpenBLAS {version} with the "
          f"{ob.get('core', '?')} kernels it picks")
    print("for this CPU; dlc/OB > 1: dlc is faster; 2t/1t: dlc's 2-thread speedup" +
          (f"; last column: OpenBLAS with OPENBLAS_CORETYPE={oe.get('OPENBLAS_CORETYPE')} from the environment"
           if oe else ""))
    extra = f"  OB {oe.get('core')} 1t / 2t" if oe else ""
    print(f"{'case':<10} {'M x N x K':>17} {'op':<2} | {'dlc 1t':>13} {'OB 1t':>13} {'dlc/OB':>6} | {'dlc 2t':>13} "
          f"{'OB 2t':>13} {'dlc/OB':>6} | {'2t/1t':>5}{extra}")
    for c in res["gemm"]:
        cells = []
        for t in THREADS:
            dd, bb = c["dlc"][t], c["openblas"].get(t) or {}
            cells.append(f"{f(dd['gflops'], '.1f', 6)} {f(dd['pct_peak'], '.0f', 4)}% "
                         f"{f(bb.get('gflops'), '.1f', 6)} {f(bb.get('pct_peak'), '.0f', 4)}% {f(dd.get('over_openblas'), '.2f', 6)}")
        env = ""
        if oe:
            e1, e2 = c["openblas_env"].get("1") or {}, c["openblas_env"].get("2") or {}
            env = f"  {f(e1.get('gflops'), '.1f', 6)} / {f(e2.get('gflops'), '.1f', 6)}"
        op = ("T" if c["ta"] else "N") + ("T" if c["tb"] else "N")
        print(f"{c['label']:<10} {c['m']:>5}x{c['n']:>5}x{c['k']:>5} {op:<2} | {cells[0]} | {cells[1]} | "
              f"{f(c['dlc_speedup_2t'], '.2f', 5)}{env}")

    r = res["rss_mib"]
    print(f"\nPeak RSS, {r['what']}:")
    print(f"  dlc   {f(r['dlc'], '.0f', 5)} MiB   (build/dlc train models/mlp.dlm --steps 200)")
    print(f"  torch {f(r['torch'], '.0f', 5)} MiB   (bench/torch_bench.py train mlp 200)   torch/dlc "
          f"{f(r['torch_over_dlc'], '.2f', 4)}")
    if res["notes"]:
        print("\nnotes:")
        for n in res["notes"]:
            print(f"  - {n}")


if __name__ == "__main__":
    main()
