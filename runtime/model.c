/* model.c — one instance of a compiled model: its parameter, gradient, optimizer-state and
 * workspace blocks; PyTorch-default initialization from a seed; loading and saving the
 * parameters as safetensors under their PyTorch names. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dlrt.h"

/* RNG streams: shuffling uses stream = epoch; initialization uses this tag + param index. */
#define STREAM_INIT (1ull << 40)

static char *alloc_block(size_t n) {
    size_t bytes = (n + 63) / 64 * 64;
    char *p = aligned_alloc(64, bytes ? bytes : 64);
    if (p) memset(p, 0, bytes ? bytes : 64);
    return p;
}

static int64_t param_numel(const dlrt_param *p) {
    int64_t n = 1;
    for (int i = 0; i < p->rank; i++) n *= p->shape[i];
    return n;
}

int dlrt_session_init(dlrt_session *s, const dlrt_model *m, uint64_t seed) {
    memset(s, 0, sizeof *s);
    s->m = m;
    size_t work = 0;
    for (int k = 0; k < DLRT_FN_COUNT; k++)
        if (m->work_bytes[k] > work) work = m->work_bytes[k];
    s->P = alloc_block(m->param_bytes);
    s->G = alloc_block(m->param_bytes);
    s->S = alloc_block(m->state_bytes);
    s->W = alloc_block(work);
    if (!s->P || !s->G || !s->S || !s->W) {
        dlrt_session_free(s);
        return dlrt_fail("out of memory allocating %zu bytes of parameters and %zu of workspace",
                         m->param_bytes, work);
    }
    dlrt_init_params(s, seed);
    return 0;
}

void dlrt_session_free(dlrt_session *s) {
    free(s->P);
    free(s->G);
    free(s->S);
    free(s->W);
    memset(s, 0, sizeof *s);
}

void dlrt_init_params(dlrt_session *s, uint64_t seed) {
    const dlrt_model *m = s->m;
    for (int i = 0; i < m->n_params; i++) {
        const dlrt_param *p = &m->params[i];
        int64_t n = param_numel(p);
        char *data = s->P + p->offset;
        for (int64_t j = 0; j < n; j++) {
            double v = 0;
            uint64_t stream = STREAM_INIT + (uint64_t)i;
            switch (p->init) {
            case DLRT_INIT_ZEROS: v = 0; break;
            case DLRT_INIT_ONES: v = 1; break;
            case DLRT_INIT_UNIFORM: v = (2 * dlrt_rand_uniform(seed, stream, (uint64_t)j) - 1) * p->init_a; break;
            case DLRT_INIT_NORMAL: {
                double u1 = dlrt_rand_uniform(seed, stream, 2 * (uint64_t)j);
                double u2 = dlrt_rand_uniform(seed, stream, 2 * (uint64_t)j + 1);
                v = sqrt(-2 * log(1 - u1)) * cos(6.283185307179586 * u2) * p->init_a;
                break;
            }
            }
            dlrt_set(data, p->dtype, j, v);
        }
        if (p->zero_row >= 0 && p->rank == 2 && p->zero_row < p->shape[0])
            for (int64_t j = 0; j < p->shape[1]; j++) dlrt_set(data, p->dtype, p->zero_row * p->shape[1] + j, 0);
    }
    memset(s->S, 0, m->state_bytes);
    s->step = 0;
}

static char *shape_text(int rank, const int64_t *shape, char *buf, size_t n) {
    size_t len = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < rank && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (len < n) snprintf(buf + len, n - len, "]");
    return buf;
}

int dlrt_load_params(dlrt_session *s, const dlrt_tensor_set *set) {
    const dlrt_model *m = s->m;
    for (int i = 0; i < m->n_params; i++) {
        const dlrt_param *p = &m->params[i];
        const dlrt_array *a = dlrt_tensor_set_find(set, p->name);
        if (!a) return dlrt_fail("the weights have no tensor '%s' (model '%s' needs it)", p->name, m->name);
        int same = a->rank == p->rank;
        for (int k = 0; same && k < p->rank; k++) same = a->shape[k] == p->shape[k];
        if (!same) {
            char want[96], got[96];
            return dlrt_fail("tensor '%s' has shape %s, the model needs %s", p->name,
                             shape_text(a->rank, a->shape, got, sizeof got), shape_text(p->rank, p->shape, want, sizeof want));
        }
        int want_float = p->dtype == DLRT_F32 || p->dtype == DLRT_F64;
        int is_float = a->dtype == DLRT_F32 || a->dtype == DLRT_F64;
        if (want_float != is_float)
            return dlrt_fail("tensor '%s' is %s, the model needs %s", p->name, dlrt_dtype_name(a->dtype),
                             want_float ? "floating point" : "integers");
    }
    for (int j = 0; j < set->count; j++) {
        int known = 0;
        for (int i = 0; i < m->n_params && !known; i++) known = strcmp(set->items[j].name, m->params[i].name) == 0;
        if (!known) return dlrt_fail("the weights have a tensor '%s' that model '%s' does not have", set->items[j].name, m->name);
    }
    for (int i = 0; i < m->n_params; i++) {
        const dlrt_param *p = &m->params[i];
        const dlrt_array *a = dlrt_tensor_set_find(set, p->name);
        dlrt_convert(s->P + p->offset, p->dtype, a->data, a->dtype, param_numel(p));
    }
    return 0;
}

int dlrt_load_params_file(dlrt_session *s, const char *path) {
    dlrt_tensor_set set;
    if (dlrt_safetensors_read(path, &set)) return -1;
    int rc = dlrt_load_params(s, &set);
    dlrt_tensor_set_free(&set);
    if (rc) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", dlrt_error());
        dlrt_fail("%s: %s", path, msg);
    }
    return rc;
}

int dlrt_save_params(const dlrt_session *s, const char *path) { return dlrt_save_params_meta(s, path, NULL, 0); }

int dlrt_save_params_meta(const dlrt_session *s, const char *path, const char *const *kv, int n_meta) {
    const dlrt_model *m = s->m;
    dlrt_tensor_set set = {m->n_params, calloc((size_t)m->n_params + 1, sizeof(dlrt_named_array)), 0, NULL};
    if (!set.items) return dlrt_fail("out of memory");
    for (int i = 0; i < m->n_params; i++) {
        const dlrt_param *p = &m->params[i];
        dlrt_named_array *it = &set.items[i];
        it->name = (char *)p->name;
        it->array.dtype = p->dtype;
        it->array.rank = p->rank;
        memcpy(it->array.shape, p->shape, sizeof p->shape);
        it->array.data = s->P + p->offset;   /* borrowed: written, not freed */
    }
    const char *meta[2 + 2 * 8] = {"format", "pt"};
    if (n_meta > 8) n_meta = 8;
    for (int k = 0; k < 2 * n_meta; k++) meta[2 + k] = kv[k];
    int rc = dlrt_safetensors_write(path, &set, meta, 1 + n_meta);
    free(set.items);
    return rc;
}
