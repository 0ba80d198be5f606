// SPDX-License-Identifier: MIT
// Signals and threads under Tern's Linux personality (LXH0003): each thread has its own
// signal mask, which a new thread takes from the thread that made it; pthread_kill, tgkill
// and tkill run the handler in the thread named, and get Linux's errors for a wrong tgid
// or signal; a signal sent to the process goes to the one thread that does not block it,
// or waits for a thread's sigwait, while one sent to a thread stays that thread's; a
// signal ends a thread's read of a pipe with EINTR (without SA_RESTART; with it the read
// goes on) and leaves the other threads' calls alone; a write wakes a thread's read; a
// fault in a thread runs its handler there; a fatal signal, sent to the process or to one
// thread, or raised by one thread's fault, ends every thread. One TAP line per check; the
// exit status is the number that failed. It passes on Linux too (musl-gcc -static).
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int checks, failures;

static void check(int ok, const char *what)
{
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++checks, what);
    if (!ok)
        ++failures;
}

static pid_t current_tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

static long long now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

static void wait_sem(sem_t *sem)
{
    while (sem_wait(sem) != 0)
        ;
}

// Waits for a child for at most 30 s (then kills it), so that a hang is a failure, not a stall.
static int reap(pid_t child, int *status)
{
    for (int i = 0; i < 3000; ++i) {
        pid_t got = waitpid(child, status, WNOHANG);
        if (got == child)
            return 1;
        if (got < 0)
            return 0;
        pause_ms(10);
    }
    kill(child, SIGKILL);
    waitpid(child, status, 0);
    return 0;
}

// Joins a thread that a failed check could leave in sigwait: after 5 s it is sent the signal.
static void join_waiter(pthread_t thread, int signal)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    if (pthread_timedjoin_np(thread, NULL, &deadline) != 0) {
        pthread_kill(thread, signal);
        pthread_join(thread, NULL);
    }
}

static sigset_t set_of(int signal)
{
    sigset_t set;
    sigemptyset(&set);
    if (signal)
        sigaddset(&set, signal);
    return set;
}

static int blocks(int signal)
{
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, NULL, &mask);
    return sigismember(&mask, signal) == 1;
}

static int handled_count;
static volatile pid_t handler_tid;

static void on_signal(int signal)
{
    (void)signal;
    handler_tid = current_tid();
    __atomic_add_fetch(&handled_count, 1, __ATOMIC_SEQ_CST);
}

static void use_handler(int signal, int flags)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    action.sa_flags = flags;
    sigaction(signal, &action, NULL);
}

// Waits (at most 5 s) until the handler has run target times, and 50 ms more for any beyond.
static int await_handled(int target)
{
    long long start = now_us();
    while (__atomic_load_n(&handled_count, __ATOMIC_SEQ_CST) < target && now_us() - start < 5000000)
        pause_ms(2);
    pause_ms(50);
    return __atomic_load_n(&handled_count, __ATOMIC_SEQ_CST);
}

// --- masks

static sem_t checked;
static int first_inherited, first_own, second_inherited;

static void *second_thread(void *arg)
{
    (void)arg;
    second_inherited = blocks(SIGUSR1) && blocks(SIGUSR2);
    return NULL;
}

static void *first_thread(void *arg)
{
    (void)arg;
    first_inherited = blocks(SIGUSR2) && !blocks(SIGUSR1);
    sigset_t usr1 = set_of(SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);
    first_own = blocks(SIGUSR1);
    pthread_t thread;
    if (pthread_create(&thread, NULL, second_thread, NULL) == 0)
        pthread_join(thread, NULL);
    wait_sem(&checked);  // alive while the main thread looks at its own mask
    return NULL;
}

static void masks(void)
{
    sigset_t none = set_of(0), usr2 = set_of(SIGUSR2);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);
    sem_init(&checked, 0, 0);
    pthread_t thread;
    int made = pthread_create(&thread, NULL, first_thread, NULL) == 0;
    long long start = now_us();
    while (made && !first_own && now_us() - start < 5000000)
        pause_ms(2);
    int main_unchanged = !blocks(SIGUSR1) && blocks(SIGUSR2);
    sem_post(&checked);
    if (made)
        pthread_join(thread, NULL);
    sem_destroy(&checked);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    check(made && first_inherited, "a new thread starts with its creator's signal mask");
    check(made && first_own && main_unchanged,
          "pthread_sigmask in a thread changes its own mask, not the main thread's");
    check(made && second_inherited,
          "a thread made by that thread starts with that thread's mask, not the main thread's");
}

// --- signals sent to one thread

static sem_t ready, go;
static volatile pid_t target_tid;

static void *target(void *arg)
{
    (void)arg;
    target_tid = current_tid();
    sem_post(&ready);
    wait_sem(&go);
    return NULL;
}

static pid_t raiser_tid, raised_in;

static void *raiser(void *arg)
{
    (void)arg;
    raiser_tid = current_tid();
    raise(SIGUSR1);
    raised_in = handler_tid;
    return NULL;
}

static void directed(void)
{
    use_handler(SIGUSR1, SA_RESTART);
    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);
    handled_count = 0;
    pthread_t thread;
    int made = pthread_create(&thread, NULL, target, NULL) == 0;
    if (made)
        wait_sem(&ready);
    pid_t tid = target_tid;

    handler_tid = 0;
    int sent = made && pthread_kill(thread, SIGUSR1) == 0;
    check(sent && await_handled(1) == 1 && handler_tid == tid, "pthread_kill runs the handler in the thread named");
    handler_tid = 0;
    sent = made && syscall(SYS_tgkill, getpid(), tid, SIGUSR1) == 0;
    check(sent && await_handled(2) == 2 && handler_tid == tid, "tgkill(pid, tid) runs the handler in that thread");
    handler_tid = 0;
    sent = made && syscall(SYS_tkill, tid, SIGUSR1) == 0;
    check(sent && await_handled(3) == 3 && handler_tid == tid, "tkill(tid) runs the handler in that thread");
    check(syscall(SYS_tgkill, getpid(), tid, 0) == 0, "tgkill of signal 0 to a live thread is 0");

    pid_t other = fork();
    if (other == 0) {
        for (;;)
            pause();
    }
    errno = 0;
    long result = syscall(SYS_tgkill, other, tid, SIGUSR1);
    int error = errno;
    kill(other, SIGKILL);
    waitpid(other, NULL, 0);
    check(other > 0 && result == -1 && error == ESRCH,
          "tgkill naming another process's pid as the thread's tgid is ESRCH");
    errno = 0;
    check(syscall(SYS_tgkill, getpid(), tid, 65) == -1 && errno == EINVAL, "tgkill of signal 65 is EINVAL");
    errno = 0;
    check(syscall(SYS_tgkill, getpid(), tid, -1) == -1 && errno == EINVAL, "tgkill of signal -1 is EINVAL");
    errno = 0;
    check(syscall(SYS_tgkill, 0, tid, SIGUSR1) == -1 && errno == EINVAL, "tgkill with a tgid of 0 is EINVAL");
    errno = 0;
    check(syscall(SYS_tkill, tid, 65) == -1 && errno == EINVAL, "tkill of signal 65 is EINVAL");
    errno = 0;
    check(syscall(SYS_tkill, -1, SIGUSR1) == -1 && errno == EINVAL, "tkill of tid -1 is EINVAL");
    check(await_handled(3) == 3, "none of the refused calls ran the handler");
    sem_post(&go);
    if (made)
        pthread_join(thread, NULL);

    handler_tid = 0;
    made = pthread_create(&thread, NULL, raiser, NULL) == 0;
    if (made)
        pthread_join(thread, NULL);
    check(made && raised_in == raiser_tid && raiser_tid != getpid(),
          "raise in a thread runs the handler in that thread");
    sem_destroy(&ready);
    sem_destroy(&go);
    signal(SIGUSR1, SIG_DFL);
}

// --- signals sent to the process

static pid_t unblocked_tid;

static void *unblocking(void *arg)
{
    (void)arg;
    unblocked_tid = current_tid();
    sigset_t usr2 = set_of(SIGUSR2);
    pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
    sem_post(&ready);
    wait_sem(&go);
    return NULL;
}

static void *blocking(void *arg)
{
    (void)arg;
    sem_post(&ready);
    wait_sem(&go);
    return NULL;
}

static void *installs_handler(void *arg)
{
    (void)arg;
    use_handler(SIGUSR2, 0);
    return NULL;
}

static void process_directed(void)
{
    use_handler(SIGUSR2, SA_RESTART);
    sigset_t usr2 = set_of(SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &usr2, NULL);
    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);
    pthread_t threads[3];
    int created = 0;
    created += pthread_create(&threads[created], NULL, blocking, NULL) == 0;
    created += pthread_create(&threads[created], NULL, unblocking, NULL) == 0;
    created += pthread_create(&threads[created], NULL, blocking, NULL) == 0;
    for (int i = 0; i < created; ++i)
        wait_sem(&ready);
    handled_count = 0;
    handler_tid = 0;
    kill(getpid(), SIGUSR2);
    int count = await_handled(1);
    check(created == 3 && count == 1 && handler_tid == unblocked_tid,
          "kill of the process runs the handler once, in the one thread that does not block the signal");
    for (int i = 0; i < created; ++i)
        sem_post(&go);
    for (int i = 0; i < created; ++i)
        pthread_join(threads[i], NULL);
    pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
    sem_destroy(&ready);
    sem_destroy(&go);
    signal(SIGUSR2, SIG_DFL);

    // A handler set by one thread is every thread's.
    pthread_t thread;
    handled_count = 0;
    handler_tid = 0;
    int made = pthread_create(&thread, NULL, installs_handler, NULL) == 0;
    if (made)
        pthread_join(thread, NULL);
    struct sigaction seen;
    sigaction(SIGUSR2, NULL, &seen);
    if (seen.sa_handler == on_signal)  // (raised under SIG_DFL it would end this program)
        raise(SIGUSR2);
    check(made && __atomic_load_n(&handled_count, __ATOMIC_SEQ_CST) == 1 && handler_tid == getpid(),
          "a handler one thread sets is every thread's: the main thread's raise runs it there");
    signal(SIGUSR2, SIG_DFL);
}

// --- sigwait

struct waited {
    int result, signal, code;
    pid_t sender, tid;
};

static void *waits_for_usr1(void *arg)
{
    struct waited *w = arg;
    w->tid = current_tid();
    sigset_t usr1 = set_of(SIGUSR1);
    w->result = sigwait(&usr1, &w->signal);
    return NULL;
}

static void *waits_for_info(void *arg)
{
    struct waited *w = arg;
    w->tid = current_tid();
    sem_post(&ready);
    sigset_t usr1 = set_of(SIGUSR1);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    w->result = sigwaitinfo(&usr1, &info);
    w->signal = info.si_signo;
    w->code = info.si_code;
    w->sender = info.si_pid;
    return NULL;
}

static int own_pending, own_taken;

static void *keeps_pending(void *arg)
{
    (void)arg;
    target_tid = current_tid();
    sem_post(&ready);
    wait_sem(&go);
    sigset_t pending, usr1 = set_of(SIGUSR1);
    sigpending(&pending);
    own_pending = sigismember(&pending, SIGUSR1) == 1;
    int signal = 0;
    own_taken = sigwait(&usr1, &signal) == 0 && signal == SIGUSR1;
    return NULL;
}

static void sigwaits(void)
{
    use_handler(SIGUSR1, SA_RESTART);  // sigwait takes it all the same; a stray one ends nothing
    sigset_t usr1 = set_of(SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL);  // and so every thread made below
    sem_init(&ready, 0, 0);
    sem_init(&go, 0, 0);

    struct waited w;
    memset(&w, 0, sizeof w);
    w.result = -1;
    pthread_t thread;
    int made = pthread_create(&thread, NULL, waits_for_usr1, &w) == 0;
    kill(getpid(), SIGUSR1);
    if (made)
        join_waiter(thread, SIGUSR1);
    check(made && w.result == 0 && w.signal == SIGUSR1,
          "sigwait in a thread takes a signal sent to the process while every thread blocks it");

    memset(&w, 0, sizeof w);
    w.result = -1;
    made = pthread_create(&thread, NULL, waits_for_info, &w) == 0;
    if (made)
        wait_sem(&ready);
    int sent = made && syscall(SYS_tgkill, getpid(), w.tid, SIGUSR1) == 0;
    if (made)
        join_waiter(thread, SIGUSR1);
    check(sent && w.result == SIGUSR1 && w.signal == SIGUSR1 && w.code == SI_TKILL && w.sender == getpid(),
          "sigwaitinfo in a thread gets a tgkill's signal with SI_TKILL and the sender's pid");

    own_pending = own_taken = 0;
    made = pthread_create(&thread, NULL, keeps_pending, NULL) == 0;
    if (made)
        wait_sem(&ready);
    sent = made && pthread_kill(thread, SIGUSR1) == 0;
    sigset_t pending;
    sigpending(&pending);
    int main_sees = sigismember(&pending, SIGUSR1) == 1;
    struct timespec timeout = {0, 100 * 1000 * 1000};
    long long before = now_us();
    errno = 0;
    int result = sigtimedwait(&usr1, NULL, &timeout);
    int error = errno;
    long long took = now_us() - before;
    sem_post(&go);
    if (made)
        join_waiter(thread, SIGUSR1);
    check(sent && !main_sees && result == -1 && error == EAGAIN && took >= 100000 && took < 5000000,
          "a signal sent to one blocking thread is not another's: its sigpending lacks it, its sigtimedwait "
          "times out with EAGAIN");
    check(own_pending && own_taken, "... while that thread's sigpending shows it and its sigwait takes it");
    pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
    sem_destroy(&ready);
    sem_destroy(&go);
    signal(SIGUSR1, SIG_DFL);
}

// --- blocking reads

struct reader {
    int fd, done, error;
    ssize_t got;
    char byte;
};

static int readers_ready;

static void *read_one(void *arg)
{
    struct reader *r = arg;
    __atomic_add_fetch(&readers_ready, 1, __ATOMIC_SEQ_CST);
    r->got = read(r->fd, &r->byte, 1);
    r->error = errno;
    __atomic_store_n(&r->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void start_readers(struct reader *readers, pthread_t *threads, int n, int *created)
{
    __atomic_store_n(&readers_ready, 0, __ATOMIC_SEQ_CST);
    *created = 0;
    for (int i = 0; i < n; ++i) {
        readers[i].done = 0;
        readers[i].got = -2;
        if (pthread_create(&threads[i], NULL, read_one, &readers[i]) != 0)
            break;
        ++*created;
    }
    long long start = now_us();
    while (__atomic_load_n(&readers_ready, __ATOMIC_SEQ_CST) < *created && now_us() - start < 5000000)
        pause_ms(2);
    pause_ms(100);  // time to fall asleep in read
}

static int await_reader(struct reader *r)
{
    long long start = now_us();
    while (!__atomic_load_n(&r->done, __ATOMIC_SEQ_CST) && now_us() - start < 5000000)
        pause_ms(2);
    return __atomic_load_n(&r->done, __ATOMIC_SEQ_CST);
}

static void blocking_reads(void)
{
    int first[2], second[2];
    if (pipe(first) != 0 || pipe(second) != 0) {
        check(0, "pipe");
        return;
    }
    use_handler(SIGUSR1, 0);
    struct reader readers[2] = {{first[0], 0, 0, 0, 0}, {second[0], 0, 0, 0, 0}};
    pthread_t threads[2];
    int created;
    start_readers(readers, threads, 2, &created);
    long long start = now_us();
    // Again and again: a signal that came before the read began would leave it blocked.
    while (created == 2 && !__atomic_load_n(&readers[0].done, __ATOMIC_SEQ_CST) && now_us() - start < 5000000) {
        pthread_kill(threads[0], SIGUSR1);
        pause_ms(50);
    }
    check(created == 2 && readers[0].done && readers[0].got == -1 && readers[0].error == EINTR,
          "a signal with a handler (no SA_RESTART) ends a thread's read of an empty pipe with EINTR");
    check(created == 2 && !__atomic_load_n(&readers[1].done, __ATOMIC_SEQ_CST),
          "... and another thread's read of another pipe goes on");
    int wrote = write(second[1], "w", 1) == 1;
    check(wrote && await_reader(&readers[1]) && readers[1].got == 1 && readers[1].byte == 'w',
          "a thread blocked in read of an empty pipe gets the byte another thread writes");
    for (int i = 0; i < created; ++i) {
        if (!__atomic_load_n(&readers[i].done, __ATOMIC_SEQ_CST))  // a failed check leaves it waiting
            (void)!write(i == 0 ? first[1] : second[1], "u", 1);
        pthread_join(threads[i], NULL);
    }

    use_handler(SIGUSR1, SA_RESTART);
    handled_count = 0;
    start_readers(readers, threads, 1, &created);
    if (created)
        pthread_kill(threads[0], SIGUSR1);
    int handled = await_handled(1);
    pause_ms(50);
    int still = !__atomic_load_n(&readers[0].done, __ATOMIC_SEQ_CST);
    wrote = write(first[1], "r", 1) == 1;
    int ended = await_reader(&readers[0]);
    check(created && handled == 1 && still && wrote && ended && readers[0].got == 1 && readers[0].byte == 'r',
          "under SA_RESTART the read goes on after the handler, and returns the byte written later");
    if (!ended)
        close(first[1]);
    for (int i = 0; i < created; ++i)
        pthread_join(threads[i], NULL);
    signal(SIGUSR1, SIG_DFL);
    close(first[0]);
    close(first[1]);
    close(second[0]);
    close(second[1]);
}

// --- faults

static sigjmp_buf fault_jump;
static volatile pid_t fault_tid;
static int *volatile bad_pointer;

static void on_fault(int signal)
{
    (void)signal;
    fault_tid = current_tid();
    siglongjmp(fault_jump, 1);
}

static void *faults(void *arg)
{
    (void)arg;
    if (sigsetjmp(fault_jump, 1) == 0) {
        *bad_pointer = 1;
        return NULL;
    }
    return (void *)(intptr_t)current_tid();
}

static void handled_fault(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fault;
    sigaction(SIGSEGV, &action, NULL);
    bad_pointer = NULL;
    fault_tid = 0;
    pthread_t thread;
    void *value = NULL;
    int made = pthread_create(&thread, NULL, faults, NULL) == 0;
    if (made)
        pthread_join(thread, &value);
    signal(SIGSEGV, SIG_DFL);
    check(made && value != NULL && fault_tid == (pid_t)(intptr_t)value && fault_tid != getpid(),
          "a thread's write to address 0 runs the SIGSEGV handler in that thread, which jumps back into it");
}

// --- fatal signals end every thread (each in a child of its own)

enum ending { term_to_process, kill_to_process, fault_in_thread };

static int idle_pipe[2];
static enum ending how;

static void *idle_reader(void *arg)
{
    (void)arg;
    char byte;
    (void)!read(idle_pipe[0], &byte, 1);
    return NULL;
}

static void *idle_waiter(void *arg)
{
    (void)arg;
    sem_t never;
    sem_init(&never, 0, 0);
    wait_sem(&never);
    return NULL;
}

static void *ender(void *arg)
{
    (void)arg;
    pause_ms(50);
    if (how == term_to_process)
        kill(getpid(), SIGTERM);
    else if (how == kill_to_process)
        kill(getpid(), SIGKILL);
    else
        *bad_pointer = 1;
    pause_ms(5000);
    _exit(40);
}

static void *reports_tid(void *arg)
{
    pid_t tid = current_tid();
    if (write((int)(intptr_t)arg, &tid, sizeof tid) != sizeof tid)
        _exit(41);
    for (;;)
        pause_ms(1000);
    return NULL;
}

static void child_with_threads(enum ending ending, int report_fd)
{
    struct rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    how = ending;
    bad_pointer = NULL;
    if (pipe(idle_pipe) != 0)
        _exit(42);
    pthread_t threads[3];
    if (pthread_create(&threads[0], NULL, idle_reader, NULL) != 0 ||
        pthread_create(&threads[1], NULL, idle_waiter, NULL) != 0 ||
        pthread_create(&threads[2], NULL, report_fd >= 0 ? reports_tid : ender, (void *)(intptr_t)report_fd) != 0)
        _exit(43);
    pthread_join(threads[0], NULL);  // never returns
    _exit(44);
}

static void fatal(enum ending ending, int signal, const char *what)
{
    pid_t child = fork();
    if (child == 0)
        child_with_threads(ending, -1);
    int status = 0;
    int reaped = reap(child, &status);
    check(reaped && WIFSIGNALED(status) && WTERMSIG(status) == signal, what);
}

static void fatal_to_thread(void)
{
    int ends[2];
    if (pipe(ends) != 0) {
        check(0, "pipe");
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        close(ends[0]);
        child_with_threads(term_to_process, ends[1]);
    }
    close(ends[1]);
    pid_t tid = 0;
    struct pollfd entry = {ends[0], POLLIN, 0};
    ssize_t got = poll(&entry, 1, 30000) == 1 ? read(ends[0], &tid, sizeof tid) : -1;
    close(ends[0]);
    long sent = -1;
    if (got == sizeof tid)
        sent = syscall(SYS_tgkill, child, tid, SIGTERM);
    int status = 0;
    int reaped = reap(child, &status);
    check(got == sizeof tid && tid != child && sent == 0 && reaped && WIFSIGNALED(status) &&
              WTERMSIG(status) == SIGTERM,
          "tgkill of SIGTERM (no handler) to one thread of another process ends that whole process");
}

// A stopped process keeps signals sent to it until SIGCONT, and then a thread blocked in a
// call that does not block the signal takes it (here: SIGTERM, default action, ends it).
static void *blocks_term(void *arg)
{
    (void)arg;
    for (;;)
        pause_ms(1000);
    return NULL;
}

static void stopped_then_terminated(void)
{
    int ready[2], idle[2];
    if (pipe(ready) != 0 || pipe(idle) != 0) {
        check(0, "pipe");
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        sigset_t term;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &term, NULL);
        pthread_t worker;
        if (pthread_create(&worker, NULL, blocks_term, NULL) != 0)
            _exit(45);
        pthread_sigmask(SIG_UNBLOCK, &term, NULL);
        char byte = 'r';
        if (write(ready[1], &byte, 1) != 1)
            _exit(46);
        (void)!read(idle[0], &byte, 1);  // blocked here until SIGTERM
        _exit(47);
    }
    char byte;
    struct pollfd entry = {ready[0], POLLIN, 0};
    int started = poll(&entry, 1, 30000) == 1 && read(ready[0], &byte, 1) == 1;
    pause_ms(50);  // (the main thread into its read)
    kill(child, SIGSTOP);
    int status = 0;
    int stopped = waitpid(child, &status, WUNTRACED) == child && WIFSTOPPED(status);
    kill(child, SIGTERM);
    pause_ms(50);
    int alive = waitpid(child, &status, WNOHANG) == 0;
    kill(child, SIGCONT);
    int reaped = reap(child, &status);
    check(started && stopped && alive && reaped && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
          "SIGTERM sent to a stopped process waits for SIGCONT, then ends it through the thread blocked in read");
    close(ready[0]);
    close(ready[1]);
    close(idle[0]);
    close(idle[1]);
}

// A signal whose default action is to ignore it is kept when blocked: sigpending shows it
// and sigtimedwait takes it (SIGCHLD of a child that exits).
static void ignored_but_waited(void)
{
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigset_t old;
    pthread_sigmask(SIG_BLOCK, &chld, &old);
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    int status = 0;
    int reaped = reap(child, &status);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    int shown = sigismember(&pending, SIGCHLD) == 1;
    struct timespec timeout = {5, 0};
    siginfo_t info;
    memset(&info, 0, sizeof info);
    int taken = sigtimedwait(&chld, &info, &timeout);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    check(reaped && shown && taken == SIGCHLD && info.si_signo == SIGCHLD && info.si_pid == child,
          "a blocked SIGCHLD (default: ignored) stays pending for sigpending and sigtimedwait");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    masks();
    directed();
    process_directed();
    sigwaits();
    blocking_reads();
    handled_fault();
    fatal(term_to_process, SIGTERM, "SIGTERM (no handler) sent to the process by one of its threads ends all of them");
    fatal(kill_to_process, SIGKILL, "SIGKILL sent to the process by one of its threads ends all of them");
    fatal(fault_in_thread, SIGSEGV,
          "a thread's write to address 0 without a handler ends the whole process with SIGSEGV");
    fatal_to_thread();
    stopped_then_terminated();
    ignored_but_waited();
    return failures;
}
