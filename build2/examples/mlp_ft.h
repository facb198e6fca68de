/* mlp_ft.h — model 'mlp', built by dlc from models/mlp.dlm.  Generated: do not edit.
 *
 * Everything is caller-owned: the functions allocate nothing, print nothing, keep no state
 * and are reentrant (instances with their own blocks may run on different threads).
 *
 *   params     MLP_FT_PARAM_BYTES  parameters; layout in mlp_ft_param_table (PyTorch names/shapes)
 *   grads      MLP_FT_PARAM_BYTES  gradients, same layout (training only)
 *   opt_state  MLP_FT_STATE_BYTES  optimizer state; zero it before the first step
 *   workspace  MLP_FT_WORK_BYTES   activations and temporaries
 * Blocks must not overlap.  `batch` may be anything from 1 to MLP_FT_MAX_BATCH.
 *
 * Trained parameters are embedded as mlp_ft_weights (dlc build --weights); copy them into a
 * writable block to train.
 */
#ifndef MLP_FT_H
#define MLP_FT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MLP_FT_MAX_BATCH 64
#define MLP_FT_PARAM_BYTES 940608
#define MLP_FT_STATE_BYTES 1881216
#define MLP_FT_WORK_BYTES_FORWARD 425984   /* enough for mlp_ft_forward */
#define MLP_FT_WORK_BYTES_TRAIN 557184
#define MLP_FT_WORK_BYTES 557184          /* enough for every function */
#define MLP_FT_NUM_PARAMS 6

/* Tensors, batch-major; sizes are values per sample. */
#define MLP_FT_IMAGE_SIZE 784   /* input float [batch, 1, 28, 28] */
#define MLP_FT_LABEL_SIZE 1   /* target int32_t [batch], classes 0..9 */
#define MLP_FT_OUTPUT_SIZE 10   /* output float [batch, 10] */

/* Parameters: name, shape, byte offset in the parameter block (f32). */
/*   fc1.weight                   [256, 784]            0 */
/*   fc1.bias                     [256]            802816 */
/*   fc2.weight                   [128, 256]       803840 */
/*   fc2.bias                     [128]            934912 */
/*   out.weight                   [10, 128]        935424 */
/*   out.bias                     [10]             940544 */
typedef struct {
    const char *name;
    int rank;
    int64_t shape[8];
    size_t offset;
} mlp_ft_param_info;
extern const mlp_ft_param_info mlp_ft_param_table[MLP_FT_NUM_PARAMS];
#define MLP_FT_HAS_WEIGHTS 1
extern const unsigned char mlp_ft_weights[MLP_FT_PARAM_BYTES];   /* trained parameters */

/* Prediction for `batch` samples: writes output float [batch, 10].
 * Returns 0, or -1 when batch is out of range. */
int mlp_ft_forward(const void *params, const float *image, float *output, void *workspace, int64_t batch);

/* One training step: forward, backward and the optimizer update of params (and opt_state)
 * in place, at learning rate lr; step counts from 1 (Adam's bias correction).  Returns
 * the mean loss over the batch, or NaN when batch is out of range. */
float mlp_ft_train_step(void *params, void *grads, void *opt_state, const float *image, const int32_t *label,
    void *workspace, int64_t batch, float lr, int64_t step);

/* Threads: set this to a parallel-for — run task(ctx, 0 .. n-1), return when all are done;
 * e.g. dlrt_parallel_for of the dlc runtime — to split large matrix products over threads.
 * NULL (the default) runs everything on the calling thread.  Results are the same bit for
 * bit either way.  (The C source from --emit=c always runs on the calling thread.) */
extern void (*mlp_ft_parallel_for)(void (*task)(void *, int64_t), void *ctx, int64_t n);

/* The uniform low-level ABI (io[k] in the order above, the outputs last; sym[0] = batch;
 * hp[0] = lr, hp[1] = step; out[0] = loss, out[1..] = metric counts). */
void mlp_ft_infer(char *P, char *G, char *S, char *W, void *const *io, const int64_t *sym,
    const double *hp, double *out);
void mlp_ft_eval(char *P, char *G, char *S, char *W, void *const *io, const int64_t *sym,
    const double *hp, double *out);
void mlp_ft_train(char *P, char *G, char *S, char *W, void *const *io, const int64_t *sym,
    const double *hp, double *out);
void mlp_ft_grad(char *P, char *G, char *S, char *W, void *const *io, const int64_t *sym,
    const double *hp, double *out);

#ifdef __cplusplus
}
#endif
#endif
