/* dlrt_internal.h — helpers shared by the runtime's file-format code (not part of the public
 * contract in dlrt.h; do not include from generated code).
 *
 * Byte order: every format we read or write has a fixed byte order (safetensors and NPY are
 * little-endian, IDX is big-endian), so readers and writers convert element bytes with
 * dlrt__swap_bytes when the host order differs.
 *
 * Atomic writes: a file is written to "<path>.tmp.<pid>", flushed and fsync'd, then renamed
 * over <path>; on any failure the temp file is removed and <path> is left untouched.
 * The implementations live in array.c. */
#ifndef DLRT_INTERNAL_H
#define DLRT_INTERNAL_H

#include "dlrt.h"

/* Nonzero when the host stores integers least-significant byte first. */
int dlrt__host_is_le(void);
/* Reverse the bytes of each of n elements of elsize bytes, in place. */
void dlrt__swap_bytes(void *data, size_t elsize, size_t n);
/* Write n elements of dtype t to f in little-endian order; 0 or -1 (no message set). */
int dlrt__write_le(FILE *f, const void *data, dlrt_dtype t, int64_t n);

/* Byte size of an array of dtype t with this shape in *out; -1 if a dimension is negative or
 * the size does not fit in int64_t/size_t.  Zero dimensions are fine ([2^62, 4, 0] is empty). */
int dlrt__shape_bytes(int rank, const int64_t *shape, dlrt_dtype t, uint64_t *out);

/* Append the bytes of file `path` to the growing buffer *buf (*len used of *cap; start with
 * NULL, 0, 0); -1 with dlrt_error when it cannot be read (the buffer stays the caller's). */
int dlrt__append_file(const char *path, char **buf, size_t *len, size_t *cap);

typedef struct {
    FILE *f;          /* open temp file, NULL once committed or aborted */
    char *tmp;        /* "<path>.tmp.<pid>" */
    const char *path; /* final destination (borrowed) */
    const char *what; /* format name used in error messages, e.g. "safetensors" */
} dlrt__atomic_file;

/* Create the temp file; -1 with dlrt_error on failure. */
int dlrt__atomic_open(dlrt__atomic_file *w, const char *path, const char *what);
/* Flush, fsync, close and rename into place; on failure removes the temp file, -1. */
int dlrt__atomic_commit(dlrt__atomic_file *w);
/* Close and remove the temp file (safe to call after a failed commit). */
void dlrt__atomic_abort(dlrt__atomic_file *w);

#endif
