/* data.c — datasets: columns of samples (dim 0) matched to a model's inputs and targets in
 * order.  Readers for the IDX image/label pairs of (Fashion-)MNIST and for NPY files, a
 * consistency check against the model, and a train/held-out split. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlrt.h"

void dlrt_dataset_free(dlrt_dataset *d) {
    for (int i = 0; i < d->ncols; i++) dlrt_array_free(&d->cols[i]);
    memset(d, 0, sizeof *d);
}

/* "<dir>/<name>.gz" if it exists, else "<dir>/<name>". */
static void find_file(char *out, size_t n, const char *dir, const char *name) {
    snprintf(out, n, "%s/%s.gz", dir, name);
    if (access(out, R_OK) == 0) return;
    snprintf(out, n, "%s/%s", dir, name);
}

static int idx_pair(const char *dir, const char *prefix, bool keep_bytes, dlrt_dataset *out) {
    memset(out, 0, sizeof *out);
    char ipath[4096], lpath[4096], name[64];
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", prefix);
    find_file(ipath, sizeof ipath, dir, name);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", prefix);
    find_file(lpath, sizeof lpath, dir, name);
    if (access(ipath, R_OK) != 0)
        return dlrt_fail("no IDX images at %s (for Fashion-MNIST: apt-get install dataset-fashion-mnist)", ipath);
    dlrt_array img, lab;
    if (dlrt_idx_read(ipath, &img)) return -1;
    if (dlrt_idx_read(lpath, &lab)) {
        dlrt_array_free(&img);
        return -1;
    }
    if (img.rank < 2 || lab.rank != 1 || img.shape[0] != lab.shape[0]) {
        dlrt_fail("%s and %s do not pair up (images of rank %d with %lld samples, labels of rank %d with %lld)", ipath,
                  lpath, img.rank, (long long)(img.rank ? img.shape[0] : 0), lab.rank, (long long)(lab.rank ? lab.shape[0] : 0));
        goto fail;
    }
    /* labels stored as floats must be whole numbers within i32 before they become i32 (a NaN
     * or 0.5 would silently be class 0) */
    for (int64_t i = 0; i < lab.shape[0]; i++) {
        double v = dlrt_get(lab.data, lab.dtype, i);
        if (!(v == floor(v) && fabs(v) <= INT32_MAX)) {
            dlrt_fail("%s: label %g of sample %lld is not a class number", lpath, v, (long long)i);
            goto fail;
        }
    }
    /* images -> f32 in [0, 1] as torchvision's ToTensor (bytes: now, or per batch when kept);
     * labels -> i32 */
    dlrt_array x, y;
    bool bytes = keep_bytes && img.dtype == DLRT_U8;
    if (bytes) x = img;
    else if (dlrt_array_alloc(&x, DLRT_F32, img.rank, img.shape)) goto fail;
    if (dlrt_array_alloc(&y, DLRT_I32, 1, lab.shape)) {
        if (!bytes) dlrt_array_free(&x);
        goto fail;
    }
    if (!bytes) {
        int64_t n = dlrt_array_numel(&img);
        float *xf = x.data;
        if (img.dtype == DLRT_U8)
            for (int64_t i = 0; i < n; i++) xf[i] = (float)((const uint8_t *)img.data)[i] / 255.0f;
        else dlrt_convert(x.data, DLRT_F32, img.data, img.dtype, n);
        dlrt_array_free(&img);
    }
    dlrt_convert(y.data, DLRT_I32, lab.data, lab.dtype, lab.shape[0]);
    dlrt_array_free(&lab);
    out->n = x.shape[0];
    out->ncols = 2;
    out->cols[0] = x;
    out->cols[1] = y;
    out->divisor[0] = bytes ? 255.0f : 0;
    return 0;
fail:
    dlrt_array_free(&img);
    dlrt_array_free(&lab);
    return -1;
}

int dlrt_dataset_idx(const char *dir, const char *prefix, dlrt_dataset *out) { return idx_pair(dir, prefix, false, out); }
int dlrt_dataset_idx_bytes(const char *dir, const char *prefix, dlrt_dataset *out) {
    return idx_pair(dir, prefix, true, out);
}

int dlrt_dataset_npy(const char *const *paths, int n, dlrt_dataset *out) {
    memset(out, 0, sizeof *out);
    if (n < 1 || n > 8) return dlrt_fail("a dataset has 1 to 8 NPY files, got %d", n);
    for (int k = 0; k < n; k++) {
        if (dlrt_npy_read(paths[k], &out->cols[k])) {
            dlrt_dataset_free(out);
            return -1;
        }
        out->ncols = k + 1;
        int64_t m = out->cols[k].rank ? out->cols[k].shape[0] : -1;
        if (m < 0) {
            dlrt_dataset_free(out);
            return dlrt_fail("%s: a dataset needs samples along dim 0, got a scalar", paths[k]);
        }
        if (k && m != out->n) {
            dlrt_fail("%s has %lld samples but %s has %lld", paths[0], (long long)out->n, paths[k], (long long)m);
            dlrt_dataset_free(out);
            return -1;
        }
        out->n = m;
    }
    return 0;
}

static int64_t per_sample(const dlrt_array *a) {
    int64_t n = 1;
    for (int i = 1; i < a->rank; i++) n *= a->shape[i];
    return n;
}

/* A text dataset feeds a model whose inputs are [T] ids and [T] next ids (integers). */
static int check_text(const dlrt_dataset *d, const dlrt_model *m, const char *what) {
    if (m->n_inputs != 2 || m->io[0].is_target || !m->io[1].is_target)
        return dlrt_fail("%s: text data feed a model with one input (the ids) and one target (the next ids); '%s' has %d "
                         "inputs and targets", what, m->name, m->n_inputs);
    for (int k = 0; k < 2; k++) {
        const dlrt_io *io = &m->io[k];
        if (io->dtype != DLRT_I32 && io->dtype != DLRT_I64)
            return dlrt_fail("%s: text data are token ids, but '%s' is %s", what, io->name, dlrt_dtype_name(io->dtype));
        if (io->rank != 1 || io->shape[0] != d->window)
            return dlrt_fail("%s: '%s' should be [N, T] with T = the window, %lld", what, io->name, (long long)d->window);
    }
    const int32_t *ids = d->cols[0].data;
    int64_t classes = m->io[1].classes;
    for (int64_t i = 0; classes && i < d->cols[0].shape[0]; i++)
        if (ids[i] < 0 || ids[i] >= classes)
            return dlrt_fail("%s: token id %d is outside [0, %lld) for '%s'", what, ids[i], (long long)classes, m->io[1].name);
    return 0;
}

int dlrt_dataset_check(const dlrt_dataset *d, const dlrt_model *m, const char *what) {
    if (d->window) return check_text(d, m, what);
    if (d->ncols != m->n_inputs)
        return dlrt_fail("%s has %d column%s, model '%s' takes %d (inputs and targets)", what, d->ncols,
                         d->ncols == 1 ? "" : "s", m->name, m->n_inputs);
    for (int k = 0; k < d->ncols; k++) {
        const dlrt_io *io = &m->io[k];
        const dlrt_array *a = &d->cols[k];
        int64_t want = 1;
        for (int i = 0; i < io->rank; i++) want *= io->shape[i];
        if (per_sample(a) != want)
            return dlrt_fail("%s: '%s' wants %lld values per sample, the data have %lld", what, io->name,
                             (long long)want, (long long)per_sample(a));
        if (io->dtype == DLRT_F32 || io->dtype == DLRT_F64) {
            if (a->dtype != DLRT_F32 && a->dtype != DLRT_F64) continue;   /* integers and bytes are finite */
            int64_t n = dlrt_array_numel(a);
            for (int64_t i = 0; i < n; i++)
                if (!isfinite(dlrt_get(a->data, a->dtype, i)))
                    return dlrt_fail("%s: '%s' has a non-finite value at sample %lld", what, io->name,
                                     (long long)(i / (want ? want : 1)));
            continue;
        }
        /* integer column: whole numbers, and labels inside [0, classes) */
        int64_t n = dlrt_array_numel(a);
        for (int64_t i = 0; i < n; i++) {
            double v = dlrt_get(a->data, a->dtype, i);
            if (v != floor(v))
                return dlrt_fail("%s: '%s' wants integers, sample %lld has %g", what, io->name, (long long)i, v);
            if (io->classes && (v < 0 || v >= (double)io->classes))
                return dlrt_fail("%s: label %g of sample %lld is outside [0, %lld) for '%s'", what, v, (long long)i,
                                 (long long)io->classes, io->name);
        }
    }
    return 0;
}

int dlrt_dataset_split(dlrt_dataset *d, double frac, dlrt_dataset *held) {
    memset(held, 0, sizeof *held);
    int64_t nh = (int64_t)floor((double)d->n * frac);
    if (nh <= 0) return 0;
    if (nh >= d->n) return dlrt_fail("val_split %g leaves no training samples", frac);
    for (int k = 0; k < d->ncols; k++) {
        dlrt_array *a = &d->cols[k], *h = &held->cols[k];
        int64_t shape[DLRT_MAX_RANK];
        memcpy(shape, a->shape, sizeof shape);
        shape[0] = nh;
        if (dlrt_array_alloc(h, a->dtype, a->rank, shape)) {
            dlrt_dataset_free(held);
            return -1;
        }
        size_t row = dlrt_array_nbytes(a) / (size_t)a->shape[0];
        memcpy(h->data, (char *)a->data + row * (size_t)(d->n - nh), row * (size_t)nh);
        a->shape[0] = d->n - nh;   /* the tail stays allocated, unused */
        held->divisor[k] = d->divisor[k];
        held->ncols++;
    }
    held->n = nh;
    d->n -= nh;
    return 0;
}
