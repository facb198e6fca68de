/* pool.c — the thread pool behind the parallel loops of generated code.
 *
 * dlrt_parallel_for(fn, ctx, n) runs fn(ctx, 0) .. fn(ctx, n-1) on the pool's threads and the
 * caller, returning when all are done.  Tasks are handed out by an atomic counter; generated
 * code splits only independent outputs into tasks, so results never depend on which thread
 * ran what.  Workers spin briefly before sleeping: the kernels of one training step come in
 * quick succession.  A call made while the pool is busy (another thread's model) runs inline. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "dlrt.h"

enum { SPIN = 200000 };

static struct {
    pthread_mutex_t lock, submit;
    pthread_cond_t wake, idle;
    int nthreads;                /* including the caller; 0: not set up yet */
    pthread_t *workers;
    /* the current job */
    void (*fn)(void *, int64_t);
    void *ctx;
    int64_t n;
    atomic_llong next;
    atomic_int busy;             /* workers still in the job */
    atomic_uint generation;      /* bumped for every job */
    atomic_int quit;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .submit = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
          .idle = PTHREAD_COND_INITIALIZER};

static void run_tasks(void) {
    for (int64_t t; (t = atomic_fetch_add(&pool.next, 1)) < pool.n;) pool.fn(pool.ctx, t);
}

/* arg: the generation current when the worker was made (a job bumped later is not missed) */
static void *worker(void *arg) {
    unsigned seen = (unsigned)(uintptr_t)arg;
    for (;;) {
        unsigned g;
        int spins = 0;
        while ((g = atomic_load(&pool.generation)) == seen && !atomic_load(&pool.quit) && spins < SPIN) spins++;
        if (g == seen && !atomic_load(&pool.quit)) {
            pthread_mutex_lock(&pool.lock);
            while ((g = atomic_load(&pool.generation)) == seen && !atomic_load(&pool.quit))
                pthread_cond_wait(&pool.wake, &pool.lock);
            pthread_mutex_unlock(&pool.lock);
        }
        if (atomic_load(&pool.quit)) return NULL;
        seen = g;
        run_tasks();
        if (atomic_fetch_sub(&pool.busy, 1) == 1) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_signal(&pool.idle);
            pthread_mutex_unlock(&pool.lock);
        }
    }
}

static void stop_workers(void) {
    if (pool.nthreads <= 1) return;
    pthread_mutex_lock(&pool.lock);
    atomic_store(&pool.quit, 1);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 0; i < pool.nthreads - 1; i++) pthread_join(pool.workers[i], NULL);
    free(pool.workers);
    pool.workers = NULL;
    atomic_store(&pool.quit, 0);
}

int dlrt_cpu_count(void) {
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
#endif
    return 1;
}

int dlrt_set_threads(int n) {
    if (n < 0 || n > 256) return dlrt_fail("thread count %d out of range (1 .. 256, 0: one per core)", n);
    if (n == 0) {
        const char *env = getenv("DLC_THREADS");
        n = env && atoi(env) > 0 ? atoi(env) : dlrt_cpu_count();
        if (n > 256) n = 256;
    }
    pthread_mutex_lock(&pool.submit);
    stop_workers();
    pool.nthreads = 1;
    if (n > 1) {
        pool.workers = calloc((size_t)n - 1, sizeof *pool.workers);
        int made = 0;
        while (pool.workers && made < n - 1 && pthread_create(&pool.workers[made], NULL, worker,
                                                                                    (void *)(uintptr_t)atomic_load(&pool.generation)) == 0)
            made++;
        pool.nthreads = 1 + made;
    }
    pthread_mutex_unlock(&pool.submit);
    return 0;
}

int dlrt_threads(void) { return pool.nthreads ? pool.nthreads : 1; }

void dlrt_parallel_for(void (*fn)(void *, int64_t), void *ctx, int64_t n) {
    if (!pool.nthreads) dlrt_set_threads(0);
    if (pool.nthreads <= 1 || n <= 1 || pthread_mutex_trylock(&pool.submit) != 0) {
        for (int64_t t = 0; t < n; t++) fn(ctx, t);
        return;
    }
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    atomic_store(&pool.next, 0);
    atomic_store(&pool.busy, pool.nthreads - 1);
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add(&pool.generation, 1);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    run_tasks();
    /* wait for the workers to leave the job (spin first: the tail is usually short) */
    for (int spins = 0; atomic_load(&pool.busy) > 0 && spins < SPIN; spins++) {}
    if (atomic_load(&pool.busy) > 0) {
        pthread_mutex_lock(&pool.lock);
        while (atomic_load(&pool.busy) > 0) pthread_cond_wait(&pool.idle, &pool.lock);
        pthread_mutex_unlock(&pool.lock);
    }
    pthread_mutex_unlock(&pool.submit);
}
