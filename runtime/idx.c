/* idx.c — read IDX files (the MNIST family), gzip-compressed or raw.
 *
 * Layout: two zero bytes, a type code, the number of dimensions, one big-endian u32 per
 * dimension, then the big-endian data in row-major order.  Files are read through zlib's
 * gzopen/gzread, which decompresses gzip input and passes other files through unchanged, so
 * "x-idx3-ubyte.gz" and "x-idx3-ubyte" both work.
 *
 * Supported types: 0x08 unsigned byte (kept as u8), 0x0C i32, 0x0D f32 and 0x0E f64 (converted
 * from big-endian to host order).  The data must be exactly as long as the dimensions say:
 * a truncated, corrupt or over-long file is an error naming the file. */
#include "dlrt_internal.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <zlib.h>

/* Report a short read: `context` says what was being read.  zlib distinguishes a stream that
 * ends early (Z_BUF_ERROR: truncated) from damaged data (Z_DATA_ERROR: bad CRC, bad deflate
 * data); on a raw file a short read simply means the file is truncated. */
static int gz_fail(gzFile g, const char *path, const char *context) {
    int zerr = Z_OK;
    const char *msg = gzerror(g, &zerr);
    size_t plen = strlen(path);
    if (msg && strncmp(msg, path, plen) == 0 && msg[plen] == ':') msg += plen + 2; /* "path: " */
    switch (zerr) {
    case Z_OK:
    case Z_BUF_ERROR: return dlrt_fail("idx: %s: %s (file is truncated)", path, context);
    case Z_ERRNO: return dlrt_fail("idx: %s: %s: %s", path, context, strerror(errno));
    default: return dlrt_fail("idx: %s: corrupt gzip data (%s)", path, msg ? msg : "?");
    }
}

/* Read exactly n bytes (in chunks gzread can take); returns the number actually read. */
static uint64_t gz_read_full(gzFile g, void *buf, uint64_t n) {
    unsigned char *p = buf;
    uint64_t done = 0;
    while (done < n) {
        uint64_t want = n - done;
        unsigned chunk = want > (1u << 30) ? (1u << 30) : (unsigned)want;
        int got = gzread(g, p + done, chunk);
        if (got <= 0) break;
        done += (uint64_t)got;
    }
    return done;
}

int dlrt_idx_read(const char *path, dlrt_array *out) {
    memset(out, 0, sizeof *out);
    errno = 0;
    gzFile g = gzopen(path, "rb");
    if (!g)
        return dlrt_fail("idx: %s: cannot open: %s", path,
                         errno ? strerror(errno) : "out of memory");
    gzbuffer(g, 1u << 17); /* fewer syscalls on large image files */

    unsigned char head[4];
    if (gz_read_full(g, head, 4) != 4) {
        gz_fail(g, path, "file too short for an IDX header");
        goto fail;
    }
    if (head[0] != 0 || head[1] != 0) {
        dlrt_fail("idx: %s: not an IDX file (bad magic %02x %02x)", path, head[0], head[1]);
        goto fail;
    }
    dlrt_dtype t;
    switch (head[2]) {
    case 0x08: t = DLRT_U8; break;
    case 0x0C: t = DLRT_I32; break;
    case 0x0D: t = DLRT_F32; break;
    case 0x0E: t = DLRT_F64; break;
    default:
        dlrt_fail("idx: %s: unsupported IDX element type 0x%02X (supported: 0x08 u8, 0x0C i32, "
                  "0x0D f32, 0x0E f64)", path, head[2]);
        goto fail;
    }
    int rank = head[3];
    if (rank > DLRT_MAX_RANK) {
        dlrt_fail("idx: %s: %d dimensions (at most %d supported)", path, rank, DLRT_MAX_RANK);
        goto fail;
    }
    unsigned char dimb[4 * DLRT_MAX_RANK];
    if (gz_read_full(g, dimb, 4 * (uint64_t)rank) != 4 * (uint64_t)rank) {
        gz_fail(g, path, "truncated IDX header");
        goto fail;
    }
    int64_t shape[DLRT_MAX_RANK];
    for (int d = 0; d < rank; d++)
        shape[d] = (int64_t)((uint32_t)dimb[4 * d] << 24 | (uint32_t)dimb[4 * d + 1] << 16 |
                             (uint32_t)dimb[4 * d + 2] << 8 | dimb[4 * d + 3]);

    if (dlrt_array_alloc(out, t, rank, shape)) {
        dlrt_fail("idx: %s: %s", path, dlrt_error());
        goto fail;
    }
    uint64_t nbytes = dlrt_array_nbytes(out);
    uint64_t got = gz_read_full(g, out->data, nbytes);
    if (got != nbytes) {
        char what[160];
        snprintf(what, sizeof what, "truncated data: dimensions need %llu bytes, got %llu",
                 (unsigned long long)nbytes, (unsigned long long)got);
        gz_fail(g, path, what);
        goto fail;
    }
    /* The data must end here (a gzip stream must also be intact up to its trailer). */
    unsigned char extra;
    int more = gzread(g, &extra, 1);
    if (more > 0) {
        dlrt_fail("idx: %s: unexpected data after %llu bytes of elements", path,
                  (unsigned long long)nbytes);
        goto fail;
    }
    int zerr = Z_OK;
    gzerror(g, &zerr);
    if (more < 0 || zerr != Z_OK) {
        gz_fail(g, path, "incomplete gzip stream after the data");
        goto fail;
    }
    if (gzclose_r(g) != Z_OK) {
        dlrt_array_free(out);
        return dlrt_fail("idx: %s: error closing file (corrupt gzip trailer?)", path);
    }
    if (dlrt__host_is_le())
        dlrt__swap_bytes(out->data, dlrt_dtype_size(t), (size_t)dlrt_array_numel(out));
    return 0;

fail:
    dlrt_array_free(out);
    gzclose_r(g);
    return -1;
}
