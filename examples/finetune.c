/* finetune.c — on-device training with the C source that `dlc build --emit=c` writes: start
 * from embedded weights (a briefly trained checkpoint), run the generated train step over the
 * Fashion-MNIST training images and print the loss falling, then the test accuracy before
 * and after.  Only libm and, for reading IDX files, the dlc runtime are linked.
 *
 *   dlc train models/mlp.dlm --steps 30 --save start.safetensors
 *   dlc build models/mlp.dlm --emit=c --weights start.safetensors --name mlp_ft -o mlp_ft.c
 *   cc -Iruntime finetune.c mlp_ft.c libdlrt.a -lz -lm -o finetune     (`make examples`) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlrt.h"
#include "mlp_ft.h"

static double accuracy(const void *params, const dlrt_dataset *d, void *work, float *logits) {
    const float *x = d->cols[0].data;
    const int32_t *y = d->cols[1].data;
    int64_t correct = 0;
    for (int64_t s = 0; s < d->n; s += MLP_FT_MAX_BATCH) {
        int64_t n = d->n - s < MLP_FT_MAX_BATCH ? d->n - s : MLP_FT_MAX_BATCH;
        mlp_ft_forward(params, x + s * MLP_FT_IMAGE_SIZE, logits, work, n);
        for (int64_t i = 0; i < n; i++) {
            int best = 0;
            for (int c = 1; c < MLP_FT_OUTPUT_SIZE; c++)
                if (logits[i * MLP_FT_OUTPUT_SIZE + c] > logits[i * MLP_FT_OUTPUT_SIZE + best]) best = c;
            correct += best == y[s + i];
        }
    }
    return (double)correct / (double)d->n;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/usr/share/datasets/fashion-mnist";
    int steps = argc > 2 ? atoi(argv[2]) : 400;
    dlrt_dataset train, test;
    if (dlrt_dataset_idx(dir, "train", &train) || dlrt_dataset_idx(dir, "t10k", &test)) {
        fprintf(stderr, "finetune: %s\n", dlrt_error());
        return 1;
    }
    /* writable parameters, gradients, zeroed optimizer state, workspace */
    void *params = malloc(MLP_FT_PARAM_BYTES), *grads = malloc(MLP_FT_PARAM_BYTES);
    void *state = calloc(1, MLP_FT_STATE_BYTES), *work = malloc(MLP_FT_WORK_BYTES);
    float *logits = malloc(sizeof(float) * MLP_FT_MAX_BATCH * MLP_FT_OUTPUT_SIZE);
    memcpy(params, mlp_ft_weights, MLP_FT_PARAM_BYTES);
    printf("test accuracy before: %.4f\n", accuracy(params, &test, work, logits));

    const float *x = train.cols[0].data;
    const int32_t *y = train.cols[1].data;
    const int64_t B = MLP_FT_MAX_BATCH;
    double window = 0;
    for (int step = 1; step <= steps; step++) {
        int64_t start = ((int64_t)(step - 1) * B) % (train.n - B);
        window += mlp_ft_train_step(params, grads, state, x + start * MLP_FT_IMAGE_SIZE, y + start, work, B,
                                    1e-3f, step);
        if (step % 50 == 0) {
            printf("step %4d  mean loss of the last 50 steps %.4f\n", step, window / 50);
            window = 0;
        }
    }
    printf("test accuracy after:  %.4f\n", accuracy(params, &test, work, logits));
    free(params); free(grads); free(state); free(work); free(logits);
    dlrt_dataset_free(&train);
    dlrt_dataset_free(&test);
    return 0;
}
