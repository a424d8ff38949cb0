// Start-up of the `flow` executable: a cached no-op `flow run` must cost tens of milliseconds.
//
// OpenBLAS's library constructor starts one worker thread per core unless OPENBLAS_NUM_THREADS
// says otherwise, before `main` can call openblas_set_num_threads; the workers spin (sched_yield)
// for about 2^28 cycles waiting for work, and are joined at exit. flow pins OpenBLAS to one thread
// for every run anyway (`BLASThreads`: its bits depend on the thread count), so in a process that
// runs no stage, or one stage on one BLAS thread, the workers are pure cost: measured here, tens of
// milliseconds of CPU per no-op `flow run`, taken from the other core on a loaded machine.
//
// Setting the environment variable from the process itself is too late (the dynamic loader runs
// every library constructor before `main`, and libc resets `environ` after `.preinit_array`), so
// this entry of the executable's `.preinit_array` — which the loader runs before any library
// constructor — sets OpenBLAS's own thread counts to 1 instead: its constructor then skips
// counting cores and starts no worker (OpenBLAS 0.3 `gotoblas_init`: `if (blas_cpu_number == 0)
// blas_get_cpu_number()`, then `blas_thread_init` starts `blas_num_threads - 1` workers).
// `openblas_set_num_threads(n)` still grows the pool later when asked. The symbols are weak: with
// another BLAS, or an OpenBLAS that does not export them, nothing happens.
#include "CFlowStartup.h"

#if defined(__linux__) && defined(__ELF__)
extern int blas_cpu_number __attribute__((weak));
extern int blas_num_threads __attribute__((weak));

static void flow_single_threaded_openblas(int argc, char **argv, char **envp) {
    (void)argc; (void)argv; (void)envp;
    if (&blas_cpu_number != 0 && &blas_num_threads != 0 && blas_cpu_number == 0) {
        blas_cpu_number = 1;
        blas_num_threads = 1;
    }
}

__attribute__((section(".preinit_array"), used))
static void (*const flow_preinit_entry)(int, char **, char **) = flow_single_threaded_openblas;
#endif

int flow_startup_linked(void) { return 1; }
