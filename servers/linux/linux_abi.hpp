// SPDX-License-Identifier: MIT
// What the Linux personality shares with Linux binaries on x86-64: system-call numbers,
// error numbers, auxiliary-vector types, and the flags of the calls it implements. Values
// are Linux's (arch/x86/entry/syscalls/syscall_64.tbl, include/uapi/asm-generic/errno*.h);
// they are an ABI, so they are spelt out here rather than taken from a host's headers.
#ifndef LINUX_LINUX_ABI_HPP
#define LINUX_LINUX_ABI_HPP

#include <stdint.h>

namespace linux_abi {

// Error numbers; a system call returns -errno. none (0) is success, for calls that return an Errno.
enum class Errno : long {
    none = 0,
    perm = 1, noent = 2, srch = 3, intr = 4, io = 5, nxio = 6, toobig = 7, noexec = 8, badf = 9, child = 10,
    again = 11, nomem = 12, acces = 13, fault = 14, busy = 16, exist = 17, xdev = 18, nodev = 19, notdir = 20,
    isdir = 21, inval = 22, nfile = 23, mfile = 24, notty = 25, fbig = 27, nospc = 28, spipe = 29, rofs = 30,
    mlink = 31, pipe = 32, range = 34, nametoolong = 36, nosys = 38, notempty = 39, loop = 40, timedout = 110,
    notsock = 88, destaddrreq = 89, msgsize = 90, noprotoopt = 92, protonosupport = 93, socktnosupport = 94, opnotsupp = 95,
    afnosupport = 97, addrinuse = 98, netdown = 100, isconn = 106, notconn = 107, connrefused = 111, inprogress = 115,
};

// System-call numbers (x86-64).
enum class Syscall : uint64_t {
    read = 0, write = 1, open = 2, close = 3, stat = 4, fstat = 5, lstat = 6, poll = 7, lseek = 8, mmap = 9,
    mprotect = 10, munmap = 11, brk = 12, rt_sigaction = 13, rt_sigprocmask = 14, rt_sigreturn = 15, ioctl = 16,
    pread64 = 17, pwrite64 = 18, readv = 19, writev = 20, access = 21, pipe = 22, select = 23, sched_yield = 24,
    mremap = 25, madvise = 28, dup = 32, dup2 = 33, pause = 34, nanosleep = 35, getitimer = 36, alarm = 37, setitimer = 38, getpid = 39, sendfile = 40, clone = 56,
    socket = 41, connect = 42, accept = 43, sendto = 44, recvfrom = 45, sendmsg = 46, recvmsg = 47, shutdown = 48,
    bind = 49, listen = 50, getsockname = 51, getpeername = 52, socketpair = 53, setsockopt = 54, getsockopt = 55,
    accept4 = 288,
    fork = 57, vfork = 58, execve = 59, exit = 60, wait4 = 61, kill = 62, uname = 63, fcntl = 72,
    truncate = 76, ftruncate = 77, getcwd = 79, chdir = 80, fchdir = 81, rename = 82, mkdir = 83, rmdir = 84,
    creat = 85, link = 86, unlink = 87,
    symlink = 88, readlink = 89, chmod = 90, fchmod = 91, chown = 92, fchown = 93, lchown = 94, umask = 95, gettimeofday = 96, getrlimit = 97, getrusage = 98, sysinfo = 99, times = 100, syslog = 103,
    getuid = 102, getgid = 104, setuid = 105, setgid = 106, geteuid = 107, getegid = 108, setpgid = 109,
    getppid = 110, getpgrp = 111, setsid = 112, getpgid = 121, getsid = 124, rt_sigpending = 127, rt_sigtimedwait = 128, rt_sigsuspend = 130, sigaltstack = 131, mknod = 133, statfs = 137, fstatfs = 138, tkill = 200, sched_setaffinity = 203, sched_getaffinity = 204, prctl = 157,
    arch_prctl = 158, gettid = 186, time = 201, futex = 202, getdents64 = 217, set_tid_address = 218,
    clock_gettime = 228, clock_getres = 229, clock_nanosleep = 230, exit_group = 231, tgkill = 234,
    openat = 257, mkdirat = 258, mknodat = 259, fchownat = 260, newfstatat = 262, unlinkat = 263, renameat = 264, linkat = 265,
    symlinkat = 266, readlinkat = 267, fchmodat = 268, faccessat = 269, pselect6 = 270, ppoll = 271,
    set_robust_list = 273, get_robust_list = 274, utimensat = 280, dup3 = 292, pipe2 = 293, prlimit64 = 302, renameat2 = 316,
    getrandom = 318,
    statx = 332, rseq = 334, faccessat2 = 439,
};

// Auxiliary-vector entry types.
enum class Auxv : uint64_t {
    null = 0, phdr = 3, phent = 4, phnum = 5, pagesz = 6, base = 7, flags = 8, entry = 9, uid = 11, euid = 12,
    gid = 13, egid = 14, platform = 15, hwcap = 16, clktck = 17, secure = 23, random = 25, execfn = 31,
};

// arch_prctl codes.
constexpr uint64_t arch_set_gs = 0x1001, arch_set_fs = 0x1002, arch_get_fs = 0x1003, arch_get_gs = 0x1004;

// mmap and mprotect.
constexpr uint64_t prot_read = 1, prot_write = 2, prot_exec = 4;
constexpr uint64_t map_shared = 0x01, map_private = 0x02, map_fixed = 0x10, map_anonymous = 0x20,
                   map_noreserve = 0x4000, map_fixed_noreplace = 0x100000;

constexpr uint64_t page_size = 4096;

// Terminals (include/uapi/asm-generic/termbits.h, ioctls.h): the kernel's struct termios,
// which TCGETS and TCSETS copy (not the C library's, which is larger), and struct winsize.
struct Termios {
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t line;
    uint8_t cc[19];
};
static_assert(sizeof(Termios) == 36);
struct Window_size {
    uint16_t rows, columns, x_pixels, y_pixels;
};
// Indices into Termios::cc.
enum Control_character : unsigned {
    vintr = 0, vquit = 1, verase = 2, vkill = 3, veof = 4, vtime = 5, vmin = 6, vstart = 8, vstop = 9,
    vsusp = 10, veol = 11, vreprint = 12, vdiscard = 13, vwerase = 14, vlnext = 15, veol2 = 16,
};
constexpr uint32_t istrip = 0x20, inlcr = 0x40, igncr = 0x80, icrnl = 0x100, ixon = 0x400;  // iflag
constexpr uint32_t opost = 0x1, onlcr = 0x4;                                                // oflag
constexpr uint32_t b38400 = 0xf, cs8 = 0x30, cread = 0x80, hupcl = 0x400;                   // cflag
constexpr uint32_t isig = 0x1, icanon = 0x2, echo = 0x8, echoe = 0x10, echok = 0x20, echonl = 0x40,
                   noflsh = 0x80, tostop = 0x100, echoctl = 0x200, echoke = 0x800, iexten = 0x8000;      // lflag
enum class Ioctl : uint32_t {
    tcgets = 0x5401, tcsets = 0x5402, tcsetsw = 0x5403, tcsetsf = 0x5404, tcsbrk = 0x5409, tcxonc = 0x540a,
    tcflsh = 0x540b, tiocsctty = 0x540e, tiocgpgrp = 0x540f, tiocspgrp = 0x5410, tiocgwinsz = 0x5413,
    tiocswinsz = 0x5414, fionread = 0x541b, fionbio = 0x5421, tiocnotty = 0x5422, tiocgsid = 0x5429,
    tcsbrkp = 0x5425, fionclex = 0x5450, fioclex = 0x5451,
};

// A system call's result for an error.
constexpr int64_t error(Errno e) { return -static_cast<int64_t>(e); }

}  // namespace linux_abi

#endif
