// SPDX-License-Identifier: MIT
// Threads under Tern's Linux personality (LXH0001): pthread_create and pthread_join with
// values, 40 threads four at a time, tryjoin and timedjoin of a running thread; thread ids
// (the main thread's is the pid, the pid is the same in all); __thread variables of their
// own in every thread; mutexes (normal under contention, error-checking, recursive),
// condition variables (a bounded queue, timed waits on both clocks), barriers, detached
// threads, pthread_exit with cleanup handlers and keys, pthread_once, rwlocks, unnamed
// semaphores and sched_yield; the main thread's pthread_exit leaves the others running (in
// the program run afresh through /proc/self/exe), a thread's exit ends them all with its
// status, and fork from a thread leaves the child one thread that can make more. One TAP
// line per check; the exit status is the number that failed. It passes on Linux too
// (musl-gcc -static).
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int checks, failures;
static pid_t main_pid;

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

static long long now_us(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
}

static void pause_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

static struct timespec after_ms(clockid_t clock, long ms)
{
    struct timespec t;
    clock_gettime(clock, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (ms % 1000) * 1000000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_nsec -= 1000000000;
        ++t.tv_sec;
    }
    return t;
}

static long long us_of(struct timespec t)
{
    return t.tv_sec * 1000000LL + t.tv_nsec / 1000;
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

// Reads a byte a child sends, waiting for it at most 30 s.
static ssize_t read_within(int fd, char *byte)
{
    struct pollfd entry = {fd, POLLIN, 0};
    if (poll(&entry, 1, 30000) != 1)
        return -1;
    return read(fd, byte, 1);
}

// --- create and join

static void *times_ten(void *arg)
{
    return (void *)((intptr_t)arg * 10);
}

static void *square_plus_one(void *arg)
{
    intptr_t k = (intptr_t)arg;
    return (void *)(k * k + 1);
}

static sem_t release_sem;

static void *wait_release(void *arg)
{
    while (sem_wait(&release_sem) != 0)
        ;
    return arg;
}

static void create_join(void)
{
    pthread_t threads[4];
    int created = 0, right = 0;
    for (int i = 0; i < 4 && pthread_create(&threads[i], NULL, times_ten, (void *)(intptr_t)(i + 1)) == 0; ++i)
        ++created;
    for (int i = 0; i < created; ++i) {
        void *value = NULL;
        if (pthread_join(threads[i], &value) == 0 && (intptr_t)value == (i + 1) * 10)
            ++right;
    }
    check(created == 4 && right == 4, "four threads are created and pthread_join returns each one's value");

    int good = 0;
    for (int round = 0; round < 10; ++round) {
        pthread_t batch[4];
        intptr_t args[4];
        int made = 0;
        for (int i = 0; i < 4; ++i) {
            args[made] = round * 4 + i;
            if (pthread_create(&batch[made], NULL, square_plus_one, (void *)args[made]) == 0)
                ++made;
        }
        for (int i = 0; i < made; ++i) {
            void *value = NULL;
            if (pthread_join(batch[i], &value) == 0 && (intptr_t)value == args[i] * args[i] + 1)
                ++good;
        }
    }
    check(good == 40, "40 threads, four at a time, each joined with its value (their slots are reused)");

    sem_init(&release_sem, 0, 0);
    pthread_t waiter;
    if (pthread_create(&waiter, NULL, wait_release, (void *)(intptr_t)99) != 0) {
        check(0, "pthread_tryjoin_np of a running thread is EBUSY");
        check(0, "pthread_timedjoin_np of a running thread is ETIMEDOUT, not before its time");
        check(0, "... and the thread, let go, is joined with its value");
        return;
    }
    void *value = NULL;
    check(pthread_tryjoin_np(waiter, &value) == EBUSY, "pthread_tryjoin_np of a running thread is EBUSY");
    struct timespec deadline = after_ms(CLOCK_REALTIME, 100);
    int result = pthread_timedjoin_np(waiter, &value, &deadline);
    check(result == ETIMEDOUT && now_us(CLOCK_REALTIME) >= us_of(deadline),
          "pthread_timedjoin_np of a running thread is ETIMEDOUT, not before its time");
    sem_post(&release_sem);
    check(pthread_join(waiter, &value) == 0 && (intptr_t)value == 99,
          "... and the thread, let go, is joined with its value");
    sem_destroy(&release_sem);
}

// --- thread ids

struct ids {
    pid_t tid, pid;
    pthread_t self;
};

static pthread_barrier_t ids_barrier;

static void *report_ids(void *arg)
{
    struct ids *ids = arg;
    ids->tid = current_tid();
    ids->pid = getpid();
    ids->self = pthread_self();
    pthread_barrier_wait(&ids_barrier);  // all four are alive at once
    return NULL;
}

static void thread_ids(void)
{
    check(current_tid() == getpid(), "the main thread's gettid is its pid");
    struct ids ids[4];
    memset(ids, 0, sizeof ids);
    pthread_t threads[4];
    pthread_barrier_init(&ids_barrier, NULL, 4);
    int created = 0;
    for (int i = 0; i < 4 && pthread_create(&threads[i], NULL, report_ids, &ids[i]) == 0; ++i)
        ++created;
    int joined = 0;
    for (int i = 0; i < created; ++i)
        joined += pthread_join(threads[i], NULL) == 0;
    pthread_barrier_destroy(&ids_barrier);
    int distinct = created == 4 && joined == 4, same_pid = distinct, selves = distinct;
    for (int i = 0; i < 4; ++i) {
        if (ids[i].tid <= 0 || ids[i].tid == main_pid)
            distinct = 0;
        for (int j = 0; j < i; ++j)
            if (ids[i].tid == ids[j].tid)
                distinct = 0;
        if (ids[i].pid != main_pid)
            same_pid = 0;
        if (!pthread_equal(ids[i].self, threads[i]) || pthread_equal(ids[i].self, pthread_self()))
            selves = 0;
    }
    check(distinct, "four threads alive at once have four thread ids, none the pid");
    check(same_pid, "getpid is the same in every thread");
    check(selves, "pthread_self in a thread is what pthread_create gave, not the main thread's");
}

// --- __thread variables

static __thread int tls_counter = 42;
static __thread char tls_text[16] = "initial";
static __thread _Alignas(64) char tls_aligned[8];
static pthread_barrier_t tls_barrier;

struct tls_report {
    int index, initial, after, text_ok, zero_ok;
    void *address;
    uintptr_t aligned_address;
};

static void *tls_thread(void *arg)
{
    struct tls_report *report = arg;
    report->initial = tls_counter;
    report->text_ok = strcmp(tls_text, "initial") == 0;
    report->zero_ok = tls_aligned[0] == 0 && tls_aligned[7] == 0;
    report->address = &tls_counter;
    report->aligned_address = (uintptr_t)tls_aligned;
    tls_counter = 1000 + report->index;
    snprintf(tls_text, sizeof tls_text, "thread %d", report->index);
    tls_aligned[0] = 1;
    pthread_barrier_wait(&tls_barrier);  // all have written theirs
    char expected[16];
    snprintf(expected, sizeof expected, "thread %d", report->index);
    report->after = tls_counter == 1000 + report->index && strcmp(tls_text, expected) == 0;
    return NULL;
}

static void thread_locals(void)
{
    tls_counter = 7;
    strcpy(tls_text, "main");
    pthread_barrier_init(&tls_barrier, NULL, 3);
    struct tls_report reports[3];
    memset(reports, 0, sizeof reports);
    pthread_t threads[3];
    int created = 0;
    for (int i = 0; i < 3; ++i) {
        reports[i].index = i;
        if (pthread_create(&threads[i], NULL, tls_thread, &reports[i]) != 0)
            break;
        ++created;
    }
    for (int i = 0; i < created; ++i)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&tls_barrier);
    int initial = created == 3, own = created == 3, apart = created == 3, aligned = created == 3;
    for (int i = 0; i < 3; ++i) {
        if (reports[i].initial != 42 || !reports[i].text_ok || !reports[i].zero_ok)
            initial = 0;
        if (!reports[i].after)
            own = 0;
        if (reports[i].address == (void *)&tls_counter)
            apart = 0;
        for (int j = 0; j < i; ++j)
            if (reports[i].address == reports[j].address)
                apart = 0;
        if (reports[i].aligned_address % 64 != 0)
            aligned = 0;
    }
    check(initial, "a new thread sees __thread variables' initial values, not the creator's changes");
    check(own && tls_counter == 7 && strcmp(tls_text, "main") == 0 && tls_aligned[0] == 0,
          "each thread's changes to its __thread variables are its own");
    check(apart, "a __thread variable has a different address in every thread");
    check(aligned && (uintptr_t)tls_aligned % 64 == 0,
          "a 64-byte aligned __thread variable is aligned in every thread");
}

// --- mutexes

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static volatile long counter;

static void *add_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; ++i) {
        pthread_mutex_lock(&counter_lock);
        long value = counter;
        if ((i & 63) == 0)
            sched_yield();  // hold the lock a while: the others wait for it
        counter = value + 1;
        pthread_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static pthread_mutex_t checked_lock;
static int unlock_by_other, trylock_by_other;

static void *other_unlocks(void *arg)
{
    (void)arg;
    unlock_by_other = pthread_mutex_unlock(&checked_lock);
    trylock_by_other = pthread_mutex_trylock(&checked_lock);
    return NULL;
}

static void mutexes(void)
{
    pthread_t threads[4];
    int created = 0;
    for (int i = 0; i < 4 && pthread_create(&threads[i], NULL, add_many, NULL) == 0; ++i)
        ++created;
    for (int i = 0; i < created; ++i)
        pthread_join(threads[i], NULL);
    check(created == 4 && counter == 8000, "four threads adding 2000 each under a mutex make 8000");

    pthread_mutexattr_t attributes;
    pthread_mutexattr_init(&attributes);
    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&checked_lock, &attributes);
    pthread_mutex_lock(&checked_lock);
    check(pthread_mutex_lock(&checked_lock) == EDEADLK, "an error-checking mutex locked again by its owner is EDEADLK");
    unlock_by_other = trylock_by_other = -1;
    pthread_t other;
    int made = pthread_create(&other, NULL, other_unlocks, NULL) == 0;
    if (made)
        pthread_join(other, NULL);
    check(made && unlock_by_other == EPERM && trylock_by_other == EBUSY,
          "... unlocked by another thread is EPERM, and its trylock EBUSY");
    check(pthread_mutex_unlock(&checked_lock) == 0 && pthread_mutex_unlock(&checked_lock) == EPERM,
          "... unlocked by its owner is 0, and once more EPERM");
    pthread_mutex_destroy(&checked_lock);

    pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_t recursive;
    pthread_mutex_init(&recursive, &attributes);
    int ok = pthread_mutex_lock(&recursive) == 0 && pthread_mutex_lock(&recursive) == 0 &&
             pthread_mutex_trylock(&recursive) == 0;
    ok = ok && pthread_mutex_unlock(&recursive) == 0 && pthread_mutex_unlock(&recursive) == 0 &&
         pthread_mutex_unlock(&recursive) == 0 && pthread_mutex_unlock(&recursive) == EPERM;
    check(ok, "a recursive mutex is taken three times and given back three times");
    pthread_mutex_destroy(&recursive);
    pthread_mutexattr_destroy(&attributes);
}

// --- condition variables

#define QUEUE_SIZE 4
#define PER_PRODUCER 150
static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    int items[QUEUE_SIZE];
    int head, count, taken, overflow;
    long sum;
} queue = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, 0, 0, 0};

static void *produce(void *arg)
{
    (void)arg;
    for (int value = 1; value <= PER_PRODUCER; ++value) {
        pthread_mutex_lock(&queue.lock);
        while (queue.count == QUEUE_SIZE)
            pthread_cond_wait(&queue.not_full, &queue.lock);
        queue.items[(queue.head + queue.count) % QUEUE_SIZE] = value;
        if (++queue.count > QUEUE_SIZE)
            queue.overflow = 1;
        pthread_cond_signal(&queue.not_empty);
        pthread_mutex_unlock(&queue.lock);
    }
    return NULL;
}

static void *consume(void *arg)
{
    long *mine = arg;
    pthread_mutex_lock(&queue.lock);
    for (;;) {
        while (queue.count == 0 && queue.taken < 2 * PER_PRODUCER)
            pthread_cond_wait(&queue.not_empty, &queue.lock);
        if (queue.count == 0)
            break;
        int value = queue.items[queue.head];
        queue.head = (queue.head + 1) % QUEUE_SIZE;
        --queue.count;
        queue.sum += value;
        ++*mine;
        if (++queue.taken == 2 * PER_PRODUCER)
            pthread_cond_broadcast(&queue.not_empty);
        pthread_cond_signal(&queue.not_full);
    }
    pthread_mutex_unlock(&queue.lock);
    return NULL;
}

static pthread_mutex_t flag_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flag_cond = PTHREAD_COND_INITIALIZER;
static int flag;

static void *set_flag_later(void *arg)
{
    (void)arg;
    pause_ms(50);
    pthread_mutex_lock(&flag_lock);
    flag = 1;
    pthread_cond_signal(&flag_cond);
    pthread_mutex_unlock(&flag_lock);
    return NULL;
}

static void conditions(void)
{
    pthread_t threads[4];
    long taken[2] = {0, 0};
    int created = 0;
    created += pthread_create(&threads[0], NULL, consume, &taken[0]) == 0;
    created += pthread_create(&threads[1], NULL, consume, &taken[1]) == 0;
    created += pthread_create(&threads[2], NULL, produce, NULL) == 0;
    created += pthread_create(&threads[3], NULL, produce, NULL) == 0;
    if (created == 4)
        for (int i = 0; i < 4; ++i)
            pthread_join(threads[i], NULL);
    check(created == 4 && queue.taken == 2 * PER_PRODUCER && taken[0] + taken[1] == 2 * PER_PRODUCER &&
              queue.sum == 2L * PER_PRODUCER * (PER_PRODUCER + 1) / 2 && !queue.overflow,
          "two producers and two consumers pass 300 items through a queue of 4 with condition variables");

    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
    pthread_mutex_lock(&lock);
    struct timespec deadline = after_ms(CLOCK_REALTIME, 100);
    long long before = now_us(CLOCK_MONOTONIC);
    int result, rounds = 0;
    do
        result = pthread_cond_timedwait(&cond, &lock, &deadline);
    while (result == 0 && ++rounds < 100);
    check(result == ETIMEDOUT && now_us(CLOCK_REALTIME) >= us_of(deadline) &&
              now_us(CLOCK_MONOTONIC) - before < 5000000,
          "pthread_cond_timedwait with nobody signalling is ETIMEDOUT at its deadline, not before");
    pthread_mutex_unlock(&lock);

    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_t monotonic;
    pthread_cond_init(&monotonic, &attributes);
    pthread_mutex_lock(&lock);
    deadline = after_ms(CLOCK_MONOTONIC, 100);
    rounds = 0;
    do
        result = pthread_cond_timedwait(&monotonic, &lock, &deadline);
    while (result == 0 && ++rounds < 100);
    long long reached = now_us(CLOCK_MONOTONIC);
    check(result == ETIMEDOUT && reached >= us_of(deadline) && reached - us_of(deadline) < 5000000,
          "... and so on a CLOCK_MONOTONIC condition variable");
    pthread_mutex_unlock(&lock);
    pthread_cond_destroy(&monotonic);
    pthread_condattr_destroy(&attributes);

    pthread_t signaller;
    flag = 0;
    int made = pthread_create(&signaller, NULL, set_flag_later, NULL) == 0;
    pthread_mutex_lock(&flag_lock);
    deadline = after_ms(CLOCK_REALTIME, 10000);
    result = 0;
    while (!flag && result == 0)
        result = pthread_cond_timedwait(&flag_cond, &flag_lock, &deadline);
    pthread_mutex_unlock(&flag_lock);
    if (made)
        pthread_join(signaller, NULL);
    check(made && result == 0 && flag && now_us(CLOCK_REALTIME) < us_of(deadline),
          "a timed wait signalled before its deadline returns 0 at once");
}

// --- barriers

static pthread_barrier_t round_barrier;
static int arrived[3], serial[3], all_there[3];

static void *barrier_rounds(void *arg)
{
    (void)arg;
    for (int round = 0; round < 3; ++round) {
        __atomic_add_fetch(&arrived[round], 1, __ATOMIC_SEQ_CST);
        if (round == 1)
            pause_ms(10);
        int result = pthread_barrier_wait(&round_barrier);
        if (result == PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_add_fetch(&serial[round], 1, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&arrived[round], __ATOMIC_SEQ_CST) == 4)
            __atomic_add_fetch(&all_there[round], 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void barriers(void)
{
    pthread_barrier_init(&round_barrier, NULL, 4);
    pthread_t threads[4];
    int created = 0;
    for (int i = 0; i < 4 && pthread_create(&threads[i], NULL, barrier_rounds, NULL) == 0; ++i)
        ++created;
    for (int i = 0; i < created; ++i)
        pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&round_barrier);
    int everyone = created == 4, one = created == 4;
    for (int round = 0; round < 3; ++round) {
        if (all_there[round] != 4)
            everyone = 0;
        if (serial[round] != 1)
            one = 0;
    }
    check(everyone, "in three rounds, every thread leaves pthread_barrier_wait only after all four came");
    check(one, "... and in each round exactly one gets PTHREAD_BARRIER_SERIAL_THREAD");
}

// --- detached threads

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int done_count;

static void *count_done(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&done_lock);
    ++done_count;
    pthread_cond_broadcast(&done_cond);
    pthread_mutex_unlock(&done_lock);
    return NULL;
}

static int wait_done(int target)
{
    struct timespec deadline = after_ms(CLOCK_REALTIME, 10000);
    pthread_mutex_lock(&done_lock);
    int result = 0;
    while (done_count < target && result != ETIMEDOUT)
        result = pthread_cond_timedwait(&done_cond, &done_lock, &deadline);
    int reached = done_count >= target;
    pthread_mutex_unlock(&done_lock);
    return reached;
}

static void detached(void)
{
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    int created = 0;
    for (int i = 0; i < 4; ++i) {
        pthread_t thread;
        created += pthread_create(&thread, &attributes, count_done, NULL) == 0;
    }
    check(created == 4 && wait_done(4), "four threads created detached all run to their end");
    pthread_attr_destroy(&attributes);
    pause_ms(50);  // let them finish leaving
    int detached_ok = 0;
    for (int i = 0; i < 4; ++i) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, count_done, NULL) == 0 && pthread_detach(thread) == 0)
            ++detached_ok;
    }
    check(detached_ok == 4 && wait_done(8), "four threads detached by pthread_detach all run to their end");
    pause_ms(50);  // let the last of them finish leaving
}

// --- pthread_exit, cleanup handlers, keys, once

static int after_exit, cleanup_value;
static pthread_key_t key;
static int destructed[4];

static void cleanup(void *arg)
{
    cleanup_value = (int)(intptr_t)arg;
}

static __attribute__((noinline)) void exit_here(int value)
{
    pthread_exit((void *)(intptr_t)value);
}

static __attribute__((noinline)) void deep_exit(int value)
{
    exit_here(value);
    after_exit = 1;
}

static void *exits_early(void *arg)
{
    (void)arg;
    pthread_cleanup_push(cleanup, (void *)(intptr_t)5);
    deep_exit(77);
    pthread_cleanup_pop(0);
    after_exit = 1;
    return NULL;
}

static void destructor(void *value)
{
    int *slot = value;
    ++*slot;
}

static void *uses_key(void *arg)
{
    int index = (int)(intptr_t)arg;
    if (pthread_getspecific(key) != NULL)
        return (void *)1;
    pthread_setspecific(key, &destructed[index]);
    sched_yield();
    return pthread_getspecific(key) == &destructed[index] ? NULL : (void *)1;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_calls, initialized;
static pthread_barrier_t once_barrier;

static void initialize(void)
{
    ++once_calls;
    pause_ms(20);
    __atomic_store_n(&initialized, 1, __ATOMIC_SEQ_CST);
}

static void *call_once(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&once_barrier);
    pthread_once(&once, initialize);
    return (void *)(intptr_t)__atomic_load_n(&initialized, __ATOMIC_SEQ_CST);
}

static void exits_and_keys(void)
{
    pthread_t thread;
    void *value = NULL;
    int made = pthread_create(&thread, NULL, exits_early, NULL) == 0;
    if (made)
        pthread_join(thread, &value);
    check(made && (intptr_t)value == 77 && !after_exit,
          "pthread_exit deep in a thread ends it, and join gets its value");
    check(made && cleanup_value == 5, "... after its cleanup handler ran");

    pthread_key_create(&key, destructor);
    pthread_t threads[4];
    int created = 0, clean = 0;
    for (int i = 0; i < 4 && pthread_create(&threads[i], NULL, uses_key, (void *)(intptr_t)i) == 0; ++i)
        ++created;
    for (int i = 0; i < created; ++i)
        if (pthread_join(threads[i], &value) == 0 && value == NULL)
            ++clean;
    int once_each = 1;
    for (int i = 0; i < 4; ++i)
        if (destructed[i] != 1)
            once_each = 0;
    check(created == 4 && clean == 4 && pthread_getspecific(key) == NULL,
          "a pthread key holds a value of its own in every thread");
    check(created == 4 && once_each, "... and its destructor runs once for each thread's value when it ends");
    pthread_key_delete(key);

    pthread_barrier_init(&once_barrier, NULL, 4);
    created = 0;
    int saw = 0;
    for (int i = 0; i < 4 && pthread_create(&threads[i], NULL, call_once, NULL) == 0; ++i)
        ++created;
    for (int i = 0; i < created; ++i)
        if (pthread_join(threads[i], &value) == 0 && value == (void *)1)
            ++saw;
    pthread_barrier_destroy(&once_barrier);
    check(created == 4 && once_calls == 1 && saw == 4,
          "pthread_once from four threads at once runs its routine once, and all return after it");
}

// --- rwlocks

static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t readers_barrier;
static int reader_got, reader_try;

static void *reader(void *arg)
{
    (void)arg;
    int ok = pthread_rwlock_rdlock(&rwlock) == 0;
    pthread_barrier_wait(&readers_barrier);  // all three readers hold it here
    pthread_barrier_wait(&readers_barrier);  // the main thread has tried to write
    if (ok)
        pthread_rwlock_unlock(&rwlock);
    return (void *)(intptr_t)ok;
}

static void *late_reader(void *arg)
{
    (void)arg;
    reader_try = pthread_rwlock_tryrdlock(&rwlock);
    if (pthread_rwlock_rdlock(&rwlock) != 0)
        return NULL;
    __atomic_store_n(&reader_got, 1, __ATOMIC_SEQ_CST);
    pthread_rwlock_unlock(&rwlock);
    return NULL;
}

static void rwlocks(void)
{
    pthread_barrier_init(&readers_barrier, NULL, 4);
    pthread_t threads[3];
    int created = 0;
    for (int i = 0; i < 3 && pthread_create(&threads[i], NULL, reader, NULL) == 0; ++i)
        ++created;
    int try_write = -1;
    if (created == 3) {
        pthread_barrier_wait(&readers_barrier);
        try_write = pthread_rwlock_trywrlock(&rwlock);
        pthread_barrier_wait(&readers_barrier);
    }
    int held = 0;
    for (int i = 0; i < created; ++i) {
        void *value = NULL;
        pthread_join(threads[i], &value);
        held += value == (void *)1;
    }
    pthread_barrier_destroy(&readers_barrier);
    check(created == 3 && held == 3, "three threads hold an rwlock for reading at once");
    check(try_write == EBUSY, "... and pthread_rwlock_trywrlock meanwhile is EBUSY");

    pthread_rwlock_wrlock(&rwlock);
    pthread_t thread;
    reader_got = 0;
    reader_try = -1;
    int made = pthread_create(&thread, NULL, late_reader, NULL) == 0;
    pause_ms(100);
    int waited = !__atomic_load_n(&reader_got, __ATOMIC_SEQ_CST);
    pthread_rwlock_unlock(&rwlock);
    if (made)
        pthread_join(thread, NULL);
    check(made && reader_try == EBUSY && waited && reader_got,
          "a reader waits while a writer holds the rwlock, and gets it after");
}

// --- semaphores, sched_yield

static sem_t ping, pong;
static int volleys;

static void *ponger(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; ++i) {
        while (sem_wait(&ping) != 0)
            ;
        ++volleys;
        sem_post(&pong);
    }
    return NULL;
}

static int yield_flag;

static void *set_yield_flag(void *arg)
{
    (void)arg;
    __atomic_store_n(&yield_flag, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void semaphores(void)
{
    sem_t sem;
    sem_init(&sem, 0, 0);
    errno = 0;
    check(sem_trywait(&sem) == -1 && errno == EAGAIN, "sem_trywait on a zero semaphore is EAGAIN");
    struct timespec deadline = after_ms(CLOCK_REALTIME, 100);
    errno = 0;
    int result = sem_timedwait(&sem, &deadline);
    check(result == -1 && errno == ETIMEDOUT && now_us(CLOCK_REALTIME) >= us_of(deadline),
          "sem_timedwait on it is ETIMEDOUT, not before its deadline");
    sem_post(&sem);
    sem_post(&sem);
    sem_post(&sem);
    int value = -1;
    sem_getvalue(&sem, &value);
    check(value == 3 && sem_trywait(&sem) == 0 && sem_getvalue(&sem, &value) == 0 && value == 2,
          "three posts make 3, a trywait takes one");
    sem_destroy(&sem);

    sem_init(&ping, 0, 0);
    sem_init(&pong, 0, 0);
    pthread_t thread;
    int made = pthread_create(&thread, NULL, ponger, NULL) == 0, lockstep = made;
    for (int i = 0; made && i < 100; ++i) {
        sem_post(&ping);
        while (sem_wait(&pong) != 0)
            ;
        if (volleys != i + 1)
            lockstep = 0;
    }
    if (made)
        pthread_join(thread, NULL);
    check(lockstep && volleys == 100, "two threads pass 100 turns to each other through two semaphores");
    sem_destroy(&ping);
    sem_destroy(&pong);

    check(sched_yield() == 0, "sched_yield returns 0");
    yield_flag = 0;
    made = pthread_create(&thread, NULL, set_yield_flag, NULL) == 0;
    long long start = now_us(CLOCK_MONOTONIC);
    while (made && !__atomic_load_n(&yield_flag, __ATOMIC_SEQ_CST) && now_us(CLOCK_MONOTONIC) - start < 5000000)
        sched_yield();
    int seen = __atomic_load_n(&yield_flag, __ATOMIC_SEQ_CST);
    if (made)
        pthread_join(thread, NULL);
    check(made && seen, "a thread that only yields lets a new thread run");
}

// --- process-wide endings (each in a child of its own)

static int report_fd;

static void *outlive_main(void *arg)
{
    int code = (int)(intptr_t)arg;
    pause_ms(100);
    if (write(report_fd, "x", 1) != 1)
        _exit(20);
    if (code != 0)
        exit(code);
    return NULL;
}

// The child of a fork execs this program afresh for it ("main-exits CODE FD"): musl's fork
// does not register the child's main thread for CLONE_CHILD_CLEARTID again (set_tid_address),
// so a forked child whose main thread calls pthread_exit leaves its other threads waiting on
// the thread-list lock for ever, on Linux too.
static int main_exits(int code, int fd)
{
    report_fd = fd;
    pthread_t thread;
    if (pthread_create(&thread, NULL, outlive_main, (void *)(intptr_t)code) != 0)
        return 21;
    pthread_exit(NULL);
}

static void main_exits_first(int code, const char *what_runs, const char *what_status)
{
    int ends[2];
    if (pipe(ends) != 0) {
        check(0, what_runs);
        check(0, what_status);
        return;
    }
    pid_t child = fork();
    if (child == 0) {
        close(ends[0]);
        char code_text[16], fd_text[16];
        snprintf(code_text, sizeof code_text, "%d", code);
        snprintf(fd_text, sizeof fd_text, "%d", ends[1]);
        char *arguments[] = {"threads", "main-exits", code_text, fd_text, NULL};
        execv("/proc/self/exe", arguments);
        _exit(23);
    }
    close(ends[1]);
    char byte = 0;
    ssize_t got = read_within(ends[0], &byte);
    close(ends[0]);
    int status = 0;
    int reaped = reap(child, &status);
    check(got == 1 && byte == 'x', what_runs);
    check(reaped && WIFEXITED(status) && WEXITSTATUS(status) == code, what_status);
}

static int atexit_fd = -1;

static void at_exit_report(void)
{
    char byte = current_tid() != getpid() ? 't' : 'm';
    if (write(atexit_fd, &byte, 1) != 1)
        _exit(22);
}

static void *block_in_read(void *arg)
{
    char byte;
    (void)!read((int)(intptr_t)arg, &byte, 1);
    return NULL;
}

static void *block_in_cond(void *arg)
{
    (void)arg;
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
    pthread_mutex_lock(&lock);
    for (;;)
        pthread_cond_wait(&cond, &lock);
    return NULL;
}

static void *exit_three(void *arg)
{
    (void)arg;
    pause_ms(100);
    exit(3);
}

static void thread_exits_process(void)
{
    int report[2], idle[2];
    if (pipe(report) != 0 || pipe(idle) != 0) {
        check(0, "exit(3) in one thread ends the process with status 3 while others are blocked");
        check(0, "... after running the atexit handlers in that thread");
        return;
    }
    long long before = now_us(CLOCK_MONOTONIC);
    pid_t child = fork();
    if (child == 0) {
        close(report[0]);
        atexit_fd = report[1];
        atexit(at_exit_report);
        pthread_t reader_thread, cond_thread, exiter;
        if (pthread_create(&reader_thread, NULL, block_in_read, (void *)(intptr_t)idle[0]) != 0 ||
            pthread_create(&cond_thread, NULL, block_in_cond, NULL) != 0 ||
            pthread_create(&exiter, NULL, exit_three, NULL) != 0)
            _exit(30);
        pthread_join(reader_thread, NULL);  // never returns
        _exit(31);
    }
    close(report[1]);
    char byte = 0;
    ssize_t got = read_within(report[0], &byte);
    close(report[0]);
    int status = 0;
    int reaped = reap(child, &status);
    close(idle[0]);
    close(idle[1]);
    check(reaped && WIFEXITED(status) && WEXITSTATUS(status) == 3 && now_us(CLOCK_MONOTONIC) - before < 30000000,
          "exit(3) in one thread ends the process with status 3 while others are blocked");
    check(got == 1 && byte == 't', "... after running the atexit handlers in that thread");
}

static volatile int ticks, stop_ticking;

static void *ticker(void *arg)
{
    (void)arg;
    while (!stop_ticking) {
        pause_ms(5);
        ++ticks;
    }
    return NULL;
}

static void *forker(void *arg)
{
    (void)arg;
    tls_counter = 555;
    pid_t child = fork();
    if (child == 0) {
        int code = 0;
        if (current_tid() != getpid() || getpid() == main_pid)
            code |= 1;
        if (tls_counter != 555 || getppid() != main_pid)
            code |= 2;
        int before = ticks;
        pause_ms(60);
        if (ticks != before)
            code |= 4;
        pthread_t thread;
        void *value = NULL;
        if (pthread_create(&thread, NULL, times_ten, (void *)(intptr_t)4) != 0 || pthread_join(thread, &value) != 0 ||
            (intptr_t)value != 40)
            code |= 8;
        _exit(code);
    }
    if (child < 0)
        return (void *)(intptr_t)-1;
    int status = 0;
    if (!reap(child, &status) || !WIFEXITED(status))
        return (void *)(intptr_t)-2;
    return (void *)(intptr_t)WEXITSTATUS(status);
}

static void fork_from_thread(void)
{
    pthread_t tick_thread, fork_thread;
    stop_ticking = 0;
    ticks = 0;
    int ticking = pthread_create(&tick_thread, NULL, ticker, NULL) == 0;
    pause_ms(30);
    void *value = (void *)(intptr_t)-3;
    if (pthread_create(&fork_thread, NULL, forker, NULL) == 0)
        pthread_join(fork_thread, &value);
    int code = (int)(intptr_t)value;
    int before = ticks;
    pause_ms(60);
    int parent_ticks = ticks != before;
    stop_ticking = 1;
    if (ticking)
        pthread_join(tick_thread, NULL);
    check(code >= 0 && (code & 1) == 0, "fork in a thread: the child's one thread has the child's pid as its tid");
    check(code >= 0 && (code & 2) == 0, "... it has the forking thread's __thread values, and the parent as parent");
    check(ticking && parent_ticks && code >= 0 && (code & 4) == 0,
          "... the parent's other threads do not run in the child (they go on in the parent)");
    check(code >= 0 && (code & 8) == 0, "... and the child can create and join a thread of its own");
    check(tls_counter == 7, "the fork in another thread left the main thread's __thread variable alone");
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "main-exits") == 0)
        return main_exits(atoi(argv[2]), atoi(argv[3]));
    setvbuf(stdout, NULL, _IONBF, 0);
    main_pid = getpid();
    create_join();
    thread_ids();
    thread_locals();
    mutexes();
    conditions();
    barriers();
    detached();
    exits_and_keys();
    rwlocks();
    semaphores();
    main_exits_first(0, "after the main thread's pthread_exit another thread goes on",
                     "... and when it returns, the process ends with status 0");
    main_exits_first(5, "after the main thread's pthread_exit another thread goes on, again",
                     "... and its exit(5) ends the process with status 5");
    thread_exits_process();
    fork_from_thread();
    return failures;
}
