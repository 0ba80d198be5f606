// SPDX-License-Identifier: MIT
// The futex system call under Tern's Linux personality (LXH0002), raw, between threads:
// FUTEX_WAIT is EAGAIN on a changed word and ETIMEDOUT after its relative timeout, not
// before; FUTEX_WAKE returns how many it woke, exactly; private and shared variants;
// FUTEX_REQUEUE and FUTEX_CMP_REQUEUE move waiters to another word (the latter EAGAIN when
// the word changed); FUTEX_WAIT_BITSET times out at an absolute time on either clock and
// FUTEX_WAKE_BITSET wakes only the waiters whose bits it names; FUTEX_WAKE_OP changes a
// second word and wakes its waiters if the old value compares true; Linux's errors for bad
// addresses, operations, timeouts and counts; a signal ends a wait with EINTR, except an
// untimed one under SA_RESTART, which goes on; a mutex made of futex words loses no wakeup;
// set_tid_address returns the tid, and a thread's end clears the word it named and wakes
// its waiter. One TAP line per check; the exit status is the number that failed. It
// passes on Linux too (musl-gcc -static).
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// <linux/futex.h> is not among musl's headers.
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY (-1)
#define FUTEX_OP(op, oparg, cmp, cmparg)                                                                               \
    ((int)(((op)&0xfu) << 28 | ((cmp)&0xfu) << 24 | ((oparg)&0xfffu) << 12 | ((cmparg)&0xfffu)))
#define FUTEX_OP_ADD 1
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_GT 4

static int checks, failures;

static void check(int ok, const char *what)
{
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++checks, what);
    if (!ok)
        ++failures;
}

static long futex(int *word, int op, int value, const struct timespec *timeout, int *word2, int value3)
{
    return syscall(SYS_futex, word, op, value, timeout, word2, value3);
}

// FUTEX_REQUEUE, FUTEX_CMP_REQUEUE and FUTEX_WAKE_OP take a count where the others take the
// timeout.
static long requeue(int *word, int op, int wake, int move, int *word2, int value3)
{
    return syscall(SYS_futex, word, op, wake, (long)move, word2, value3);
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

// --- waiter threads: each counts itself ready just before its FUTEX_WAIT (or _BITSET).

struct waiter {
    int *word;
    int op, expected, bitset;
    const struct timespec *timeout;
    pthread_t thread;
    pid_t tid;
    long result;
    int error, done, created;
};

static int ready_count;

static void *wait_thread(void *arg)
{
    struct waiter *w = arg;
    w->tid = current_tid();
    __atomic_add_fetch(&ready_count, 1, __ATOMIC_SEQ_CST);
    w->result = futex(w->word, w->op, w->expected, w->timeout, NULL, w->bitset);
    w->error = errno;
    __atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

// Starts n waiters on word (op, expecting 0; with own_bits, waiter i waits for bit i alone,
// else for any) and returns once all are ready and have had 100 ms to fall asleep.
static int start_waiters_on(struct waiter *waiters, int n, int *word, int *odd_word, int op,
                            const struct timespec *timeout, int own_bits)
{
    __atomic_store_n(&ready_count, 0, __ATOMIC_SEQ_CST);
    int created = 0;
    for (int i = 0; i < n; ++i) {
        struct waiter *w = &waiters[i];
        memset(w, 0, sizeof *w);
        w->word = odd_word && i % 2 ? odd_word : word;
        w->op = op;
        w->bitset = own_bits ? 1 << i : FUTEX_BITSET_MATCH_ANY;
        w->timeout = timeout;
        w->result = -2;
        w->created = pthread_create(&w->thread, NULL, wait_thread, w) == 0;
        created += w->created;
    }
    long long start = now_us(CLOCK_MONOTONIC);
    while (__atomic_load_n(&ready_count, __ATOMIC_SEQ_CST) < created && now_us(CLOCK_MONOTONIC) - start < 5000000)
        pause_ms(5);
    pause_ms(100);
    return created;
}

static int start_waiters(struct waiter *waiters, int n, int *word, int op, const struct timespec *timeout, int own_bits)
{
    return start_waiters_on(waiters, n, word, NULL, op, timeout, own_bits);
}

static int count_done(struct waiter *waiters, int n)
{
    int done = 0;
    for (int i = 0; i < n; ++i)
        done += __atomic_load_n(&waiters[i].done, __ATOMIC_SEQ_CST);
    return done;
}

// Waits (at most 5 s) until target waiters have returned, and 50 ms more for any beyond it.
static int await_done(struct waiter *waiters, int n, int target)
{
    long long start = now_us(CLOCK_MONOTONIC);
    while (count_done(waiters, n) < target && now_us(CLOCK_MONOTONIC) - start < 5000000)
        pause_ms(5);
    if (target < n)
        pause_ms(50);
    return count_done(waiters, n);
}

static int all_returned_zero(struct waiter *waiters, int n)
{
    for (int i = 0; i < n; ++i)
        if (!waiters[i].created || !waiters[i].done || waiters[i].result != 0)
            return 0;
    return 1;
}

// Wakes whatever still waits on the words (a failed check can leave some) and joins all.
static void finish(struct waiter *waiters, int n, int *word, int *word2)
{
    long long start = now_us(CLOCK_MONOTONIC);
    while (count_done(waiters, n) < n && now_us(CLOCK_MONOTONIC) - start < 5000000) {
        futex(word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
        futex(word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
        if (word2) {
            futex(word2, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
            futex(word2, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
        }
        pause_ms(5);
    }
    for (int i = 0; i < n; ++i)
        if (waiters[i].created && waiters[i].done)
            pthread_join(waiters[i].thread, NULL);
}

// --- waits that end by themselves

static int word_a, word_b;

static void lone_waits(void)
{
    word_a = 1;
    errno = 0;
    check(futex(&word_a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, 0) == -1 && errno == EAGAIN,
          "FUTEX_WAIT_PRIVATE on a word that is not the value given is EAGAIN");
    errno = 0;
    check(futex(&word_a, FUTEX_WAIT, 0, NULL, NULL, 0) == -1 && errno == EAGAIN, "... and so is FUTEX_WAIT");
    word_a = 0;

    struct timespec timeout = {0, 100 * 1000 * 1000};
    long long before = now_us(CLOCK_MONOTONIC);
    errno = 0;
    long result = futex(&word_a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, &timeout, NULL, 0);
    long long took = now_us(CLOCK_MONOTONIC) - before;
    check(result == -1 && errno == ETIMEDOUT && took >= 100000 && took < 5000000,
          "FUTEX_WAIT_PRIVATE with a relative timeout of 100 ms is ETIMEDOUT, not earlier");
    before = now_us(CLOCK_MONOTONIC);
    errno = 0;
    result = futex(&word_a, FUTEX_WAIT, 0, &timeout, NULL, 0);
    took = now_us(CLOCK_MONOTONIC) - before;
    check(result == -1 && errno == ETIMEDOUT && took >= 100000 && took < 5000000, "... and so does FUTEX_WAIT");
    struct timespec zero = {0, 0};
    before = now_us(CLOCK_MONOTONIC);
    errno = 0;
    result = futex(&word_a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, &zero, NULL, 0);
    check(result == -1 && errno == ETIMEDOUT && now_us(CLOCK_MONOTONIC) - before < 5000000,
          "a zero timeout is ETIMEDOUT at once");

    check(futex(&word_a, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0) == 0 &&
              futex(&word_a, FUTEX_WAKE, 1, NULL, NULL, 0) == 0,
          "FUTEX_WAKE with nobody waiting returns 0, private or not");

    struct timespec deadline = after_ms(CLOCK_MONOTONIC, 100);
    errno = 0;
    result = futex(&word_a, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &deadline, NULL, FUTEX_BITSET_MATCH_ANY);
    long long reached = now_us(CLOCK_MONOTONIC);
    check(result == -1 && errno == ETIMEDOUT && reached >= us_of(deadline) && reached - us_of(deadline) < 5000000,
          "FUTEX_WAIT_BITSET with an absolute CLOCK_MONOTONIC time is ETIMEDOUT at it, not before");
    deadline = after_ms(CLOCK_REALTIME, 100);
    errno = 0;
    result = futex(&word_a, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 0, &deadline, NULL,
                   FUTEX_BITSET_MATCH_ANY);
    reached = now_us(CLOCK_REALTIME);
    check(result == -1 && errno == ETIMEDOUT && reached >= us_of(deadline) && reached - us_of(deadline) < 5000000,
          "... and with FUTEX_CLOCK_REALTIME at an absolute CLOCK_REALTIME time");
    struct timespec past = {1, 0};
    before = now_us(CLOCK_MONOTONIC);
    errno = 0;
    result = futex(&word_a, FUTEX_WAIT_BITSET, 0, &past, NULL, FUTEX_BITSET_MATCH_ANY);
    check(result == -1 && errno == ETIMEDOUT && now_us(CLOCK_MONOTONIC) - before < 5000000,
          "an absolute time long past is ETIMEDOUT at once");
}

// --- wakes and requeues

static void wakes(void)
{
    struct waiter waiters[3];
    word_a = 0;
    int private_op = FUTEX_WAIT | FUTEX_PRIVATE_FLAG, wake = FUTEX_WAKE | FUTEX_PRIVATE_FLAG;
    int created = start_waiters(waiters, 3, &word_a, private_op, NULL, 0);
    long first = futex(&word_a, wake, 1, NULL, NULL, 0);
    int done = await_done(waiters, 3, 1);
    check(created == 3 && first == 1 && done == 1, "FUTEX_WAKE of 1 with three waiting returns 1, and one returns");
    long rest = futex(&word_a, wake, INT_MAX, NULL, NULL, 0);
    done = await_done(waiters, 3, 3);
    check(rest == 2 && done == 3 && all_returned_zero(waiters, 3),
          "FUTEX_WAKE of INT_MAX then returns 2, and all three waits return 0");
    check(futex(&word_a, wake, INT_MAX, NULL, NULL, 0) == 0, "... after which a wake finds nobody");
    finish(waiters, 3, &word_a, NULL);

    created = start_waiters(waiters, 2, &word_a, FUTEX_WAIT, NULL, 0);
    long woken = futex(&word_a, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    done = await_done(waiters, 2, 2);
    check(created == 2 && woken == 2 && all_returned_zero(waiters, 2),
          "shared FUTEX_WAIT and FUTEX_WAKE between two threads: the wake returns 2, both waits 0");
    finish(waiters, 2, &word_a, NULL);
}

static void requeues(void)
{
    struct waiter waiters[3];
    word_a = word_b = 0;
    int wait_op = FUTEX_WAIT | FUTEX_PRIVATE_FLAG, wake = FUTEX_WAKE | FUTEX_PRIVATE_FLAG;
    int created = start_waiters(waiters, 3, &word_a, wait_op, NULL, 0);
    long moved = requeue(&word_a, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 1, INT_MAX, &word_b, 0);
    int done = await_done(waiters, 3, 1);
    check(created == 3 && moved == 3 && done == 1,
          "FUTEX_REQUEUE of three waiters wakes one and moves two, and returns 3 (woken and moved)");
    long left = futex(&word_a, wake, INT_MAX, NULL, NULL, 0);
    long on_b = futex(&word_b, wake, INT_MAX, NULL, NULL, 0);
    done = await_done(waiters, 3, 3);
    check(left == 0 && on_b == 2 && done == 3 && all_returned_zero(waiters, 3),
          "... nobody is left on the first word; a wake of the second returns 2 and ends their waits with 0");
    finish(waiters, 3, &word_a, &word_b);

    created = start_waiters(waiters, 3, &word_a, wait_op, NULL, 0);
    errno = 0;
    long result = requeue(&word_a, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, INT_MAX, &word_b, 1);
    int error = errno;
    done = await_done(waiters, 3, 0);
    check(created == 3 && result == -1 && error == EAGAIN && done == 0,
          "FUTEX_CMP_REQUEUE when the word is not the value given is EAGAIN, and wakes nobody");
    result = requeue(&word_a, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, 1, &word_b, 0);
    done = await_done(waiters, 3, 1);
    check(result == 2 && done == 1, "FUTEX_CMP_REQUEUE waking 1 and moving 1 of three returns 2, and one returns");
    left = futex(&word_a, wake, INT_MAX, NULL, NULL, 0);
    on_b = futex(&word_b, wake, INT_MAX, NULL, NULL, 0);
    done = await_done(waiters, 3, 3);
    check(left == 1 && on_b == 1 && done == 3 && all_returned_zero(waiters, 3),
          "... leaving one on each word, each woken by its own wake");
    finish(waiters, 3, &word_a, &word_b);

    created = start_waiters(waiters, 2, &word_a, FUTEX_WAIT, NULL, 0);
    result = requeue(&word_a, FUTEX_CMP_REQUEUE, 0, INT_MAX, &word_b, 0);
    done = await_done(waiters, 2, 0);
    on_b = futex(&word_b, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    int after = await_done(waiters, 2, 2);
    check(created == 2 && result == 2 && done == 0 && on_b == 2 && after == 2 && all_returned_zero(waiters, 2),
          "shared FUTEX_CMP_REQUEUE moves two waiters without waking them; a wake of the second word does");
    finish(waiters, 2, &word_a, &word_b);

    // Onto the word itself: nothing moves, the waiters are counted once, and the call ends.
    created = start_waiters(waiters, 2, &word_a, wait_op, NULL, 0);
    result = requeue(&word_a, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 0, INT_MAX, &word_a, 0);
    done = await_done(waiters, 2, 0);
    left = futex(&word_a, wake, INT_MAX, NULL, NULL, 0);
    after = await_done(waiters, 2, 2);
    check(created == 2 && result == 2 && done == 0 && left == 2 && after == 2 && all_returned_zero(waiters, 2),
          "FUTEX_CMP_REQUEUE of two waiters onto their own word returns 2 and moves nobody; a wake of it ends both");
    finish(waiters, 2, &word_a, &word_b);
}

static void bitsets(void)
{
    struct waiter waiters[2];
    word_a = 0;
    int created = start_waiters(waiters, 2, &word_a, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, NULL, 1);
    int wake_bitset = FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG;
    long none = futex(&word_a, wake_bitset, INT_MAX, NULL, NULL, 4);
    int done = await_done(waiters, 2, 0);
    check(created == 2 && none == 0 && done == 0, "FUTEX_WAKE_BITSET with bits no waiter waits for wakes nobody");
    long second = futex(&word_a, wake_bitset, INT_MAX, NULL, NULL, 2);
    done = await_done(waiters, 2, 1);
    check(second == 1 && done == 1 && waiters[1].done && waiters[1].result == 0,
          "... with one waiter's bit it wakes that one only");
    long first = futex(&word_a, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
    done = await_done(waiters, 2, 2);
    check(first == 1 && done == 2 && all_returned_zero(waiters, 2),
          "a plain FUTEX_WAKE wakes a FUTEX_WAIT_BITSET waiter");
    finish(waiters, 2, &word_a, NULL);
}

static void wake_op(void)
{
    struct waiter waiters[2];
    word_a = word_b = 0;
    int wait_op = FUTEX_WAIT | FUTEX_PRIVATE_FLAG, op = FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG;
    int created = start_waiters_on(waiters, 2, &word_a, &word_b, wait_op, NULL, 0);
    long woken = requeue(&word_a, op, 1, 1, &word_b, FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0));
    int done = await_done(waiters, 2, 2);
    check(created == 2 && woken == 2 && word_b == 5 && done == 2 && all_returned_zero(waiters, 2),
          "FUTEX_WAKE_OP adds 5 to the second word and, its old value being 0, wakes the waiter on each word");
    finish(waiters, 2, &word_a, &word_b);

    word_a = word_b = 0;
    created = start_waiters_on(waiters, 2, &word_a, &word_b, wait_op, NULL, 0);
    woken = requeue(&word_a, op, 1, 1, &word_b, FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0));
    done = await_done(waiters, 2, 1);
    int first_only = waiters[0].done && !waiters[1].done;
    long second = futex(&word_b, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, NULL, NULL, 0);
    int after = await_done(waiters, 2, 2);
    check(
        created == 2 && woken == 1 && word_b == 1 && done == 1 && first_only && second == 1 && after == 2,
        "... its old value failing the comparison, it changes the second word but wakes the first word's waiter only");
    finish(waiters, 2, &word_a, &word_b);
}

// --- bad input

static void bad_input(void)
{
    int words[2] = {0, 0};
    int *unaligned = (int *)((char *)words + 1);
    struct timespec short_wait = {0, 1000000};
    errno = 0;
    check(futex(unaligned, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, &short_wait, NULL, 0) == -1 && errno == EINVAL,
          "FUTEX_WAIT on an address that is not 4-byte aligned is EINVAL");
    errno = 0;
    check(futex(unaligned, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0) == -1 && errno == EINVAL,
          "... and so is FUTEX_WAKE");
    errno = 0;
    check(futex(NULL, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, &short_wait, NULL, 0) == -1 && errno == EFAULT,
          "FUTEX_WAIT on a null address is EFAULT");
    void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page, 4096);
    errno = 0;
    check(page != MAP_FAILED && futex(page, FUTEX_WAIT, 0, &short_wait, NULL, 0) == -1 && errno == EFAULT,
          "FUTEX_WAIT on an unmapped page is EFAULT");
    errno = 0;
    check(futex(&words[0], 99, 0, NULL, NULL, 0) == -1 && errno == ENOSYS, "an unknown futex operation is ENOSYS");
    struct timespec too_many = {0, 1000000000};
    errno = 0;
    check(futex(&words[0], FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, &too_many, NULL, 0) == -1 && errno == EINVAL,
          "a timeout of 10^9 nanoseconds is EINVAL");
    struct timespec negative = {-1, 0};
    errno = 0;
    check(futex(&words[0], FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, &negative, NULL, 0) == -1 && errno == EINVAL,
          "a negative timeout is EINVAL");
    errno = 0;
    check(futex(&words[0], FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, (struct timespec *)16, NULL, 0) == -1 && errno == EFAULT,
          "a timeout at a bad pointer is EFAULT");
    errno = 0;
    check(futex(&words[0], FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &short_wait, NULL, 0) == -1 && errno == EINVAL,
          "FUTEX_WAIT_BITSET with no bits is EINVAL");
    errno = 0;
    check(futex(&words[0], FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0) == -1 && errno == EINVAL,
          "FUTEX_WAKE_BITSET with no bits is EINVAL");
    errno = 0;
    check(requeue(&words[0], FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, -1, &words[1], 0) == -1 && errno == EINVAL,
          "FUTEX_CMP_REQUEUE of a negative count is EINVAL");
}

// --- signals

static volatile pid_t handler_tid;
static volatile sig_atomic_t handled;

static void on_usr1(int signal)
{
    (void)signal;
    handler_tid = current_tid();
    handled = 1;
}

static void use_handler(int flags)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_usr1;
    action.sa_flags = flags;
    sigaction(SIGUSR1, &action, NULL);
}

// Sends SIGUSR1 to the waiter every 50 ms until its wait returns (a signal that came before
// it fell asleep would be lost on a wait that goes on), for at most 5 s.
static void signal_until_done(struct waiter *w)
{
    long long start = now_us(CLOCK_MONOTONIC);
    while (!__atomic_load_n(&w->done, __ATOMIC_SEQ_CST) && now_us(CLOCK_MONOTONIC) - start < 5000000) {
        pthread_kill(w->thread, SIGUSR1);
        pause_ms(50);
    }
}

static void signals(void)
{
    struct waiter waiters[1];
    word_a = 0;
    use_handler(0);
    handled = 0;
    handler_tid = 0;
    int created = start_waiters(waiters, 1, &word_a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, NULL, 0);
    if (created)
        signal_until_done(&waiters[0]);
    check(created && waiters[0].done && waiters[0].result == -1 && waiters[0].error == EINTR,
          "a signal with a handler (no SA_RESTART) ends an untimed FUTEX_WAIT with EINTR");
    check(created && handled && handler_tid == waiters[0].tid, "... and its handler ran in the waiting thread");
    finish(waiters, 1, &word_a, NULL);

    use_handler(SA_RESTART);
    handled = 0;
    created = start_waiters(waiters, 1, &word_a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, NULL, 0);
    if (created)
        pthread_kill(waiters[0].thread, SIGUSR1);
    long long start = now_us(CLOCK_MONOTONIC);
    while (!handled && now_us(CLOCK_MONOTONIC) - start < 5000000)
        pause_ms(5);
    int done = await_done(waiters, 1, 0);
    pause_ms(50);
    long woken = 0;
    start = now_us(CLOCK_MONOTONIC);
    while (created && !__atomic_load_n(&waiters[0].done, __ATOMIC_SEQ_CST) &&
           now_us(CLOCK_MONOTONIC) - start < 5000000) {
        woken += futex(&word_a, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
        pause_ms(5);
    }
    check(created && handled && done == 0, "under SA_RESTART an untimed FUTEX_WAIT goes on after the handler");
    check(woken == 1 && waiters[0].done && waiters[0].result == 0, "... until a FUTEX_WAKE ends it with 0");
    finish(waiters, 1, &word_a, NULL);

    struct timespec five = {5, 0};
    handled = 0;
    start = now_us(CLOCK_MONOTONIC);
    created = start_waiters(waiters, 1, &word_a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, &five, 0);
    if (created)
        signal_until_done(&waiters[0]);
    check(created && handled && waiters[0].done && waiters[0].result == -1 && waiters[0].error == EINTR &&
              now_us(CLOCK_MONOTONIC) - start < 5000000,
          "a FUTEX_WAIT with a timeout ends with EINTR even under SA_RESTART");
    finish(waiters, 1, &word_a, NULL);
    signal(SIGUSR1, SIG_DFL);
}

// --- a mutex of futex words (Drepper's "Futexes are tricky", mutex 2)

static int mutex_word, timeouts;
static volatile long counted;

static void lock(int private_flag)
{
    int c = 0;
    if (__atomic_compare_exchange_n(&mutex_word, &c, 1, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        return;
    if (c != 2)
        c = __atomic_exchange_n(&mutex_word, 2, __ATOMIC_SEQ_CST);
    while (c != 0) {
        struct timespec limit = {3, 0};  // only a lost wake-up lets a wait run this long
        if (futex(&mutex_word, FUTEX_WAIT | private_flag, 2, &limit, NULL, 0) == -1 && errno == ETIMEDOUT)
            __atomic_add_fetch(&timeouts, 1, __ATOMIC_SEQ_CST);
        c = __atomic_exchange_n(&mutex_word, 2, __ATOMIC_SEQ_CST);
    }
}

static void unlock(int private_flag)
{
    if (__atomic_fetch_sub(&mutex_word, 1, __ATOMIC_SEQ_CST) != 1) {
        __atomic_store_n(&mutex_word, 0, __ATOMIC_SEQ_CST);
        futex(&mutex_word, FUTEX_WAKE | private_flag, 1, NULL, NULL, 0);
    }
}

static void *count_under_lock(void *arg)
{
    int private_flag = (int)(intptr_t)arg;
    for (int i = 0; i < 1000; ++i) {
        lock(private_flag);
        long value = counted;
        if ((i & 31) == 0)
            sched_yield();
        counted = value + 1;
        unlock(private_flag);
    }
    return NULL;
}

static void futex_mutex(int private_flag, const char *what)
{
    mutex_word = 0;
    timeouts = 0;
    counted = 0;
    pthread_t threads[4];
    int created = 0;
    for (int i = 0; i < 4 && pthread_create(&threads[i], NULL, count_under_lock, (void *)(intptr_t)private_flag) == 0;
         ++i)
        ++created;
    for (int i = 0; i < created; ++i)
        pthread_join(threads[i], NULL);
    check(created == 4 && counted == 4000 && timeouts == 0, what);
}

// --- set_tid_address and the clearing of the tid word at a thread's end

static int tid_word;
static long tid_address_result;
static int tid_ready;

static void *exit_raw(void *arg)
{
    (void)arg;
    tid_word = current_tid();
    tid_address_result = syscall(SYS_set_tid_address, &tid_word);
    __atomic_store_n(&tid_ready, 1, __ATOMIC_SEQ_CST);
    pause_ms(100);
    // Past the C library, which is waiting for its own word to be cleared at this thread's end.
    for (;;)
        syscall(SYS_exit, 0);
    return NULL;
}

static void *times_ten(void *arg)
{
    return (void *)((intptr_t)arg * 10);
}

static void clear_tid(void)
{
    pthread_t thread;
    tid_word = -1;
    tid_ready = 0;
    int created = pthread_create(&thread, NULL, exit_raw, NULL) == 0;
    long long start = now_us(CLOCK_MONOTONIC);
    while (created && !__atomic_load_n(&tid_ready, __ATOMIC_SEQ_CST) && now_us(CLOCK_MONOTONIC) - start < 5000000)
        pause_ms(1);
    int tid = __atomic_load_n(&tid_word, __ATOMIC_SEQ_CST);
    check(created && tid > 0 && tid != getpid() && tid_address_result == tid,
          "set_tid_address in a thread returns the thread's tid");
    int timed_out = 0, value;
    start = now_us(CLOCK_MONOTONIC);
    while ((value = __atomic_load_n(&tid_word, __ATOMIC_SEQ_CST)) != 0 && now_us(CLOCK_MONOTONIC) - start < 5000000) {
        struct timespec limit = {5, 0};  // the kernel's wake is a shared one
        if (futex(&tid_word, FUTEX_WAIT, value, &limit, NULL, 0) == -1 && errno == ETIMEDOUT)
            timed_out = 1;
    }
    check(created && tid_word == 0 && !timed_out,
          "when that thread exits, its tid word is cleared and a FUTEX_WAIT on the word is woken");
    void *result = NULL;
    int made = pthread_create(&thread, NULL, times_ten, (void *)(intptr_t)6) == 0;
    check(made && pthread_join(thread, &result) == 0 && (intptr_t)result == 60, "... and threads go on being made");
    int dummy = 0;
    check(syscall(SYS_set_tid_address, &dummy) == getpid(), "set_tid_address in the main thread returns the pid");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    lone_waits();
    wakes();
    requeues();
    bitsets();
    wake_op();
    bad_input();
    signals();
    futex_mutex(FUTEX_PRIVATE_FLAG,
                "four threads count 4000 under a mutex of private futex waits and wakes, losing no wakeup");
    futex_mutex(0, "... and under one of shared futex waits and wakes");
    clear_tid();
    return failures;
}
