/* export.c — the public face of a built model: the header that `dlc build` writes beside the
 * object file or C source, and the contract of the wrappers both back ends generate.
 *
 * Public names (P = the prefix, default the model name):
 *   int   P_forward(params, inputs..., output, workspace, batch)      -> 0, or -1 for a bad batch
 *   float P_train_step(params, grads, opt_state, inputs..., targets..., workspace, batch, lr, step)
 *                                                                        -> the mean loss (NaN for a bad batch)
 *   P_infer / P_eval / P_train / P_grad: the uniform low-level ABI (docs/abi.md)
 *   P_param_table[]: name, shape and byte offset of every parameter
 *   P_weights[]: the parameter block, when built with --weights */
#include <string.h>

#include "dlc.h"

bool io_is_input(const dlrt_io *io) { return !io->is_target; }

const char *ctype_of(dlrt_dtype t) {
    switch (t) {
    case DLRT_F32: return "float";
    case DLRT_F64: return "double";
    case DLRT_I32: return "int32_t";
    case DLRT_I64: return "int64_t";
    default: ICE("no C type for %s", dlrt_dtype_name(t));
    }
}

char *upper(const char *s) {
    char *u = xstrdup(s);
    for (char *p = u; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    return u;
}

int64_t io_numel(const dlrt_io *io) {
    int64_t n = 1;
    for (int i = 0; i < io->rank; i++) n *= io->shape[i];
    return n;
}

static char *shape_text(const char *first, int rank, const int64_t *shape) {
    char *s = fmt("[%s", first);
    for (int i = 0; i < rank; i++) s = fmt("%s%s%lld", s, *first || i ? ", " : "", (long long)shape[i]);
    return fmt("%s]", s);
}

void print_header(FILE *out, const Export *e) {
    const dlrt_model *m = &e->c->rt;
    const char *P = e->prefix;
    char *U = upper(P);
    size_t work = 0;
    for (int k = 0; k < DLRT_FN_COUNT; k++)
        if (m->work_bytes[k] > work) work = m->work_bytes[k];

    fprintf(out, "/* %s.h — model '%s', built by dlc from %s.  Generated: do not edit.\n", P, m->name, e->source);
    fprintf(out, " *\n"
                 " * Everything is caller-owned: the functions allocate nothing, print nothing, keep no state\n"
                 " * and are reentrant (instances with their own blocks may run on different threads).\n"
                 " *\n"
                 " *   params     %s_PARAM_BYTES  parameters; layout in %s_param_table (PyTorch names/shapes)\n"
                 " *   grads      %s_PARAM_BYTES  gradients, same layout (training only)\n"
                 " *   opt_state  %s_STATE_BYTES  optimizer state; zero it before the first step\n"
                 " *   workspace  %s_WORK_BYTES   activations and temporaries\n"
                 " * Blocks must not overlap.  `batch` may be anything from 1 to %s_MAX_BATCH.\n",
            U, P, U, U, U, U);
    if (e->weights)
        fprintf(out, " *\n * Trained parameters are embedded as %s_weights (dlc build --weights); copy them into a\n"
                     " * writable block to train.\n", P);
    else
        fprintf(out, " *\n * Parameters come from a checkpoint (dlc train --save): read it, e.g. with the dlc runtime's\n"
                     " * dlrt_safetensors_read, and place each tensor at its offset in %s_param_table.\n", P);
    fprintf(out, " */\n#ifndef %s_H\n#define %s_H\n\n#include <stddef.h>\n#include <stdint.h>\n\n", U, U);
    fprintf(out, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");

    fprintf(out, "#define %s_MAX_BATCH %lld\n", U, (long long)m->max_batch);
    fprintf(out, "#define %s_PARAM_BYTES %zu\n", U, m->param_bytes);
    fprintf(out, "#define %s_STATE_BYTES %zu\n", U, m->state_bytes ? m->state_bytes : 1);
    fprintf(out, "#define %s_WORK_BYTES_FORWARD %zu   /* enough for %s_forward */\n", U, m->work_bytes[DLRT_FN_INFER], P);
    fprintf(out, "#define %s_WORK_BYTES_TRAIN %zu\n", U, m->work_bytes[DLRT_FN_TRAIN]);
    fprintf(out, "#define %s_WORK_BYTES %zu          /* enough for every function */\n", U, work);
    fprintf(out, "#define %s_NUM_PARAMS %d\n\n", U, m->n_params);
    fprintf(out, "/* Tensors, batch-major; sizes are values per sample. */\n");
    for (int k = 0; k < m->n_io; k++) {
        const dlrt_io *io = &m->io[k];
        const char *what = k >= m->n_inputs ? "output" : io->is_target ? "target" : "input";
        fprintf(out, "#define %s_%s_SIZE %lld   /* %s %s %s%s */\n", U, upper(io->name), (long long)io_numel(io), what,
                ctype_of(io->dtype), shape_text("batch", io->rank, io->shape),
                io->classes ? fmt(", classes 0..%lld", (long long)io->classes - 1) : "");
    }
    fprintf(out, "\n/* Parameters: name, shape, byte offset in the parameter block (%s). */\n", dlrt_dtype_name(m->fdtype));
    for (int i = 0; i < m->n_params; i++) {
        const dlrt_param *p = &m->params[i];
        fprintf(out, "/*   %-28s %-14s %8zu%s */\n", p->name, shape_text("", p->rank, p->shape), p->offset,
                p->dtype != m->fdtype ? fmt("  %s", dlrt_dtype_name(p->dtype)) : !p->trainable ? "  (buffer)" : "");
    }
    fprintf(out, "typedef struct {\n    const char *name;\n    int rank;\n    int64_t shape[8];\n    size_t offset;\n} %s_param_info;\n", P);
    fprintf(out, "extern const %s_param_info %s_param_table[%s_NUM_PARAMS];\n", P, P, U);
    if (e->weights) {
        fprintf(out, "#define %s_HAS_WEIGHTS 1\n", U);
        fprintf(out, "extern const unsigned char %s_weights[%s_PARAM_BYTES];   /* trained parameters */\n", P, U);
    }

    /* forward */
    fprintf(out, "\n/* Prediction for `batch` samples: writes");
    for (int k = m->n_inputs; k < m->n_io; k++)
        fprintf(out, "%s%s %s %s", k == m->n_inputs ? " " : k + 1 == m->n_io ? " and " : ", ", m->io[k].name,
                ctype_of(m->io[k].dtype), shape_text("batch", m->io[k].rank, m->io[k].shape));
    fprintf(out, ".\n * Returns 0, or -1 when batch is out of range. */\nint %s_forward(const void *params", P);
    for (int k = 0; k < m->n_inputs; k++)
        if (io_is_input(&m->io[k])) fprintf(out, ", const %s *%s", ctype_of(m->io[k].dtype), m->io[k].name);
    for (int k = m->n_inputs; k < m->n_io; k++) fprintf(out, ", %s *%s", ctype_of(m->io[k].dtype), m->io[k].name);
    fprintf(out, ", void *workspace, int64_t batch);\n");

    /* train step */
    fprintf(out, "\n/* One training step: forward, backward and the optimizer update of params (and opt_state)\n"
                 " * in place, at learning rate lr; step counts from 1 (Adam's bias correction).  Returns\n"
                 " * the mean loss over the batch, or NaN when batch is out of range. */\n");
    fprintf(out, "float %s_train_step(void *params, void *grads, void *opt_state", P);
    for (int k = 0; k < m->n_inputs; k++)
        fprintf(out, ", const %s *%s", ctype_of(m->io[k].dtype), m->io[k].name);
    fprintf(out, ",\n    void *workspace, int64_t batch, float lr, int64_t step);\n");

    fprintf(out, "\n/* Threads: set this to a parallel-for — run task(ctx, 0 .. n-1), return when all are done;\n"
                 " * e.g. dlrt_parallel_for of the dlc runtime — to split large matrix products over threads.\n"
                 " * NULL (the default) runs everything on the calling thread.  Results are the same bit for\n"
                 " * bit either way.  (The C source from --emit=c always runs on the calling thread.) */\n"
                 "extern void (*%s_parallel_for)(void (*task)(void *, int64_t), void *ctx, int64_t n);\n", P);
    fprintf(out, "\n/* The uniform low-level ABI (io[k] in the order above, the outputs last; sym[0] = batch;\n"
                 " * hp[0] = lr, hp[1] = step; out[0] = loss, out[1..] = metric counts). */\n");
    for (int k = 0; k < FN_COUNT; k++)
        fprintf(out, "void %s_%s(char *P, char *G, char *S, char *W, void *const *io, const int64_t *sym,\n"
                     "    const double *hp, double *out);\n", P, fn_names[k]);
    fprintf(out, "\n#ifdef __cplusplus\n}\n#endif\n#endif\n");
}
