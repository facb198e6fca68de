/* classify.c — a C program that links a model built by `dlc build --weights` (the object file
 * and its header mlp.h) and measures its accuracy on the Fashion-MNIST test set.  The dlc
 * runtime is linked only to read the IDX files.
 *
 *   dlc train models/mlp.dlm --save mlp.safetensors
 *   dlc build models/mlp.dlm --weights mlp.safetensors -o mlp.o
 *   cc -Iruntime classify.c mlp.o libdlrt.a -lz -lm -o classify
 *   ./classify [/usr/share/datasets/fashion-mnist]          (`make examples` does all this) */
#include <stdio.h>
#include <stdlib.h>

#include "dlrt.h"
#include "mlp.h"

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
    dlrt_dataset test;
    if (dlrt_dataset_idx(dir, "t10k", &test)) {
        fprintf(stderr, "classify: %s\n", dlrt_error());
        return 1;
    }
    /* the model's memory, sized by its header: no allocation inside the model */
    void *work = malloc(MLP_WORK_BYTES_FORWARD);
    float *logits = malloc(sizeof(float) * MLP_MAX_BATCH * MLP_OUTPUT_SIZE);
    const float *images = test.cols[0].data;
    const int32_t *labels = test.cols[1].data;
    int64_t correct = 0;
    for (int64_t start = 0; start < test.n; start += MLP_MAX_BATCH) {
        int64_t n = test.n - start < MLP_MAX_BATCH ? test.n - start : MLP_MAX_BATCH;
        if (mlp_forward(mlp_weights, images + start * MLP_IMAGE_SIZE, logits, work, n) != 0) return 1;
        for (int64_t i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < MLP_OUTPUT_SIZE; c++)
                if (logits[i * MLP_OUTPUT_SIZE + c] > logits[i * MLP_OUTPUT_SIZE + best]) best = c;
            correct += best == labels[start + i];
        }
    }
    printf("accuracy %.4f on %lld test images\n", (double)correct / (double)test.n, (long long)test.n);
    free(work);
    free(logits);
    dlrt_dataset_free(&test);
    return 0;
}
