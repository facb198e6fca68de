/* dlrt.h — the dlc runtime: the minimal C library that compiled models link against.
 *
 * Everything here is plain C99 with a dlrt_ prefix.  It holds what a model needs around its
 * generated kernels: dtype-tagged arrays, a counter-based RNG (reproducible init, shuffling,
 * dropout), parameter initialization, file formats (safetensors, NPY, IDX), datasets and
 * batching, and the training loop that drives generated step functions.
 *
 * Errors: functions that can fail on user input return 0 on success and -1 on failure, with a
 * human-readable message retrievable by dlrt_error().  The runtime never exits the process. */
#ifndef DLRT_H
#define DLRT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DLRT_MAX_RANK 8

/* ---- errors ---------------------------------------------------------------------------- */
/* The message of the last failing call (thread-local to the caller's thread). */
const char *dlrt_error(void);
/* Set the message (printf-style); always returns -1 so callers can `return dlrt_fail(...)`. */
int dlrt_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* ---- dtypes and arrays ----------------------------------------------------------------- */
typedef enum { DLRT_F32, DLRT_F64, DLRT_I32, DLRT_I64, DLRT_U8, DLRT_DTYPE_COUNT } dlrt_dtype;

size_t dlrt_dtype_size(dlrt_dtype t);
const char *dlrt_dtype_name(dlrt_dtype t);          /* "f32", "f64", "i32", "i64", "u8" */

/* A dense row-major array that owns its data (malloc'd). */
typedef struct {
    dlrt_dtype dtype;
    int rank;
    int64_t shape[DLRT_MAX_RANK];
    void *data;
} dlrt_array;

int64_t dlrt_array_numel(const dlrt_array *a);
size_t dlrt_array_nbytes(const dlrt_array *a);
/* Allocate a zero-filled array; returns -1 (with dlrt_error) on bad shape or out of memory. */
int dlrt_array_alloc(dlrt_array *a, dlrt_dtype t, int rank, const int64_t *shape);
void dlrt_array_free(dlrt_array *a);
/* Element i converted to double, and stored from double (with the array's dtype). */
double dlrt_get(const void *data, dlrt_dtype t, int64_t i);
void dlrt_set(void *data, dlrt_dtype t, int64_t i, double v);
/* Convert n elements between dtypes (same dtype is a memcpy). */
void dlrt_convert(void *dst, dlrt_dtype dt, const void *src, dlrt_dtype st, int64_t n);

/* ---- counter-based RNG ------------------------------------------------------------------ */
/* Stateless: the value depends only on (seed, stream, counter), so runs are reproducible
 * regardless of order or threads. */
uint64_t dlrt_rand_u64(uint64_t seed, uint64_t stream, uint64_t counter);
double dlrt_rand_uniform(uint64_t seed, uint64_t stream, uint64_t counter); /* [0, 1) */
/* In-place Fisher-Yates shuffle of idx[0..n) for one epoch. */
void dlrt_shuffle(int64_t *idx, int64_t n, uint64_t seed, uint64_t epoch);

/* ---- safetensors ------------------------------------------------------------------------ */
/* https://github.com/huggingface/safetensors format: u64 LE header length, JSON header
 * {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, "__metadata__": {..}},
 * then the byte buffer.  Names and layouts follow PyTorch (Linear weight [out, in]). */
typedef struct {
    char *name;
    dlrt_array array;
} dlrt_named_array;

typedef struct {
    int count;
    dlrt_named_array *items;
    int n_meta;                        /* "__metadata__" string entries: meta[2k] = meta[2k+1] */
    char **meta;
} dlrt_tensor_set;

/* Read every tensor (F32, F64, I32, I64, U8 supported); validates offsets and sizes. */
int dlrt_safetensors_read(const char *path, dlrt_tensor_set *out);
/* Write atomically: to "<path>.tmp.<pid>" then rename.  metadata may be NULL, or an array of
 * n_meta key/value string pairs. */
int dlrt_safetensors_write(const char *path, const dlrt_tensor_set *set,
                           const char *const *meta_kv, int n_meta);
const dlrt_array *dlrt_tensor_set_find(const dlrt_tensor_set *s, const char *name);
void dlrt_tensor_set_free(dlrt_tensor_set *s);
/* The metadata value of `key`, or NULL. */
const char *dlrt_tensor_set_meta(const dlrt_tensor_set *s, const char *key);

/* ---- NPY -------------------------------------------------------------------------------- */
/* NumPy .npy v1/v2/v3, little-endian <f4 <f8 <i4 <i8 |u1, C order. */
int dlrt_npy_read(const char *path, dlrt_array *out);
int dlrt_npy_write(const char *path, const dlrt_array *a);   /* atomic, like safetensors */

/* ---- IDX (MNIST family), gzip or raw ------------------------------------------------------ */
int dlrt_idx_read(const char *path, dlrt_array *out);      /* u8 data stays u8 */


/* ---- compiled models (model.c) ---------------------------------------------------------- */
/* Every generated function has this ABI (docs/abi.md): parameter, gradient, optimizer-state and
 * workspace blocks; io[k] points at input/target/output k (batch-major); sym[0] is the batch;
 * hp[0] the learning rate, hp[1] the 1-based optimizer step; out[] receives scalar results
 * (out[0] the mean loss, then metrics as counts). */
typedef void (*dlrt_step_fn)(char *P, char *G, char *S, char *W, void *const *io,
                             const int64_t *sym, const double *hp, double *out);

typedef enum { DLRT_INIT_ZEROS, DLRT_INIT_ONES, DLRT_INIT_UNIFORM, DLRT_INIT_NORMAL } dlrt_init;

typedef struct {
    const char *name;                  /* PyTorch state_dict name, e.g. "fc1.weight" */
    dlrt_dtype dtype;
    int rank;
    int64_t shape[DLRT_MAX_RANK];      /* PyTorch layout, e.g. Linear weight [out, in] */
    size_t offset;                     /* bytes into the parameter block */
    dlrt_init init;
    double init_a;                     /* uniform bound or normal std */
    int trainable;                     /* 0 for buffers (BatchNorm running statistics, counters) */
    int64_t zero_row;                  /* a row initialized to zeros (an embedding's padding), or -1 */
} dlrt_param;

typedef struct {
    const char *name;
    dlrt_dtype dtype;
    int rank;
    int64_t shape[DLRT_MAX_RANK];      /* one sample: the batch dim left out; symbolic dims at their maximum */
    int sym[DLRT_MAX_RANK];            /* which symbolic dim each of those is (sym index), or 0 when fixed */
    int is_target;
    int64_t classes;                   /* integer targets: labels in [0, classes) */
} dlrt_io;

enum { DLRT_FN_INFER, DLRT_FN_EVAL, DLRT_FN_TRAIN, DLRT_FN_GRAD, DLRT_FN_COUNT };

/* A result per batch is a mean over its samples (MEAN), or a count summed over batches and
 * divided by the samples (COUNT); EXP and BITS are means reported as e^mean (perplexity from
 * cross-entropy) and mean / ln 2 (bits per token). */
enum { DLRT_RESULT_MEAN, DLRT_RESULT_COUNT, DLRT_RESULT_EXP, DLRT_RESULT_BITS };
double dlrt_result_value(int kind, double mean);

typedef struct {
    const char *name;
    dlrt_dtype fdtype;                 /* float type of parameters and activations */
    int n_params;
    const dlrt_param *params;
    size_t param_bytes, state_bytes;
    size_t work_bytes[DLRT_FN_COUNT];
    int n_io, n_inputs;                /* io[0..n_inputs): inputs and targets; then outputs */
    const dlrt_io *io;
    int n_results;                     /* results[0] is the loss */
    const char *const *result_names;
    const int *result_kind;            /* how a result aggregates over batches: DLRT_RESULT_* */
    int64_t max_batch;                 /* the workspace is planned for batches up to this */
    int64_t sym_max[4];                /* ... and each symbolic dim (sym[0] the batch) up to these */
    int64_t sym_min[4];                /* ... and from these (x[:, -8:] reads 8 steps), 0 = 1 */
    dlrt_step_fn fn[DLRT_FN_COUNT];
} dlrt_model;

/* The sym[] argument for a batch of n with the other symbolic dims at their maximum. */
void dlrt_syms(const dlrt_model *m, int64_t batch, int64_t sym[4]);

/* Parameters, gradients, optimizer state and workspace of one model instance. */
typedef struct {
    const dlrt_model *m;
    char *P, *G, *S, *W;
    int64_t step;                      /* optimizer steps taken */
} dlrt_session;

int dlrt_session_init(dlrt_session *s, const dlrt_model *m, uint64_t seed);
void dlrt_session_free(dlrt_session *s);
/* (Re)initialize parameters as PyTorch does by default, from the seed; zero the state. */
void dlrt_init_params(dlrt_session *s, uint64_t seed);
/* Load parameters by name: every model parameter must be present with its shape; dtypes are
 * converted.  Extra tensors are an error (names listed). */
int dlrt_load_params(dlrt_session *s, const dlrt_tensor_set *set);
int dlrt_load_params_file(dlrt_session *s, const char *path);
/* Write the parameters as safetensors (atomic), with n_meta extra metadata pairs kv. */
int dlrt_save_params(const dlrt_session *s, const char *path);
int dlrt_save_params_meta(const dlrt_session *s, const char *path, const char *const *kv, int n_meta);

/* ---- datasets and training (data.c, train.c) -------------------------------------------------- */
/* Columns of equal length (dim 0 = samples), matched to the model's io slots in order.
 * A text dataset (window > 0) holds one column of token ids instead; sample i is a window of
 * `window` ids (the model's first input) and the ids one position later (its target): the
 * i-th non-overlapping window, or in training a window at a random position. */
typedef struct {
    int64_t n;
    int ncols;
    dlrt_array cols[8];
    int64_t window;
    float divisor[8];   /* column k's values are divided by divisor[k] (f32) as batches are
                         * gathered; 0: used as they are */
} dlrt_dataset;

/* The Fashion-MNIST/MNIST IDX pair "<prefix>-images-idx3-ubyte(.gz)" and labels in `dir`;
 * prefix is "train" or "t10k".  Images become f32 in [0, 1] (as torchvision's ToTensor). */
int dlrt_dataset_idx(const char *dir, const char *prefix, dlrt_dataset *out);
/* The same, but byte images stay bytes (a quarter of the memory) with divisor 255: training
 * and evaluation gather the same f32 values, (float)byte / 255.0f, one batch at a time. */
int dlrt_dataset_idx_bytes(const char *dir, const char *prefix, dlrt_dataset *out);
/* One NPY file per column (the model's inputs and targets in order), samples along dim 0. */
int dlrt_dataset_npy(const char *const *paths, int n, dlrt_dataset *out);
/* A numeric CSV table (csv.c): the target column (by header name, else by index, negative
 * counting from the end) becomes column 1 [N], the other columns in file order column 0 [N, F];
 * both f64.  A first line with a field that is not a number is the header. */
int dlrt_dataset_csv(const char *path, const char *target_name, int64_t target_index, dlrt_dataset *out);
/* Check columns against the model's inputs/targets: per-sample element counts, label range. */
int dlrt_dataset_check(const dlrt_dataset *d, const dlrt_model *m, const char *what);
/* Split off the last `frac` of the samples as a held-out set. */
int dlrt_dataset_split(dlrt_dataset *d, double frac, dlrt_dataset *held_out);
void dlrt_dataset_free(dlrt_dataset *d);

/* Text (text.c): a corpus as ids into the sorted vocabulary of the codes present. */
enum { DLRT_TEXT_BYTES, DLRT_TEXT_UTF8 };
typedef struct {
    int unit;                          /* DLRT_TEXT_BYTES or DLRT_TEXT_UTF8 */
    int64_t nvocab;
    int32_t *vocab;                    /* the code of each id, ascending */
    int64_t ntokens;
    int32_t *ids;
} dlrt_text;
/* A file, or a directory's regular files not ending in .dat, in name order. */
int dlrt_text_read(const char *path, int unit, dlrt_text *out);
int64_t dlrt_text_id(const dlrt_text *t, int32_t code);          /* -1 when not in the vocabulary */
int dlrt_text_encode(const dlrt_text *t, const char *s, int32_t **ids, int64_t *n);
int dlrt_text_put(const dlrt_text *t, int64_t id, FILE *out);   /* write one token's text */
/* The vocabulary as "bytes:10,32,..." (malloc'd; checkpoint metadata "dlc.vocab"), and back. */
char *dlrt_text_vocab_string(const dlrt_text *t);
int dlrt_text_from_vocab_string(const char *s, dlrt_text *out);
void dlrt_text_free(dlrt_text *t);
/* Windows of ids[from, to) (see dlrt_dataset). */
int dlrt_dataset_text(const dlrt_text *t, int64_t window, int64_t from, int64_t to, dlrt_dataset *out);

/* Learning rate over training (PyTorch's schedulers, stepped as the comment says):
 *   CONSTANT: lr;
 *   COSINE:   min + (lr - min) (1 + cos(pi t / T)) / 2 at 0-based step t of T (CosineAnnealingLR
 *             with T_max = the run's steps, stepped every batch; a = min);
 *   STEP:     lr gamma^floor((epoch - 1) / every) (StepLR stepped every epoch; a = every, b = gamma). */
typedef enum { DLRT_SCHED_CONSTANT, DLRT_SCHED_COSINE, DLRT_SCHED_STEP } dlrt_schedule;
double dlrt_lr_at(dlrt_schedule s, double lr, double a, double b, int64_t step, int64_t total, int64_t epoch);

typedef struct {
    int64_t epochs;                    /* passes over the data */
    int64_t steps;                     /* stop after this many optimizer steps (0: no limit) */
    int64_t batch;
    double lr;
    uint64_t seed;
    FILE *log;                         /* JSON lines, or NULL */
    int progress;                      /* progress bar on stderr */
    FILE *report;                      /* per-epoch summary lines (stdout), or NULL */
    const char *save_path;             /* checkpoint written after every epoch, or NULL */
    dlrt_schedule schedule;            /* of the learning rate; a, b its parameters */
    double sched_a, sched_b;
    const char *const *meta_kv;        /* extra checkpoint metadata (key, value pairs), or NULL */
    int n_meta;
} dlrt_train_opts;

typedef struct {
    double loss;                       /* mean over samples */
    double metric[8];                  /* per result after the loss; counts become fractions */
    int64_t samples;
} dlrt_eval_result;

/* Run the training loop; -1 on failure (e.g. the loss became NaN; the last checkpoint written
 * stays intact on disk). */
int dlrt_train(dlrt_session *s, const dlrt_dataset *train, const dlrt_dataset *test,
               const dlrt_train_opts *o);
int dlrt_evaluate(dlrt_session *s, const dlrt_dataset *d, int64_t batch, dlrt_eval_result *r);
/* Forward pass over every sample of `x` (column 0 of a dataset's layout), writing outputs. */
int dlrt_predict(dlrt_session *s, const dlrt_array *x, dlrt_array *y);

/* ---- threads ------------------------------------------------------------------------------ */
/* The parallel-for generated code calls through its `<prefix>_parallel_for` hook: runs
 * fn(ctx, 0 .. n-1) on the pool and the calling thread, returning when all are done. */
typedef void dlrt_parallel_fn(void (*fn)(void *, int64_t), void *ctx, int64_t n);
void dlrt_parallel_for(void (*fn)(void *, int64_t), void *ctx, int64_t n);
/* Threads of the pool including the caller; 0 = $DLC_THREADS, else one per available core.
 * Results do not depend on the count. */
int dlrt_set_threads(int n);
int dlrt_threads(void);
int dlrt_cpu_count(void);

#ifdef __cplusplus
}
#endif
#endif
