/* pool.c — the thread pool behind the parallel loops of generated code.
 *
 * dlrt_parallel_for(fn, ctx, n) runs fn(ctx, 0) .. fn(ctx, n-1) on the pool's threads and the
 * caller, returning when all are done.  Tasks are handed out by an atomic counter; generated
 * code splits only independent outputs into tasks, so results never depend on which thread
 * ran what.  Workers spin briefly before sleeping: the kernels of one training step come in
 * quick succession.  A call made while the pool is busy (another thread's model) runs inline.
 *
 * Each worker has a slot: the caller marks it PENDING for a job; the worker claims it (JOINED)
 * before touching the job and marks it DONE after.  Once the caller has run out of tasks it
 * takes back every slot still PENDING (SKIPPED), so a worker the OS has not scheduled never
 * delays the job; it waits only for workers that did join. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "dlrt.h"

enum { SPIN = 200000, MAX_WORKERS = 255 };
enum { SLOT_DONE, SLOT_PENDING, SLOT_JOINED, SLOT_SKIPPED };

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
    atomic_int slot[MAX_WORKERS];
    atomic_uint generation;      /* bumped for every job */
    atomic_int quit;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .submit = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
          .idle = PTHREAD_COND_INITIALIZER};

static void run_tasks(void) {
    for (int64_t t; (t = atomic_fetch_add(&pool.next, 1)) < pool.n;) pool.fn(pool.ctx, t);
}

typedef struct { int index; unsigned generation; } WorkerArg;

/* arg: the worker's slot and the generation current when it was made (a job bumped later is
 * not missed) */
static void *worker(void *arg) {
    WorkerArg w = *(WorkerArg *)arg;
    free(arg);
    unsigned seen = w.generation;
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
        int pending = SLOT_PENDING;
        if (!atomic_compare_exchange_strong(&pool.slot[w.index], &pending, SLOT_JOINED)) continue;   /* skipped */
        run_tasks();
        pthread_mutex_lock(&pool.lock);
        atomic_store(&pool.slot[w.index], SLOT_DONE);
        pthread_cond_signal(&pool.idle);
        pthread_mutex_unlock(&pool.lock);
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
    if (n < 0 || n > MAX_WORKERS + 1) return dlrt_fail("thread count %d out of range (1 .. 256, 0: one per core)", n);
    if (n == 0) {
        const char *env = getenv("DLC_THREADS");
        n = env && atoi(env) > 0 ? atoi(env) : dlrt_cpu_count();
        if (n > MAX_WORKERS + 1) n = MAX_WORKERS + 1;
    }
    pthread_mutex_lock(&pool.submit);
    stop_workers();
    pool.nthreads = 1;
    if (n > 1) {
        pool.workers = calloc((size_t)n - 1, sizeof *pool.workers);
        int made = 0;
        while (pool.workers && made < n - 1) {
            WorkerArg *a = malloc(sizeof *a);
            if (!a) break;
            *a = (WorkerArg){made, atomic_load(&pool.generation)};
            atomic_store(&pool.slot[made], SLOT_DONE);
            if (pthread_create(&pool.workers[made], NULL, worker, a) != 0) {
                free(a);
                break;
            }
            made++;
        }
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
    int nw = pool.nthreads - 1;
    pool.fn = fn;
    pool.ctx = ctx;
    pool.n = n;
    atomic_store(&pool.next, 0);
    for (int w = 0; w < nw; w++) atomic_store(&pool.slot[w], SLOT_PENDING);
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add(&pool.generation, 1);
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    run_tasks();
    /* every task is taken: take back the slots of workers that have not joined, then wait for
     * those that did (spinning first: their last task is usually short) */
    for (int w = 0; w < nw; w++) {
        int pending = SLOT_PENDING;
        if (atomic_compare_exchange_strong(&pool.slot[w], &pending, SLOT_SKIPPED)) continue;
        for (int spins = 0; atomic_load(&pool.slot[w]) != SLOT_DONE && spins < SPIN; spins++) {}
        if (atomic_load(&pool.slot[w]) != SLOT_DONE) {
            pthread_mutex_lock(&pool.lock);
            while (atomic_load(&pool.slot[w]) != SLOT_DONE) pthread_cond_wait(&pool.idle, &pool.lock);
            pthread_mutex_unlock(&pool.lock);
        }
    }
    pthread_mutex_unlock(&pool.submit);
}
