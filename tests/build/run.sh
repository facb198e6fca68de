#!/bin/sh
# `dlc build` end to end: for every model in models/, the object file and the C source agree
# with the JIT (forward outputs, losses and parameters over 5 training steps), the C compiles
# warning-free with gcc and clang and runs clean under ASan/UBSan, cross-target objects, the
# examples, and build errors that must leave no partial output.
cd "$(dirname "$0")/../.." || exit 1
SUITE=build
. tests/lib.sh
BUILD=${BUILD:-build}
LLVM_FLAGS="$(llvm-config-19 --cflags)"
LLVM_LIBS="$(llvm-config-19 --ldflags --libs)"

check_model() {   # MODEL: every check of one model (run two at a time; the machine has 2 cores)
    model=$1
    m=$(basename "$model" .dlm)
    "$DLC" build "$model" -o "$T/${m}_o.o" --name "${m}_o" > /dev/null || { fail "$m/obj" "dlc build failed"; return; }
    "$DLC" build "$model" --emit=c -o "$T/${m}_c.c" --name "${m}_c" > /dev/null || { fail "$m/c" "dlc build --emit=c failed"; return; }
    (   # the warning checks run beside the comparison below; clang's warnings are its front end's,
        # so it only parses; gcc's need its optimizer (-Wmaybe-uninitialized), so it compiles at -O2
    for cc in gcc clang; do
        if ! command -v $cc > /dev/null; then fail "$m/$cc" "$cc not installed"; continue; fi
        if [ $cc = clang ]; then mode=-fsyntax-only; else mode="-O2 -c -o $T/${m}_$cc.o"; fi
        # shellcheck disable=SC2086   # $mode is a list of options
        if out=$($cc -std=c99 -Wall -Wextra -Werror $mode "$T/${m}_c.c" 2>&1); then ok "$m/c-compiles-warning-free/$cc"
        else fail "$m/c-compiles-warning-free/$cc" "$(echo "$out" | head -3 | tr '\n' ' ')"; fi
    done > "$T/warn_$m.out" ) &
    # three-way comparison; the C part (and the harness) under AddressSanitizer and UBSan
    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
    if gcc -std=c99 -O1 -ffp-contract=off $SAN -c "$T/${m}_c.c" -o "$T/${m}_csan.o" &&
       gcc -std=c11 -O1 $SAN -Icompiler -Iruntime -I"$BUILD" $LLVM_FLAGS -DOBJ="${m}_o" -DCSRC="${m}_c" \
           tests/build/compare.c "$T/${m}_o.o" "$T/${m}_csan.o" "$BUILD/libdlc.a" "$BUILD/libdlrt.a" \
           $LLVM_LIBS -lz -lm -pthread -o "$T/compare_$m" 2> "$T/cc_$m.err"; then
        # a partial batch (one less than planned), at most 8 samples: the same code paths, less time
        batch=$(sed -n 's/.*batch \([0-9]*\).*/\1/p' "$model" | head -1)
        [ "$batch" -gt 9 ] && batch=9
        ASAN_OPTIONS=detect_leaks=0 "$T/compare_$m" "$model" $((batch - 1)) > "$T/cmp_$m.out" 2>&1
        st=$?
        grep -E '^(ok|not ok) - ' "$T/cmp_$m.out"
        [ $st = 0 ] && ok "$m/sanitizers-clean" || fail "$m/sanitizers-clean" "$(grep -m3 -E 'ERROR|runtime error' "$T/cmp_$m.out" | tr '\n' ' ')"
    else
        fail "$m/compare-builds" "$(head -3 "$T/cc_$m.err" | tr '\n' ' ')"
    fi
    wait
    cat "$T/warn_$m.out"
}

# two lanes, each checking its models in turn; the models alternate between them, largest file
# first (a rough measure of the work), so that both lanes stay busy to the end
lane() {   # LANE: the models at LANE, LANE+2, ...
    k=0
    for model in $(ls -S models/*.dlm); do
        [ $((k % 2)) = "$1" ] && check_model "$model" > "$T/$(basename "$model" .dlm).log" 2>&1
        k=$((k + 1))
    done
}
lane 0 &
lane 1 &
wait
cat "$T"/*.log

# ---- the C source alone, linked with nothing but libm --------------------------------------------
cat > "$T/main.c" <<'CEOF'
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "mlp.h"
int main(void) {
    static float image[MLP_IMAGE_SIZE], logits[MLP_OUTPUT_SIZE];
    static int32_t label[1] = {3};
    void *p = calloc(1, MLP_PARAM_BYTES), *g = calloc(1, MLP_PARAM_BYTES);
    void *s = calloc(1, MLP_STATE_BYTES), *w = calloc(1, MLP_WORK_BYTES);
    if (mlp_forward(p, image, logits, w, 1) != 0 || mlp_forward(p, image, logits, w, 0) != -1) return 1;
    if (!isnan(mlp_train_step(p, g, s, image, label, w, MLP_MAX_BATCH + 1, 0.1f, 1))) return 2;
    float loss = mlp_train_step(p, g, s, image, label, w, 1, 0.1f, 1);   /* zero weights: ln 10 */
    printf("%.5f\n", loss);
    return fabsf(loss - logf(10.0f)) < 1e-5f ? 0 : 3;
}
CEOF
"$DLC" build models/mlp.dlm --emit=c -o "$T/mlp.c" > /dev/null
if gcc -std=c99 -O2 -Wall -Wextra -Werror -I"$T" "$T/main.c" "$T/mlp.c" -lm -o "$T/alone" 2> "$T/cc.err" && "$T/alone" > /dev/null; then
    ok c-links-with-only-libm
else
    fail c-links-with-only-libm "$(head -3 "$T/cc.err" | tr '\n' ' ') status $?"
fi

# ---- other outputs and targets ------------------------------------------------------------------
expect emit-llvm 0 "wrote" "$DLC" build models/mlp.dlm --emit=llvm -o "$T/m.ll"
grep -q "define.*@mlp_train_step" "$T/m.ll" && ok llvm-has-wrappers || fail llvm-has-wrappers "no mlp_train_step in IR"
expect emit-asm 0 "wrote" "$DLC" build models/mlp.dlm --emit=asm -o "$T/m.s"
grep -q "mlp_forward:" "$T/m.s" && ok asm-has-forward || fail asm-has-forward "no mlp_forward label"
expect cross-aarch64 0 "wrote" "$DLC" build models/mlp.dlm --target aarch64-linux-gnu -o "$T/arm.o"
readelf -h "$T/arm.o" 2>/dev/null | grep -q AArch64 && ok aarch64-elf || fail aarch64-elf "$(readelf -h "$T/arm.o" 2>&1 | grep Machine)"
expect cross-generic-x86 0 "wrote" "$DLC" build models/mlp.dlm --target x86_64-linux-gnu --cpu x86-64 -o "$T/x86.o"
readelf -h "$T/x86.o" 2>/dev/null | grep -q "X86-64" && ok x86-64-elf || fail x86-64-elf "not an x86-64 object"
nm "$T/x86.o" | grep -q " T mlp_forward$" && nm "$T/x86.o" | grep -q " [DR] mlp_param_table$" && ok exported-symbols || fail exported-symbols "$(nm "$T/x86.o" | head -5 | tr '\n' ' ')"

# ---- the examples (built by `make examples`) --------------------------------------------------
EX=$BUILD/examples
acc=$("$EX/classify" 2>&1 | sed -n 's/^accuracy \([0-9.]*\).*/\1/p')
if [ -n "$acc" ] && awk "BEGIN{exit !($acc >= 0.84)}"; then ok "example-classify (accuracy $acc)"
else fail example-classify "accuracy '$acc'"; fi
want=$("$DLC" eval models/mlp.dlm --weights "$EX/mlp.safetensors" | sed -n 's/.*accuracy \([0-9.]*\).*/\1/p')
[ "$acc" = "$want" ] && ok "example-matches-dlc-eval ($want)" || fail example-matches-dlc-eval "classify $acc, dlc eval $want"
"$EX/finetune" /usr/share/datasets/fashion-mnist 300 > "$T/ft.out" 2>&1
first=$(grep '^step' "$T/ft.out" | head -1 | awk '{print $NF}'); last=$(grep '^step' "$T/ft.out" | tail -1 | awk '{print $NF}')
if [ -n "$first" ] && awk "BEGIN{exit !($last < 0.8 * $first)}"; then ok "example-finetune-loss-falls ($first -> $last)"
else fail example-finetune-loss-falls "$(tr '\n' ' ' < "$T/ft.out")"; fi

# ---- errors leave nothing behind ---------------------------------------------------------------
nothing_left() {   # NAME DIR: no outputs or temporaries in DIR
    if [ -z "$(ls -A "$2" 2>/dev/null)" ]; then ok "$1-leaves-nothing"; else fail "$1-leaves-nothing" "$(ls "$2" | tr '\n' ' ')"; fi
}
mkdir "$T/e1" "$T/e2" "$T/e3" "$T/e4" "$T/e5"
expect unwritable-path 1 "cannot write" "$DLC" build models/mlp.dlm -o "$T/no/such/dir/m.o"
expect unknown-target 1 "unknown target 'nonesuch-unknown-linux'" "$DLC" build models/mlp.dlm --target nonesuch-unknown-linux -o "$T/e1/m.o"
nothing_left unknown-target "$T/e1"
# targets LLVM has but dlc cannot serve (GPU, 8-bit, big-endian), and CPUs that do not fit the
# triple: user errors before any code is generated (LLVM aborted on the first two before)
expect unsupported-target 1 "is not supported" "$DLC" build models/mlp.dlm --target amdgcn-amd-amdhsa -o "$T/e1/m.o"
expect x32-target 1 "is not supported" "$DLC" build models/mlp.dlm --target x86_64-pc-linux-gnux32 -o "$T/e1/m.o"
expect big-endian-target 1 "is not supported" "$DLC" build models/mlp.dlm --target aarch64_be-linux-gnu -o "$T/e1/m.o"
expect cpu-of-another-target 1 "LLVM does not know the CPU 'znver4'" "$DLC" build models/mlp.dlm --target aarch64-linux-gnu --cpu znver4 -o "$T/e1/m.o"
expect cpu-32-bit 1 "LLVM cannot generate code for target 'x86_64-linux-gnu', CPU 'pentium'" "$DLC" build models/mlp.dlm --target x86_64-linux-gnu --cpu pentium -o "$T/e1/m.o"
expect cpu-unknown-x86 1 "LLVM does not know the CPU 'nonesuch' for target" "$DLC" build models/mlp.dlm --cpu nonesuch -o "$T/e1/m.o"
nothing_left unsupported-target-or-cpu "$T/e1"
expect bad-emit 1 "obj, c, llvm or asm" "$DLC" build models/mlp.dlm --emit=exe -o "$T/e1/m.o"
$PY - "$T" <<'PYEOF'
import json, struct, sys
import numpy as np
def write(path, tensors):
    header, blobs, off = {}, [], 0
    for name, arr in tensors.items():
        b = arr.tobytes()
        header[name] = {"dtype": {"float32": "F32", "int64": "I64"}[str(arr.dtype)], "shape": list(arr.shape),
                        "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode(); h += b" " * (-len(h) % 8)
    open(path, "wb").write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
good = {"fc1.weight": np.zeros((256, 784), np.float32), "fc1.bias": np.zeros(256, np.float32),
        "fc2.weight": np.zeros((128, 256), np.float32), "fc2.bias": np.zeros(128, np.float32),
        "out.weight": np.zeros((10, 128), np.float32), "out.bias": np.zeros(10, np.float32)}
t = sys.argv[1]
write(t + "/wrong_name.safetensors", {("fc3.weight" if k == "fc2.weight" else k): v for k, v in good.items()})
write(t + "/wrong_shape.safetensors", {k: (np.zeros((128, 255), np.float32) if k == "fc2.weight" else v) for k, v in good.items()})
write(t + "/wrong_dtype.safetensors", {k: (v.astype(np.int64) if k == "out.bias" else v) for k, v in good.items()})
PYEOF
expect weights-wrong-name 1 "no tensor 'fc2.weight'" "$DLC" build models/mlp.dlm --weights "$T/wrong_name.safetensors" -o "$T/e2/m.o"
nothing_left weights-wrong-name "$T/e2"
expect weights-wrong-shape 1 "'fc2.weight' has shape \[128, 255\], the model needs \[128, 256\]" "$DLC" build models/mlp.dlm --weights "$T/wrong_shape.safetensors" --emit=c -o "$T/e3/m.c"
nothing_left weights-wrong-shape "$T/e3"
expect weights-wrong-dtype 1 "'out.bias' is i64" "$DLC" build models/mlp.dlm --weights "$T/wrong_dtype.safetensors" -o "$T/e4/m.o"
nothing_left weights-wrong-dtype "$T/e4"
expect bad-name 1 "C identifier" "$DLC" build models/mlp.dlm --name 9lives -o "$T/e5/m.o"
nothing_left bad-name "$T/e5"
