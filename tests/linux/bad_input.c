// SPDX-License-Identifier: MIT
// The Linux personality's bad-input test (LXB0001): a static program (musl-gcc) that calls
// system calls with garbage numbers, flags and pointers (kernel addresses, unmapped,
// misaligned, huge lengths) and checks Linux's error codes; then a fork bomb until EAGAIN,
// after which the system must still fork. One line per check; the exit status is the number
// of failed checks.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

#define KERNEL_ADDRESS 0xffffffff80100000UL
#define UNMAPPED 0x0000500000000000UL

// The raw call's result: -errno on failure.
static long raw(long number, long a, long b, long c, long d, long e, long f)
{
    long result;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall" : "=a"(result) : "0"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return result;
}

static void expect(const char *what, long got, long want)
{
    if (got == want) {
        printf("ok %s\n", what);
    } else {
        printf("not ok %s: got %ld, expected %ld\n", what, got, want);
        ++failures;
    }
}

int main(void)
{
    char name[16 * 1024];
    memset(name, 'a', sizeof name);
    name[sizeof name - 1] = 0;

    expect("unknown system call number", raw(9999, 0, 0, 0, 0, 0, 0), -ENOSYS);
    expect("number with high bits", raw(0x7fffffff00000027L, 0, 0, 0, 0, 0, 0), -ENOSYS);
    expect("write from NULL", raw(SYS_write, 1, 0, 10, 0, 0, 0), -EFAULT);
    expect("write from a kernel address", raw(SYS_write, 1, (long)KERNEL_ADDRESS, 4, 0, 0, 0), -EFAULT);
    expect("write to a closed descriptor", raw(SYS_write, 77, (long)"x", 1, 0, 0, 0), -EBADF);
    expect("write to descriptor -1", raw(SYS_write, -1, (long)"x", 1, 0, 0, 0), -EBADF);
    int zero = open("/dev/zero", O_RDONLY);
    expect("read into an unmapped address", raw(SYS_read, zero, (long)UNMAPPED, 16, 0, 0, 0), -EFAULT);
    expect("read into a kernel address", raw(SYS_read, zero, (long)KERNEL_ADDRESS, 16, 0, 0, 0), -EFAULT);
    expect("read into read-only memory", raw(SYS_read, zero, (long)main, 16, 0, 0, 0), -EFAULT);
    expect("open of NULL", raw(SYS_open, 0, O_RDONLY, 0, 0, 0, 0), -EFAULT);
    expect("open of a path without end", raw(SYS_open, (long)name, O_RDONLY, 0, 0, 0, 0), -ENAMETOOLONG);
    expect("open of a missing file", raw(SYS_open, (long)"/no/such/file", O_RDONLY, 0, 0, 0, 0), -ENOENT);
    expect("open with a bad access mode", raw(SYS_open, (long)"/etc/passwd", 3, 0, 0, 0, 0), -EINVAL);
    expect("openat with a bad dirfd", raw(SYS_openat, 99, (long)"x", O_RDONLY, 0, 0, 0), -EBADF);
    expect("mmap of length 0", raw(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -EINVAL);
    expect("mmap of 2^46 bytes", raw(SYS_mmap, 0, 1L << 46, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -ENOMEM);
    expect("mmap at a misaligned fixed address",
           raw(SYS_mmap, 0x10001, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), -EINVAL);
    expect("mmap with unknown protection bits",
           raw(SYS_mmap, 0, 4096, 0x100, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), -EINVAL);
    expect("munmap of a misaligned address", raw(SYS_munmap, 0x10001, 4096, 0, 0, 0, 0), -EINVAL);
    expect("mprotect of a misaligned address", raw(SYS_mprotect, 0x10001, 4096, PROT_READ, 0, 0, 0), -EINVAL);
    long brk_now = raw(SYS_brk, 0, 0, 0, 0, 0, 0);
    expect("brk into the kernel half leaves the break", raw(SYS_brk, (long)KERNEL_ADDRESS, 0, 0, 0, 0, 0), brk_now);
    expect("rt_sigaction of signal 999", raw(SYS_rt_sigaction, 999, 0, 0, 8, 0, 0), -EINVAL);
    struct { void *handler; unsigned long flags; void *restorer; unsigned long mask; } action = {(void *)1, 0, 0, 0};
    expect("rt_sigaction of SIGKILL", raw(SYS_rt_sigaction, SIGKILL, (long)&action, 0, 8, 0, 0), -EINVAL);
    expect("rt_sigaction from a kernel address",
           raw(SYS_rt_sigaction, SIGUSR1, (long)KERNEL_ADDRESS, 0, 8, 0, 0), -EFAULT);
    expect("rt_sigprocmask with a bad size", raw(SYS_rt_sigprocmask, 0, 0, 0, 3, 0, 0), -EINVAL);
    expect("kill of a missing process", raw(SYS_kill, 99999, 0, 0, 0, 0, 0), -ESRCH);
    expect("kill with signal 999", raw(SYS_kill, getpid(), 999, 0, 0, 0, 0), -EINVAL);
    expect("wait4 without children", raw(SYS_wait4, -1, 0, 0, 0, 0, 0), -ECHILD);
    expect("wait4 with unknown options", raw(SYS_wait4, -1, 0, 0x100, 0, 0, 0), -EINVAL);
    expect("execve of NULL", raw(SYS_execve, 0, 0, 0, 0, 0, 0), -EFAULT);
    expect("execve of a file without execute bits", raw(SYS_execve, (long)"/etc/passwd", 0, 0, 0, 0, 0), -EACCES);
    expect("execve of a directory", raw(SYS_execve, (long)"/etc", 0, 0, 0, 0, 0), -EACCES);
    expect("execve with argv in the kernel half",
           raw(SYS_execve, (long)"/bin/true", (long)KERNEL_ADDRESS, 0, 0, 0, 0), -EFAULT);
    expect("pipe2 into NULL", raw(SYS_pipe2, 0, 0, 0, 0, 0, 0), -EFAULT);
    int fds[2];
    expect("pipe2 with unknown flags", raw(SYS_pipe2, (long)fds, 0x1, 0, 0, 0, 0), -EINVAL);
    expect("dup2 to descriptor 99999", raw(SYS_dup2, 0, 99999, 0, 0, 0, 0), -EBADF);
    expect("dup3 to itself", raw(SYS_dup3, 1, 1, 0, 0, 0, 0), -EINVAL);
    expect("fcntl with an unknown command", raw(SYS_fcntl, 1, 9999, 0, 0, 0, 0), -EINVAL);
    expect("gettimeofday into a kernel address", raw(SYS_gettimeofday, (long)KERNEL_ADDRESS, 0, 0, 0, 0, 0),
           -EFAULT);
    expect("time into an unmapped address", raw(SYS_time, (long)UNMAPPED, 0, 0, 0, 0, 0), -EFAULT);
    expect("prctl PR_SET_NAME from a kernel address", raw(SYS_prctl, 15, (long)KERNEL_ADDRESS, 0, 0, 0, 0), -EFAULT);
    expect("prctl PR_GET_NAME into read-only memory", raw(SYS_prctl, 16, (long)main, 0, 0, 0, 0), -EFAULT);
    char task_name[16] = {0};
    expect("prctl PR_SET_NAME", raw(SYS_prctl, 15, (long)"renamed", 0, 0, 0, 0), 0);
    expect("prctl PR_GET_NAME", raw(SYS_prctl, 16, (long)task_name, 0, 0, 0, 0), 0);
    expect("PR_GET_NAME gives the name PR_SET_NAME set", strcmp(task_name, "renamed"), 0);
    expect("prctl with option 99999", raw(SYS_prctl, 99999, 0, 0, 0, 0, 0), -EINVAL);
    expect("clock_gettime of clock 99", raw(SYS_clock_gettime, 99, (long)&action, 0, 0, 0, 0), -EINVAL);
    expect("clock_gettime into a kernel address", raw(SYS_clock_gettime, CLOCK_REALTIME, (long)KERNEL_ADDRESS, 0, 0, 0, 0),
           -EFAULT);
    expect("getdents64 of a device", raw(SYS_getdents64, zero, (long)name, sizeof name, 0, 0, 0), -ENOTDIR);
    expect("uname into NULL", raw(SYS_uname, 0, 0, 0, 0, 0, 0), -EFAULT);
    expect("lseek of a pipe", (pipe(fds), raw(SYS_lseek, fds[0], 0, SEEK_SET, 0, 0, 0)), -ESPIPE);
    expect("lseek with whence 7", raw(SYS_lseek, zero == -1 ? 0 : open("/etc/passwd", O_RDONLY), 0, 7, 0, 0, 0), -EINVAL);
    expect("nanosleep with 2e9 nanoseconds", raw(SYS_nanosleep, (long)(long[]){0, 2000000000L}, 0, 0, 0, 0, 0), -EINVAL);
    expect("mkdir of an existing directory", raw(SYS_mkdir, (long)"/tmp", 0755, 0, 0, 0, 0), -EEXIST);
    expect("rmdir of the root", raw(SYS_rmdir, (long)"/", 0, 0, 0, 0, 0), -EBUSY);
    expect("unlink of a directory", raw(SYS_unlink, (long)"/tmp", 0, 0, 0, 0, 0), -EISDIR);
    expect("rename into its own subdirectory", raw(SYS_rename, (long)"/tmp", (long)"/tmp/x", 0, 0, 0, 0), -EINVAL);
    expect("arch_prctl with an unknown code", raw(SYS_arch_prctl, 0x9999, 0, 0, 0, 0, 0), -EINVAL);
    expect("arch_prctl setting FS in the kernel half", raw(SYS_arch_prctl, 0x1002, (long)KERNEL_ADDRESS, 0, 0, 0, 0),
           -EPERM);

    // A fork bomb stops at EAGAIN (the personality's process limit), and the system is
    // usable once its processes end. Never run this program on a Linux host.
    enum { most = 256 };
    pid_t children[most];
    int forked = 0;
    errno = 0;
    while (forked < most) {
        pid_t child = fork();
        if (child == 0) {
            pause();
            _exit(0);
        }
        if (child < 0)
            break;
        children[forked++] = child;
    }
    expect("a fork bomb ends with EAGAIN", forked < most ? errno : 0, EAGAIN);
    printf("INFO %d processes forked before EAGAIN\n", forked);
    int reaped = 0;
    for (int i = 0; i < forked; ++i)
        if (kill(children[i], SIGKILL) == 0 && waitpid(children[i], NULL, 0) == children[i])
            ++reaped;
    expect("every forked process killed and reaped", reaped, forked);
    pid_t again = fork();
    if (again == 0)
        _exit(7);
    int status = 0;
    waitpid(again, &status, 0);
    expect("fork works after the bomb", WIFEXITED(status) ? WEXITSTATUS(status) : -1, 7);
    printf("bad input: %d failed\n", failures);
    return failures;
}
