// SPDX-License-Identifier: MIT
// Linux's side of Tern's benchmark: a static program (musl) that runs as /init of Debian's own kernel
// in the same QEMU as Tern, times the operations closest to Tern's figures with rdtsc and prints one
// line per figure, `BENCH linux.<name> <rdtsc ticks per operation>`. Under -icount shift=0 a tick is a
// guest instruction, under plain TCG a host TSC tick; tools/linux_bench.py adds unit and mode.
//
// Each figure is one warm-up batch, then `batches` timed batches of `iterations` operations; the
// figure is the median of the batches' per-operation averages, so a timer interrupt that lands in one
// batch moves nothing. Set-up (fork, thread creation, mmap) stays outside the timed region.
//
// As PID 1 it mounts /proc before measuring (fork_exec_wait runs /proc/self/exe), then sysfs
// only to report the kernel's speculation mitigations (they decide much of a system call's
// cost), and powers the machine off.
// Run by hand on a Linux host with the argument `quick` it does a hundredth of the work and exits:
// the test suite checks it that way.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum { max_batches = 9, page_bytes = 4096 };

// The futex operations of Linux's ABI (<linux/futex.h>, which musl-gcc's include path does not have).
enum { futex_wait = 0, futex_wake = 1, futex_private = 128 };

static int batches = 7;
static long scale_divisor = 1;

static uint64_t ticks(void)
{
    uint32_t low, high;
    __asm__ volatile("rdtsc" : "=a"(low), "=d"(high));
    return (uint64_t)high << 32 | low;
}

static void fail(const char *what)
{
    printf("BENCH failed: %s\n", what);
    fflush(stdout);
    if (getpid() == 1) {
        reboot(RB_POWER_OFF);
    }
    exit(1);
}

// The system call itself, without libc: musl's getpid() is a wrapper, syscall() a variadic call.
static long raw_getpid(void)
{
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "0"((long)SYS_getpid) : "rcx", "r11", "memory");
    return result;
}

static uint64_t time_getpid(long iterations)
{
    uint64_t start = ticks();
    for (long i = 0; i < iterations; ++i) {
        raw_getpid();
    }
    return ticks() - start;
}

// Pipe round trip: the timing side writes one byte into `out`, the echo side reads it and writes it
// back into `back`. A zero byte tells the echo side to stop.
struct Pipe_pair {
    int out[2];
    int back[2];
};

static void echo_bytes(const struct Pipe_pair *pipes)
{
    char byte = 1;
    while (byte != 0) {
        if (read(pipes->out[0], &byte, 1) != 1 || write(pipes->back[1], &byte, 1) != 1) {
            fail("echo side of the pipe round trip");
        }
    }
}

static uint64_t ping_pipes(const struct Pipe_pair *pipes, long iterations)
{
    char byte = 1;
    uint64_t start = ticks();
    for (long i = 0; i < iterations; ++i) {
        if (write(pipes->out[1], &byte, 1) != 1 || read(pipes->back[0], &byte, 1) != 1) {
            fail("timing side of the pipe round trip");
        }
    }
    uint64_t elapsed = ticks() - start;
    byte = 0;
    if (write(pipes->out[1], &byte, 1) != 1 || read(pipes->back[0], &byte, 1) != 1) {
        fail("stopping the pipe round trip");
    }
    return elapsed;
}

static void open_pipes(struct Pipe_pair *pipes)
{
    if (pipe(pipes->out) != 0 || pipe(pipes->back) != 0) {
        fail("pipe");
    }
}

static void close_pipes(struct Pipe_pair *pipes)
{
    close(pipes->out[0]);
    close(pipes->out[1]);
    close(pipes->back[0]);
    close(pipes->back[1]);
}

static void wait_for(pid_t child)
{
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fail("a child process did not exit cleanly");
    }
}

static uint64_t time_pipe_processes(long iterations)
{
    struct Pipe_pair pipes;
    open_pipes(&pipes);
    pid_t child = fork();
    if (child < 0) {
        fail("fork");
    }
    if (child == 0) {
        echo_bytes(&pipes);
        _exit(0);
    }
    uint64_t elapsed = ping_pipes(&pipes, iterations);
    wait_for(child);
    close_pipes(&pipes);
    return elapsed;
}

static void *echo_thread(void *pipes)
{
    echo_bytes(pipes);
    return NULL;
}

static uint64_t time_pipe_threads(long iterations)
{
    struct Pipe_pair pipes;
    open_pipes(&pipes);
    pthread_t thread;
    if (pthread_create(&thread, NULL, echo_thread, &pipes) != 0) {
        fail("pthread_create");
    }
    uint64_t elapsed = ping_pipes(&pipes, iterations);
    pthread_join(thread, NULL);
    close_pipes(&pipes);
    return elapsed;
}

// TCP over 127.0.0.1 between two processes: a one-byte round trip (TCP_NODELAY on both
// sides), and a one-way stream in 64 KiB writes. On Tern the bytes go through the Linux server
// and the network server (lwIP's loopback interface); on Linux through its own stack.
static void bring_up_loopback(void)
{
    // A bare Linux guest's lo is down (no init scripts); Tern's is always up (ENOTTY here).
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq request;
    memset(&request, 0, sizeof request);
    strcpy(request.ifr_name, "lo");
    if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &request) == 0 && (request.ifr_flags & IFF_UP) == 0) {
        request.ifr_flags |= IFF_UP;
        (void)ioctl(s, SIOCSIFFLAGS, &request);
    }
    if (s >= 0) {
        close(s);
    }
}

// A connected pair over 127.0.0.1: *parent_side for this process, the child runs partner on
// its side and exits.
static pid_t tcp_pair(int *parent_side, void (*partner)(int, long), long iterations)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 1) != 0 ||
        getsockname(listener, (struct sockaddr *)&address, &length) != 0) {
        fail("a TCP listener on 127.0.0.1");
    }
    pid_t child = fork();
    if (child < 0) {
        fail("fork");
    }
    if (child == 0) {
        close(listener);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0 || connect(s, (struct sockaddr *)&address, sizeof address) != 0) {
            _exit(1);
        }
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        partner(s, iterations);
        close(s);
        _exit(0);
    }
    *parent_side = accept(listener, NULL, NULL);
    if (*parent_side < 0) {
        fail("accept");
    }
    setsockopt(*parent_side, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    close(listener);
    return child;
}

static void echo_tcp(int s, long iterations)
{
    char byte;
    for (long i = 0; i < iterations; ++i) {
        if (read(s, &byte, 1) != 1 || write(s, &byte, 1) != 1) {
            _exit(1);
        }
    }
}

static uint64_t time_tcp_processes(long iterations)
{
    int s;
    pid_t child = tcp_pair(&s, echo_tcp, iterations);
    char byte = 'x';
    uint64_t start = ticks();
    for (long i = 0; i < iterations; ++i) {
        if (write(s, &byte, 1) != 1 || read(s, &byte, 1) != 1) {
            fail("a TCP round trip");
        }
    }
    uint64_t elapsed = ticks() - start;
    close(s);
    wait_for(child);
    return elapsed;
}

enum { stream_chunk = 64 * 1024 };

static void send_stream(int s, long chunks)
{
    static char chunk[stream_chunk];
    for (long i = 0; i < chunks; ++i) {
        for (size_t done = 0; done < sizeof chunk;) {
            ssize_t n = write(s, chunk + done, sizeof chunk - done);
            if (n <= 0) {
                _exit(1);
            }
            done += (size_t)n;
        }
    }
}

// Ticks for all the chunks, from the first byte asked for to the last byte read.
static uint64_t time_tcp_stream(long chunks)
{
    int s;
    pid_t child = tcp_pair(&s, send_stream, chunks);
    static char buffer[stream_chunk];
    long long wanted = (long long)chunks * stream_chunk, got = 0;
    uint64_t start = ticks();
    while (got < wanted) {
        ssize_t n = read(s, buffer, sizeof buffer);
        if (n <= 0) {
            fail("the TCP stream ended early");
        }
        got += n;
    }
    uint64_t elapsed = ticks() - start;
    close(s);
    wait_for(child);
    return elapsed;
}

// Futex ping-pong: `turn` says who may run, 1 the partner thread, 0 the timing thread, 2 tells the
// partner to stop. Each side hands the turn over, wakes the other and sleeps until the turn comes back:
// a round trip is two wakes, two waits and two thread switches.
static atomic_int turn;

static long futex(atomic_int *word, int operation, int value)
{
    return syscall(SYS_futex, word, operation | futex_private, value, NULL, NULL, 0);
}

static void wait_while(atomic_int *word, int value)
{
    while (atomic_load(word) == value) {
        futex(word, futex_wait, value);
    }
}

static void *futex_partner(void *unused)
{
    (void)unused;
    for (;;) {
        wait_while(&turn, 0);
        if (atomic_load(&turn) == 2) {
            return NULL;
        }
        atomic_store(&turn, 0);
        futex(&turn, futex_wake, 1);
    }
}

static uint64_t time_futex_threads(long iterations)
{
    atomic_store(&turn, 0);
    pthread_t thread;
    if (pthread_create(&thread, NULL, futex_partner, NULL) != 0) {
        fail("pthread_create");
    }
    uint64_t start = ticks();
    for (long i = 0; i < iterations; ++i) {
        atomic_store(&turn, 1);
        futex(&turn, futex_wake, 1);
        wait_while(&turn, 1);
    }
    uint64_t elapsed = ticks() - start;
    atomic_store(&turn, 2);
    futex(&turn, futex_wake, 1);
    pthread_join(thread, NULL);
    return elapsed;
}

// sched_yield ping-pong: two processes on one processor, each yielding in a loop. The partner counts
// its yields in shared memory, so the run can check that the two really alternated.
struct Yield_shared {
    atomic_long partner_yields;
    atomic_int stop;
};

static struct Yield_shared *yield_shared;
static double yield_alternation_sum;
static int yield_alternation_count;

static uint64_t time_yield_processes(long iterations)
{
    atomic_store(&yield_shared->stop, 0);
    atomic_store(&yield_shared->partner_yields, 0);
    pid_t child = fork();
    if (child < 0) {
        fail("fork");
    }
    if (child == 0) {
        while (!atomic_load(&yield_shared->stop)) {
            sched_yield();
            atomic_fetch_add(&yield_shared->partner_yields, 1);
        }
        _exit(0);
    }
    while (atomic_load(&yield_shared->partner_yields) == 0) {
        sched_yield();
    }
    long partner_before = atomic_load(&yield_shared->partner_yields);
    uint64_t start = ticks();
    for (long i = 0; i < iterations; ++i) {
        sched_yield();
    }
    uint64_t elapsed = ticks() - start;
    long partner_yields = atomic_load(&yield_shared->partner_yields) - partner_before;
    atomic_store(&yield_shared->stop, 1);
    wait_for(child);
    yield_alternation_sum += (double)partner_yields / (double)iterations;
    ++yield_alternation_count;
    return elapsed;
}

// Page faults: the first write to each page of fresh anonymous memory (a zeroed page allocated and
// mapped, page tables included). Transparent huge pages are refused so every fault is one 4 KiB page.
static uint64_t time_page_faults(long pages)
{
    size_t bytes = (size_t)pages * page_bytes;
    char *memory = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) {
        fail("mmap");
    }
    madvise(memory, bytes, MADV_NOHUGEPAGE);
    uint64_t start = ticks();
    for (long i = 0; i < pages; ++i) {
        ((volatile char *)memory)[i * page_bytes] = 1;
    }
    uint64_t elapsed = ticks() - start;
    munmap(memory, bytes);
    return elapsed;
}

// fork, the child runs `child` (which does not return), the parent waits: the loop each
// process benchmark below times with its own child.
static uint64_t time_children(long iterations, void (*child_body)(void))
{
    uint64_t start = ticks();
    for (long i = 0; i < iterations; ++i) {
        pid_t child = fork();
        if (child < 0) {
            fail("fork");
        }
        if (child == 0) {
            child_body();
        }
        wait_for(child);
    }
    return ticks() - start;
}

static void exit_at_once(void)
{
    _exit(0);
}

static uint64_t time_fork_exit_wait(long iterations)
{
    return time_children(iterations, exit_at_once);
}

// fork, then execve of this same program (a static binary that ends at once with the argument
// "exit"), then wait: the cost of starting a program, the same binary on both systems.
static void execute_self(void)
{
    char *const argv[] = {"bench", "exit", NULL};
    execve("/proc/self/exe", argv, NULL);
    _exit(127);
}

static uint64_t time_fork_exec_wait(long iterations)
{
    return time_children(iterations, execute_self);
}

// The shell macrobenchmark: busybox's sh runs macro.sh (200 small commands with pipes and
// files; tools/linux_bench/macro.sh), its output thrown away; the same script and binary on
// both systems. Present where the benchmark runs in an emulator (Tern's personality, the
// Linux guest's initramfs), not on a host.
static const char shell_script[] = "/macro.sh";

static void run_shell_script(void)
{
    int null = open("/dev/null", O_WRONLY);
    if (null < 0 || dup2(null, 1) < 0) {
        _exit(126);
    }
    char *const argv[] = {"sh", (char *)shell_script, NULL};
    char *const envp[] = {"PATH=/bin:/usr/bin:/sbin:/usr/sbin", NULL};
    execve("/bin/busybox", argv, envp);
    _exit(127);
}

static uint64_t time_shell_script(long iterations)
{
    return time_children(iterations, run_shell_script);
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void measure_in(const char *name, uint64_t (*timed)(long), long iterations, int count)
{
    iterations = iterations / scale_divisor > 0 ? iterations / scale_divisor : 1;
    timed(iterations);
    double per_operation[max_batches];
    for (int batch = 0; batch < count; ++batch) {
        per_operation[batch] = (double)timed(iterations) / (double)iterations;
    }
    qsort(per_operation, (size_t)count, sizeof per_operation[0], compare_doubles);
    printf("BENCH linux.%s %.0f\n", name, per_operation[count / 2]);
    fflush(stdout);
}

static void measure(const char *name, uint64_t (*timed)(long), long iterations)
{
    measure_in(name, timed, iterations, batches);
}

// One script run per batch, three batches (a run is some 20 million guest instructions).
static void measure_shell(void)
{
    if (access(shell_script, R_OK) != 0 || access("/bin/busybox", X_OK) != 0) {
        printf("INFO linux.shell_script skipped: no %s or /bin/busybox here\n", shell_script);
        return;
    }
    measure_in("shell_script", time_shell_script, 1, 3);
}

static void report_system(void)
{
    struct utsname name;
    if (uname(&name) == 0) {
        printf("INFO linux.release %s %s\n", name.release, name.version);
    }
    if (yield_alternation_count > 0) {
        printf("INFO linux.sched_yield partner yields per timed yield %.3f (1 when the two alternate)\n",
               yield_alternation_sum / yield_alternation_count);
    }
    if (getpid() != 1 || mount("sysfs", "/sys", "sysfs", 0, NULL) != 0) {
        return;
    }
    static const char *const vulnerabilities[] = {"meltdown", "spectre_v1", "spectre_v2", "retbleed",
                                                  "spec_store_bypass", "mds", "srbds"};
    for (size_t i = 0; i < sizeof vulnerabilities / sizeof vulnerabilities[0]; ++i) {
        char path[96], line[160] = "";
        snprintf(path, sizeof path, "/sys/devices/system/cpu/vulnerabilities/%s", vulnerabilities[i]);
        FILE *file = fopen(path, "r");
        if (file != NULL) {
            if (fgets(line, sizeof line, file) != NULL) {
                line[strcspn(line, "\n")] = 0;
                printf("INFO linux.vulnerability %s: %s\n", vulnerabilities[i], line);
            }
            fclose(file);
        }
    }
}

int main(int argc, char **argv)
{
    // Under -icount the time stamp counter started with the machine: this is the guest time the
    // kernel took to boot and start init.
    uint64_t started_at = ticks();
    if (argc > 1 && strcmp(argv[1], "exit") == 0) {
        _exit(0);  // the program fork_exec_wait starts
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("INFO linux.init_started_at %llu\n", (unsigned long long)started_at);
    if (argc > 1 && strcmp(argv[1], "quick") == 0) {
        scale_divisor = 100;
        batches = 3;
    }
    // "personality": the figures Tern's Linux personality can run (no memory shared between
    // processes yet: docs/linux.md), under ./tern linux.
    if (argc > 1 && strcmp(argv[1], "personality") == 0) {
        measure("getpid", time_getpid, 20000);
        measure("pipe_processes", time_pipe_processes, 2000);
        measure("pipe_threads", time_pipe_threads, 2000);
        measure("futex_threads", time_futex_threads, 2000);
        measure("page_fault", time_page_faults, 2000);
        measure("fork_exit_wait", time_fork_exit_wait, 50);
        measure("fork_exec_wait", time_fork_exec_wait, 20);
        if (argc > 2 && strcmp(argv[2], "network") == 0) {
            measure("tcp_processes", time_tcp_processes, 1000);
            measure_in("tcp_stream_64k", time_tcp_stream, 64, 3);  // 4 MiB a batch
        }
        measure_shell();
        printf("BENCH done\n");
        return 0;
    }
    // As init of the Linux guest: /proc for fork_exec_wait's /proc/self/exe.
    if (getpid() == 1 && mount("proc", "/proc", "proc", 0, NULL) != 0) {
        fail("mount of /proc");
    }
    cpu_set_t one_processor;
    CPU_ZERO(&one_processor);
    CPU_SET(0, &one_processor);
    sched_setaffinity(0, sizeof one_processor, &one_processor);
    yield_shared = mmap(NULL, sizeof *yield_shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (yield_shared == MAP_FAILED) {
        fail("mmap of the shared page");
    }

    measure("getpid", time_getpid, 20000);
    measure("pipe_processes", time_pipe_processes, 2000);
    measure("pipe_threads", time_pipe_threads, 2000);
    measure("futex_threads", time_futex_threads, 2000);
    measure("sched_yield_processes", time_yield_processes, 4000);
    measure("page_fault", time_page_faults, 2000);
    measure("fork_exit_wait", time_fork_exit_wait, 50);
    measure("fork_exec_wait", time_fork_exec_wait, 20);
    bring_up_loopback();
    measure("tcp_processes", time_tcp_processes, 1000);
    measure_in("tcp_stream_64k", time_tcp_stream, 64, 3);  // 4 MiB a batch
    measure_shell();
    report_system();
    printf("BENCH done\n");
    fflush(stdout);

    if (getpid() == 1) {
        sync();
        reboot(RB_POWER_OFF);
        reboot(RB_AUTOBOOT); // with QEMU's -no-reboot a reset ends QEMU too
        for (;;) {
            pause();
        }
    }
    return 0;
}
