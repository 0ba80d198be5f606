// SPDX-License-Identifier: MIT
// The Linux system calls the personality answers (docs/linux.md has the table).
#include <l4/kip.h>
#include <stdio.h>
#include <string.h>

#include "fpu_trampoline.h"
#include "linux_abi.hpp"
#include "linux_elf.hpp"
#include "linux_server.hpp"
#include "process_layout.hpp"
#include "task.hpp"

using namespace linux_abi;
using namespace process_layout;

int64_t Linux_server::system_call(Thread &thread, Linux_registers &registers, bool &reply_now)
{
    Process &process = *thread.process;
    reply_now = true;
    auto arg = [&registers](unsigned i) { return registers.arg(i); };
    if ((registers.number() == FPU_TRAMPOLINE_SAVED || registers.number() == FPU_TRAMPOLINE_RESTORED) &&
        registers.ip() - fpu_trampoline_address < linux_abi::page_size)
        return fpu_trampoline_done(thread, registers);
    switch (static_cast<Syscall>(registers.number())) {
    case Syscall::read:
        return sys_read(thread, arg(0), arg(1), arg(2));
    case Syscall::write:
        return sys_write(thread, arg(0), arg(1), arg(2));
    case Syscall::readv:
        return sys_readv_writev(thread, arg(0), arg(1), arg(2), false);
    case Syscall::writev:
        return sys_readv_writev(thread, arg(0), arg(1), arg(2), true);
    case Syscall::socket:
        return sys_socket(process, arg(0), arg(1), arg(2));
    case Syscall::bind:
        return sys_bind_connect(thread, arg(0), arg(1), arg(2), false);
    case Syscall::connect:
        return sys_bind_connect(thread, arg(0), arg(1), arg(2), true);
    case Syscall::listen:
        return sys_listen(process, arg(0), arg(1));
    case Syscall::accept:
        return sys_accept(thread, arg(0), arg(1), arg(2), 0);
    case Syscall::accept4:
        return sys_accept(thread, arg(0), arg(1), arg(2), arg(3));
    case Syscall::sendto:
        return sys_sendto(thread, arg(0), arg(1), arg(2), arg(3), arg(4), arg(5));
    case Syscall::recvfrom:
        return sys_recvfrom(thread, arg(0), arg(1), arg(2), arg(3), arg(4), arg(5));
    case Syscall::sendmsg:
        return sys_sendmsg_recvmsg(thread, arg(0), arg(1), arg(2), true);
    case Syscall::recvmsg:
        return sys_sendmsg_recvmsg(thread, arg(0), arg(1), arg(2), false);
    case Syscall::shutdown:
        return sys_shutdown(process, arg(0), arg(1));
    case Syscall::getsockname:
        return sys_socket_name(process, arg(0), arg(1), arg(2), false);
    case Syscall::getpeername:
        return sys_socket_name(process, arg(0), arg(1), arg(2), true);
    case Syscall::setsockopt:
        return sys_socket_option(process, arg(0), arg(1), arg(2), arg(3), arg(4), true);
    case Syscall::getsockopt:
        return sys_socket_option(process, arg(0), arg(1), arg(2), arg(3), arg(4), false);
    case Syscall::socketpair:
        return sys_socketpair(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::pipe:
        return sys_pipe(process, arg(0), 0);
    case Syscall::pipe2:
        return sys_pipe(process, arg(0), arg(1));
    case Syscall::dup:
        return sys_dup(process, arg(0), 0, false, 0);
    case Syscall::dup2:
        if (arg(0) == arg(1))  // dup2 of a descriptor to itself checks it and does nothing
            return file_of(process, arg(0)) != nullptr ? static_cast<int64_t>(arg(1)) : error(Errno::badf);
        return sys_dup(process, arg(0), arg(1), true, 0);
    case Syscall::dup3:
        if (arg(0) == arg(1))
            return error(Errno::inval);
        return sys_dup(process, arg(0), arg(1), true, arg(2));
    case Syscall::open:
        return sys_openat(process, static_cast<uint64_t>(-100), arg(0), arg(1), arg(2));
    case Syscall::creat:
        return sys_openat(process, static_cast<uint64_t>(-100), arg(0), 0101 | 01000 /* O_WRONLY|O_CREAT|O_TRUNC */, arg(1));
    case Syscall::openat:
        return sys_openat(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::stat:
        return sys_newfstatat(process, static_cast<uint64_t>(-100), arg(0), arg(1), 0);
    case Syscall::lstat:
        return sys_newfstatat(process, static_cast<uint64_t>(-100), arg(0), arg(1), 0x100);
    case Syscall::fstat:
        return sys_fstat(process, arg(0), arg(1));
    case Syscall::newfstatat:
        return sys_newfstatat(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::statx:
        return sys_statx(process, arg(0), arg(1), arg(2), arg(3), arg(4));
    case Syscall::lseek:
        return sys_lseek(process, arg(0), static_cast<int64_t>(arg(1)), arg(2));
    case Syscall::pread64:
        return sys_pread_pwrite(thread, arg(0), arg(1), arg(2), static_cast<int64_t>(arg(3)), false);
    case Syscall::pwrite64:
        return sys_pread_pwrite(thread, arg(0), arg(1), arg(2), static_cast<int64_t>(arg(3)), true);
    case Syscall::getdents64:
        return sys_getdents64(process, arg(0), arg(1), arg(2));
    case Syscall::mkdir:
        return sys_mkdirat(process, static_cast<uint64_t>(-100), arg(0), arg(1));
    case Syscall::mkdirat:
        return sys_mkdirat(process, arg(0), arg(1), arg(2));
    case Syscall::mknod:
        return sys_mknodat(process, static_cast<uint64_t>(-100), arg(0), arg(1), arg(2));
    case Syscall::mknodat:
        return sys_mknodat(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::rmdir:
        return sys_unlinkat(process, static_cast<uint64_t>(-100), arg(0), 0x200);
    case Syscall::unlink:
        return sys_unlinkat(process, static_cast<uint64_t>(-100), arg(0), 0);
    case Syscall::unlinkat:
        return sys_unlinkat(process, arg(0), arg(1), arg(2));
    case Syscall::rename:
        return sys_renameat(process, static_cast<uint64_t>(-100), arg(0), static_cast<uint64_t>(-100), arg(1), 0);
    case Syscall::renameat:
        return sys_renameat(process, arg(0), arg(1), arg(2), arg(3), 0);
    case Syscall::renameat2:
        return sys_renameat(process, arg(0), arg(1), arg(2), arg(3), arg(4));
    case Syscall::link:
        return sys_linkat(process, static_cast<uint64_t>(-100), arg(0), static_cast<uint64_t>(-100), arg(1), 0);
    case Syscall::linkat:
        return sys_linkat(process, arg(0), arg(1), arg(2), arg(3), arg(4));
    case Syscall::symlink:
        return sys_symlinkat(process, arg(0), static_cast<uint64_t>(-100), arg(1));
    case Syscall::symlinkat:
        return sys_symlinkat(process, arg(0), arg(1), arg(2));
    case Syscall::readlink:
        return sys_readlinkat(process, static_cast<uint64_t>(-100), arg(0), arg(1), arg(2));
    case Syscall::readlinkat:
        return sys_readlinkat(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::chmod:
        return sys_fchmodat(process, static_cast<uint64_t>(-100), arg(0), arg(1), 0);
    case Syscall::fchmod:
        return sys_fchmodat(process, arg(0), 0, arg(1), 0);
    case Syscall::fchmodat:
        return sys_fchmodat(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::chown:
        return sys_fchownat(process, static_cast<uint64_t>(-100), arg(0), arg(1), arg(2), 0);
    case Syscall::lchown:
        return sys_fchownat(process, static_cast<uint64_t>(-100), arg(0), arg(1), arg(2), 0x100);
    case Syscall::fchown:
        return sys_fchownat(process, arg(0), 0, arg(1), arg(2), 0);
    case Syscall::fchownat:
        return sys_fchownat(process, arg(0), arg(1), arg(2), arg(3), arg(4));
    case Syscall::utimensat:
        return sys_utimensat(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::truncate:
        return sys_truncate(process, arg(0), 0, static_cast<int64_t>(arg(1)));
    case Syscall::ftruncate:
        return sys_truncate(process, 0, arg(0), static_cast<int64_t>(arg(1)));
    case Syscall::getcwd:
        return sys_getcwd(process, arg(0), arg(1));
    case Syscall::chdir:
        return sys_chdir(process, arg(0), 0);
    case Syscall::fchdir:
        return sys_chdir(process, 0, arg(0));
    case Syscall::umask: {
        uint32_t old = process.umask;
        process.umask = static_cast<uint32_t>(arg(0)) & 0777;
        return old;
    }
    case Syscall::access:
        return sys_faccessat(process, static_cast<uint64_t>(-100), arg(0), arg(1), 0);
    case Syscall::faccessat:
        return sys_faccessat(process, arg(0), arg(1), arg(2), 0);
    case Syscall::faccessat2:
        return sys_faccessat(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::sendfile:
        return sys_sendfile(thread, arg(0), arg(1), arg(2), arg(3));
    case Syscall::poll:
        return sys_poll(thread, arg(0), arg(1), static_cast<int32_t>(arg(2)));
    case Syscall::ppoll: {
        int64_t timeout_ms = -1;
        if (arg(2) != 0) {
            uint64_t spec[2];
            if (process.memory.copy_in(spec, arg(2), sizeof spec) != Process_memory::Error::none)
                return error(Errno::fault);
            timeout_ms = static_cast<int64_t>(spec[0] * 1000 + spec[1] / 1000000);
        }
        return sys_poll(thread, arg(0), arg(1), timeout_ms);
    }
    case Syscall::select:
        return sys_select(thread, arg(0), arg(1), arg(2), arg(3), arg(4), false);
    case Syscall::pselect6:
        return sys_select(thread, arg(0), arg(1), arg(2), arg(3), arg(4), true);
    case Syscall::nanosleep:
        return sys_nanosleep(thread, 1 /* CLOCK_MONOTONIC */, 0, arg(0));
    case Syscall::alarm:
        return sys_alarm(process, arg(0));
    case Syscall::setitimer:
        return sys_itimer(process, arg(0), arg(1), arg(2), true);
    case Syscall::getitimer:
        return sys_itimer(process, arg(0), 0, arg(1), false);
    case Syscall::clock_nanosleep:
        return sys_nanosleep(thread, arg(0), arg(1), arg(2));
    case Syscall::ioctl:
        return sys_ioctl(thread, arg(0), arg(1), arg(2));
    case Syscall::fcntl:
        return sys_fcntl(process, arg(0), arg(1), arg(2));
    case Syscall::close:
        return sys_close(process, arg(0));
    case Syscall::fork:
    case Syscall::vfork:
        return sys_fork(thread, registers);
    case Syscall::clone:
        return sys_clone(thread, registers);
    case Syscall::execve: {
        int64_t result = sys_execve(thread, arg(0), arg(1), arg(2));
        reply_now = result != 0;
        return result;
    }
    case Syscall::wait4:
        return sys_wait4(thread, static_cast<int32_t>(arg(0)), arg(1), arg(2) & 0xffffffff, arg(3));  // pid_t, int
    case Syscall::brk:
        return sys_brk(process, arg(0));
    case Syscall::mmap:
        return sys_mmap(process, registers);
    case Syscall::munmap:
        return sys_munmap(process, arg(0), arg(1));
    case Syscall::mprotect:
        return sys_mprotect(process, arg(0), arg(1), arg(2));
    case Syscall::madvise:
        return 0;  // advice only
    case Syscall::mremap:
        return error(Errno::nomem);  // callers (glibc's realloc) copy instead
    case Syscall::arch_prctl:
        return sys_arch_prctl(process, registers);
    case Syscall::set_tid_address:
        thread.clear_child_tid = arg(0);
        return thread.tid;
    case Syscall::set_robust_list:
        // Not kept: a robust futex's owner that dies leaves it locked (docs/linux.md).
        return arg(1) == 24 ? 0 : error(Errno::inval);
    case Syscall::futex:
        return sys_futex(thread, registers);
    case Syscall::rseq:
        return error(Errno::nosys);  // Linux may lack it too; glibc goes on without
    case Syscall::uname:
        return sys_uname(process, arg(0));
    case Syscall::sysinfo:
        return sys_sysinfo(process, arg(0));
    case Syscall::getrusage:
        return sys_getrusage(process, static_cast<int32_t>(arg(0)), arg(1));
    case Syscall::times:
        return sys_times(process, arg(0));
    case Syscall::sched_getaffinity:
    case Syscall::sched_setaffinity:
        return sys_affinity(process, static_cast<int64_t>(arg(0)), arg(1), arg(2),
                            registers.number() == static_cast<uint64_t>(Syscall::sched_setaffinity));
    case Syscall::syslog:
        return sys_syslog(process, static_cast<int32_t>(arg(0)), arg(1), static_cast<int32_t>(arg(2)));
    case Syscall::statfs:
        return sys_statfs(process, arg(0), static_cast<uint64_t>(-1), arg(1));
    case Syscall::fstatfs:
        return static_cast<int64_t>(arg(0)) < 0 ? error(Errno::badf) : sys_statfs(process, 0, arg(0), arg(1));
    case Syscall::prlimit64:
        return sys_prlimit(process, arg(1), arg(2), arg(3));
    case Syscall::getrlimit:
        return sys_prlimit(process, arg(0), 0, arg(1));
    case Syscall::getpid:
        return process.pid;
    case Syscall::gettid:
        return thread.tid;
    case Syscall::getppid:
        return process.parent;
    case Syscall::getuid:
    case Syscall::geteuid:
    case Syscall::getgid:
    case Syscall::getegid:
        return 0;
    case Syscall::clock_gettime:
        return sys_clock_gettime(process, arg(0), arg(1));
    case Syscall::gettimeofday:
        return sys_gettimeofday(process, arg(0), arg(1));
    case Syscall::time:
        return sys_time(process, arg(0));
    case Syscall::prctl:
        return sys_prctl(process, arg(0), arg(1));
    case Syscall::getrandom:
        return sys_getrandom(process, arg(0), arg(1));
    case Syscall::rt_sigaction:
        return sys_rt_sigaction(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::rt_sigprocmask:
        return sys_rt_sigprocmask(thread, arg(0), arg(1), arg(2), arg(3));
    case Syscall::rt_sigreturn:
        return sys_rt_sigreturn(thread, registers);
    case Syscall::pause:
        return sys_pause(thread);
    case Syscall::rt_sigsuspend:
        return sys_rt_sigsuspend(thread, arg(0), arg(1));
    case Syscall::rt_sigpending: {
        if (arg(1) != 8)
            return error(Errno::inval);
        // Linux's do_sigpending: the thread's and its process's, of those it blocks.
        uint64_t pending = (thread.pending | process.pending) & thread.blocked;
        Process_memory::Error copied = process.memory.copy_out(arg(0), &pending, sizeof pending);
        return copied == Process_memory::Error::none ? 0 : memory_error(copied);
    }
    case Syscall::rt_sigtimedwait:
        return sys_rt_sigtimedwait(thread, arg(0), arg(1), arg(2), arg(3));
    case Syscall::sigaltstack:
        return sys_sigaltstack(thread, arg(0), arg(1));
    case Syscall::kill:
        return sys_kill(process, static_cast<int32_t>(arg(0)), static_cast<int32_t>(arg(1)));
    case Syscall::tgkill:
        return sys_tgkill(process, static_cast<int32_t>(arg(0)), static_cast<int32_t>(arg(1)), static_cast<int32_t>(arg(2)));
    case Syscall::tkill:
        return sys_tgkill(process, -1, static_cast<int32_t>(arg(0)), static_cast<int32_t>(arg(1)));
    case Syscall::setpgid:
        return sys_setpgid(process, static_cast<int32_t>(arg(0)), static_cast<int32_t>(arg(1)));
    case Syscall::getpgrp:
        return process.group;
    case Syscall::getpgid:
    case Syscall::getsid: {
        int pid = static_cast<int32_t>(arg(0));
        for (Process *other : processes_)
            if (other != nullptr && other->state != Process::State::free && (pid == 0 ? other == &process : other->pid == pid))
                return static_cast<Syscall>(registers.number()) == Syscall::getpgid ? other->group : other->session;
        return error(Errno::srch);
    }
    case Syscall::setsid:
        if (process.group == process.pid)
            return error(Errno::perm);
        process.group = process.session = process.pid;
        return process.pid;
    case Syscall::sched_yield:
        return 0;
    case Syscall::exit:
        exit_thread(thread, static_cast<int>((arg(0) & 0xff) << 8));
        reply_now = false;
        return 0;
    case Syscall::exit_group:
        terminate(process, static_cast<int>((arg(0) & 0xff) << 8));
        reply_now = false;
        return 0;
    default:
        return unknown_call(process, registers.number());
    }
}

int64_t Linux_server::unknown_call(Process &process, uint64_t number)
{
    if (number >= 64 * (sizeof reported_unknown_ / sizeof reported_unknown_[0]) ||
        (reported_unknown_[number / 64] & (uint64_t{1} << (number % 64))) == 0) {
        printf("linux: %s: system call %lu is not implemented (ENOSYS)\n", process.name, number);
        if (number < 64 * (sizeof reported_unknown_ / sizeof reported_unknown_[0]))
            reported_unknown_[number / 64] |= uint64_t{1} << (number % 64);
    }
    return error(Errno::nosys);
}

int64_t Linux_server::sys_read(Thread &thread, uint64_t fd, uint64_t buffer, uint64_t count)
{
    Process &process = *thread.process;
    Open_file *file = file_of(process, fd);
    if (file == nullptr || (file->flags & 3) == 1 /* O_WRONLY */)
        return error(Errno::badf);
    if (count > (uint64_t{1} << 31))
        count = uint64_t{1} << 31;
    switch (file->kind) {
    case Open_file::Kind::null:
        return 0;
    case Open_file::Kind::console: {
        if (!console_reader_active_)
            return 0;  // no console input (./tern linux, the boot tests): end of file
        if (int64_t checked = background_check(thread, 21 /* SIGTTIN */); checked != 0)
            return checked;
        if (!console_read_ready(thread, count)) {
            if ((file->flags & 04000) == 0) {
                thread.waiting = Thread::Wait::console;
                return blocked;
            }
            if (console_input_.available() == 0) {  // O_NONBLOCK: what is there, else EAGAIN
                thread.wake_us = 0;
                return error(Errno::again);
            }
        }
        thread.wake_us = 0;
        static char line[Console_input::capacity];
        uint64_t n = count < sizeof line ? count : sizeof line;
        // Check the destination before taking the bytes.
        Process_memory::Error error_before;
        for (uint64_t page = buffer & ~uint64_t{4095}; page < buffer + n; page += 4096)
            if (process.memory.page(page, prot_write, error_before) == nullptr)
                return memory_error(error_before);
        size_t got = console_input_.read(line, n);
        Process_memory::Error copied = process.memory.copy_out(buffer, line, got);
        return copied == Process_memory::Error::none ? static_cast<int64_t>(got) : memory_error(copied);
    }
    case Open_file::Kind::zero:
    case Open_file::Kind::urandom: {
        uint8_t chunk[512];
        uint64_t done = 0;
        while (done < count) {
            uint64_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
            if (file->kind == Open_file::Kind::zero) {
                memset(chunk, 0, n);
            } else {
                for (uint64_t i = 0; i < n; i += 8) {
                    uint64_t word = random_word();
                    memcpy(chunk + i, &word, n - i < 8 ? n - i : 8);
                }
            }
            Process_memory::Error copied = process.memory.copy_out(buffer + done, chunk, n);
            if (copied != Process_memory::Error::none)
                return done > 0 ? static_cast<int64_t>(done) : memory_error(copied);
            done += n;
        }
        return static_cast<int64_t>(done);
    }
    case Open_file::Kind::inode:
        return inode_read(process, *file, buffer, count, nullptr);
    case Open_file::Kind::pipe_read: {
        const uint64_t one[2] = {buffer, count};
        return pipe_read(thread, *file->pipe, one, 1, (file->flags & 04000) != 0 /* O_NONBLOCK */, false);
    }
    case Open_file::Kind::proc_directory:
        return error(Errno::isdir);
    case Open_file::Kind::inet_socket:
        return socket_receive(thread, *file, buffer, count, 0, 0, 0, nullptr, 0, nullptr);
    case Open_file::Kind::unix_socket: {
        const uint64_t one[2] = {buffer, count};
        return unix_receive(thread, *file, one, 1, 0, 0, 0);
    }
    default:
        return error(Errno::badf);
    }
}

int64_t Linux_server::sys_write(Thread &thread, uint64_t fd, uint64_t buffer, uint64_t count)
{
    Process &process = *thread.process;
    Open_file *file = file_of(process, fd);
    if (file == nullptr || (file->flags & 3) == 0 /* O_RDONLY */)
        return error(Errno::badf);
    if (count > (uint64_t{1} << 31))
        count = uint64_t{1} << 31;
    switch (file->kind) {
    case Open_file::Kind::null:
    case Open_file::Kind::zero:
    case Open_file::Kind::urandom:
        return static_cast<int64_t>(count);
    case Open_file::Kind::console: {
        if (is_terminal(*file) && (console_input_.settings().lflag & tostop) != 0)
            if (int64_t checked = background_check(thread, 22 /* SIGTTOU */); checked != 0)
                return checked;
        char chunk[480];
        uint64_t done = 0;
        while (done < count) {
            uint64_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
            Process_memory::Error copied = process.memory.copy_in(chunk, buffer + done, n);
            if (copied != Process_memory::Error::none)
                return done > 0 ? static_cast<int64_t>(done) : memory_error(copied);
            if (host_.is_open())
                host_.write(file->stream, chunk, n);
            else
                terminal_output(chunk, n);
            done += n;
        }
        return static_cast<int64_t>(done);
    }
    case Open_file::Kind::inode:
        return inode_write(process, *file, buffer, count, nullptr);
    case Open_file::Kind::pipe_write: {
        const uint64_t one[2] = {buffer, count};
        int64_t put = pipe_write(thread, *file->pipe, one, 1, (file->flags & 04000) != 0);
        // SIGPIPE, whose default action ends the process, unless it is ignored.
        if (put == error(Errno::pipe) && process.actions[13 - 1].handler != 1 /* SIG_IGN */)
            terminate(process, 13);
        return put;
    }
    case Open_file::Kind::inet_socket:
        return socket_send(thread, *file, buffer, count, 0, 0, 0, nullptr, 0);
    case Open_file::Kind::unix_socket: {
        const uint64_t one[2] = {buffer, count};
        return unix_send(thread, *file, one, 1, 0, false);
    }
    default:
        return error(Errno::badf);
    }
}

int64_t Linux_server::sys_readv_writev(Thread &thread, uint64_t fd, uint64_t vectors, uint64_t count, bool write)
{
    Process &process = *thread.process;
    if (count > 1024)
        return error(Errno::inval);
    if (Open_file *file = file_of(process, fd); file != nullptr && file->kind == Open_file::Kind::inet_socket) {
        // One send or receive for all the vectors: a datagram is one, not one per vector.
        constexpr uint64_t most = 64;
        static uint64_t pairs[2 * most];
        if (count > most)
            return error(Errno::msgsize);
        if (Process_memory::Error e = process.memory.copy_in(pairs, vectors, count * 16); count > 0 && e != Process_memory::Error::none)
            return memory_error(e);
        if ((file->flags & 3) == (write ? 0u : 1u))
            return error(Errno::badf);
        return write ? socket_send(thread, *file, 0, 0, 0, 0, 0, pairs, count)
                     : socket_receive(thread, *file, 0, 0, 0, 0, 0, pairs, count, nullptr);
    }
    int64_t total = 0;
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t vector[2];
        Process_memory::Error copied = process.memory.copy_in(vector, vectors + 16 * i, sizeof vector);
        if (copied != Process_memory::Error::none)
            return total > 0 ? total : memory_error(copied);
        if (vector[1] == 0)
            continue;
        int64_t done = write ? sys_write(thread, fd, vector[0], vector[1]) : sys_read(thread, fd, vector[0], vector[1]);
        if (done == blocked && total > 0) {
            thread.waiting = Thread::Wait::none;
            return total;  // what went through; the caller asks again for the rest
        }
        if (done < 0)
            return total > 0 ? total : done;
        total += done;
        if (static_cast<uint64_t>(done) < vector[1])
            break;
    }
    return total;
}

// The process's buffers as (address, length) pairs: n bytes copied between them and chunk.
int64_t Linux_server::copy_vectors(Process &process, uint8_t *chunk, uint64_t n, const uint64_t *vectors, bool out)
{
    for (uint64_t done = 0; done < n; vectors += 2) {
        uint64_t piece = vectors[1] < n - done ? vectors[1] : n - done;
        Process_memory::Error copied = out ? process.memory.copy_out(vectors[0], chunk + done, piece)
                                           : process.memory.copy_in(chunk + done, vectors[0], piece);
        if (piece > 0 && copied != Process_memory::Error::none)
            return memory_error(copied);
        done += piece;
    }
    return 0;
}

// The most that count vectors ask for, up to limit.
static uint64_t vectors_length(const uint64_t *vectors, uint64_t count, uint64_t limit)
{
    uint64_t total = 0;
    for (uint64_t i = 0; i < count && total < limit; ++i)
        total += vectors[2 * i + 1] < limit - total ? vectors[2 * i + 1] : limit - total;
    return total;
}

int64_t Linux_server::pipe_read(Thread &thread, Pipe &pipe, const uint64_t *vectors, uint64_t count,
                                bool nonblocking, bool peek)
{
    uint64_t want = vectors_length(vectors, count, Pipe::capacity);
    if (want == 0)
        return 0;
    if (pipe.used() == 0) {
        if (pipe.writers == 0)
            return 0;
        if (nonblocking)
            return error(Errno::again);
        thread.waiting = Thread::Wait::pipe;
        return blocked;
    }
    static uint8_t chunk[Pipe::capacity];  // (one server thread: the buffers can be static)
    size_t got = pipe.peek(chunk, want);
    // The bytes leave the pipe only once the process has them.
    if (int64_t copied = copy_vectors(*thread.process, chunk, got, vectors, true); copied < 0)
        return copied;
    if (!peek) {
        pipe.discard(got);
        wake_blocked();  // a writer waiting for room
    }
    return static_cast<int64_t>(got);
}

int64_t Linux_server::pipe_write(Thread &thread, Pipe &pipe, const uint64_t *vectors, uint64_t count,
                                 bool nonblocking)
{
    if (pipe.readers == 0)
        return error(Errno::pipe);  // (the caller sends SIGPIPE)
    uint64_t want = vectors_length(vectors, count, Pipe::capacity + 1);
    if (want == 0)
        return 0;
    // A write of at most PIPE_BUF bytes goes in whole; a larger one takes what room
    // there is (a short write: docs/linux.md).
    uint64_t needed = want <= Pipe::capacity ? want : 1;
    if (pipe.room() < needed) {
        if (nonblocking)
            return error(Errno::again);
        thread.waiting = Thread::Wait::pipe;
        return blocked;
    }
    static uint8_t chunk[Pipe::capacity];
    uint64_t n = want < pipe.room() ? want : pipe.room();
    if (int64_t copied = copy_vectors(*thread.process, chunk, n, vectors, false); copied < 0)
        return copied;
    size_t put = pipe.put(chunk, n);
    wake_blocked();  // a reader waiting for bytes
    return static_cast<int64_t>(put);
}

// A free pipe with a buffer, one reader and one writer; ENFILE or ENOMEM if none.
int64_t Linux_server::new_pipe(Pipe *&pipe)
{
    pipe = nullptr;
    for (Pipe &candidate : pipes_)
        if (candidate.buffer() == nullptr) {
            pipe = &candidate;
            break;
        }
    if (pipe == nullptr)
        return error(Errno::nfile);
    auto *buffer = static_cast<uint8_t *>(frames_.allocate());
    if (buffer == nullptr)
        return error(Errno::nomem);
    pipe->reset(buffer);
    return 0;
}

// A reader or writer of pipe goes; the last frees it.
void Linux_server::leave_pipe(Pipe *pipe, bool reader)
{
    if (pipe == nullptr)
        return;
    (reader ? pipe->readers : pipe->writers) -= 1;
    if (pipe->readers == 0 && pipe->writers == 0) {
        frames_.release(pipe->buffer());
        pipe->reset(nullptr);
    }
}

int64_t Linux_server::sys_pipe(Process &process, uint64_t fds, uint64_t flags)
{
    constexpr uint64_t o_nonblock = 04000, o_cloexec = 02000000;
    if ((flags & ~(o_nonblock | o_cloexec)) != 0)
        return error(Errno::inval);
    Open_file *read_end = new_file(Open_file::Kind::pipe_read, static_cast<uint32_t>(flags & o_nonblock));
    Open_file *write_end = read_end == nullptr ? nullptr
                                               : new_file(Open_file::Kind::pipe_write,
                                                          1 | static_cast<uint32_t>(flags & o_nonblock));
    Pipe *pipe = nullptr;
    int64_t made = write_end == nullptr ? error(Errno::nfile) : new_pipe(pipe);
    if (made < 0) {
        if (read_end != nullptr)
            read_end->references = 0;
        if (write_end != nullptr)
            write_end->references = 0;
        return made;
    }
    read_end->pipe = write_end->pipe = pipe;
    int read_fd = install(process, read_end, 0, (flags & o_cloexec) != 0);
    int write_fd = read_fd < 0 ? read_fd : install(process, write_end, 0, (flags & o_cloexec) != 0);
    int32_t both[2] = {read_fd, write_fd};
    Process_memory::Error copied =
        write_fd < 0 ? Process_memory::Error::none : process.memory.copy_out(fds, both, sizeof both);
    if (write_fd < 0 || copied != Process_memory::Error::none) {
        if (read_fd >= 0)
            close_fd(process, static_cast<unsigned>(read_fd));
        else
            drop_file(read_end);
        if (write_fd >= 0)
            close_fd(process, static_cast<unsigned>(write_fd));
        else
            drop_file(write_end);
        return write_fd < 0 ? write_fd : memory_error(copied);
    }
    return 0;
}

int64_t Linux_server::sys_dup(Process &process, uint64_t fd, uint64_t lowest, bool exact, uint64_t flags)
{
    constexpr uint64_t o_cloexec = 02000000;
    fd &= 0xffffffff;  // unsigned ints, as file_of says
    lowest &= 0xffffffff;
    Open_file *file = file_of(process, fd);
    if (file == nullptr || (flags & ~o_cloexec) != 0)
        return file == nullptr ? error(Errno::badf) : error(Errno::inval);
    if (lowest >= Process::max_fds)
        return exact ? error(Errno::badf) : error(Errno::inval);
    if (exact)
        close_fd(process, static_cast<unsigned>(lowest));
    ++file->references;
    int installed = install(process, file, static_cast<unsigned>(lowest), (flags & o_cloexec) != 0);
    if (installed < 0)
        --file->references;
    return installed;
}

int64_t Linux_server::sys_fcntl(Process &process, uint64_t fd, uint64_t command, uint64_t argument)
{
    constexpr uint64_t f_dupfd = 0, f_getfd = 1, f_setfd = 2, f_getfl = 3, f_setfl = 4, f_dupfd_cloexec = 1030;
    fd &= 0xffffffff;
    command &= 0xffffffff;
    Open_file *file = file_of(process, fd);
    if (file == nullptr)
        return error(Errno::badf);
    switch (command) {
    case f_dupfd:
        return sys_dup(process, fd, argument, false, 0);
    case f_dupfd_cloexec:
        return sys_dup(process, fd, argument, false, 02000000);
    case f_getfd:
        return (process.close_on_exec >> fd) & 1;
    case f_setfd:
        if ((argument & 1) != 0)
            process.close_on_exec |= uint64_t{1} << fd;
        else
            process.close_on_exec &= ~(uint64_t{1} << fd);
        return 0;
    case f_getfl:
        return file->flags;
    case f_setfl: {
        constexpr uint32_t changeable = 02000 /* O_APPEND */ | 04000 /* O_NONBLOCK */;
        file->flags = (file->flags & ~changeable) | (static_cast<uint32_t>(argument) & changeable);
        return 0;
    }
    default:
        return error(Errno::inval);
    }
}

int64_t Linux_server::sys_close(Process &process, uint64_t fd)
{
    fd &= 0xffffffff;
    if (file_of(process, fd) == nullptr)
        return error(Errno::badf);
    close_fd(process, static_cast<unsigned>(fd));
    wake_blocked();  // the other end of a pipe sees end of file, or EPIPE
    return 0;
}

// The child is a copy: its memory shared copy-on-write, its descriptors the parent's. Its
// thread starts at the parent's syscall instruction (2 bytes before the parent's rip), so
// its first act is a system call, which the server answers with the parent's registers.
int64_t Linux_server::sys_fork(Thread &thread, const Linux_registers &registers)
{
    Process &parent = *thread.process;
    Process *child = new_process(parent.pid);
    if (child == nullptr)
        return error(Errno::again);
    if (child->memory.copy_of(parent.memory) != Process_memory::Error::none) {
        free_process(*child);
        return error(Errno::nomem);
    }
    memcpy(child->name, parent.name, sizeof child->name);
    memcpy(child->exe, parent.exe, sizeof child->exe);
    child->image = parent.image;
    child->image_size = parent.image_size;
    child->heap_start = parent.heap_start;
    child->arg_start = parent.arg_start;  // the same memory: the same strings
    child->arg_end = parent.arg_end;
    child->env_end = parent.env_end;
    child->heap_end = parent.heap_end;
    memcpy(child->actions, parent.actions, sizeof child->actions);
    child->group = parent.group;
    child->session = parent.session;
    // Its one thread is a copy of the caller (whichever thread of the parent that is).
    Thread &child_thread = *first_thread(*child);
    child_thread.blocked = thread.blocked;
    child_thread.alt_stack = thread.alt_stack;
    child_thread.alt_stack_size = thread.alt_stack_size;
    for (unsigned fd = 0; fd < Process::max_fds; ++fd)
        if ((child->fds[fd] = parent.fds[fd]) != nullptr)
            ++child->fds[fd]->references;
    child->close_on_exec = parent.close_on_exec;
    if (vfs_.hold(parent.cwd) == Errno::none) {
        vfs_.drop(child->cwd);
        child->cwd = parent.cwd;
    }
    child->umask = parent.umask;
    child_thread.saved = registers;
    child_thread.saved.set_result(0);
    child_thread.saved.set_all_on_reply();
    child_thread.starting = true;
    if (!start_process(*child, child_thread, registers.ip() - 2, registers.sp())) {
        terminate(*child, 9);
        return error(Errno::again);
    }
    return child->pid;
}

namespace {

// Copies a NUL-terminated string of at most capacity bytes (with its NUL) from the process.
int64_t string_in(Process &process, uint64_t address, char *out, size_t capacity)
{
    for (size_t i = 0; i < capacity; ++i) {
        Process_memory::Error copied = process.memory.copy_in(out + i, address + i, 1);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        if (out[i] == '\0')
            return static_cast<int64_t>(i);
    }
    return error(Errno::nametoolong);
}

// execve's strings, gathered from the process before its memory goes.
struct Exec_strings {
    static constexpr size_t bytes = 128 * 1024, max = 1024;
    char text[bytes];
    size_t used = 0;
    const char *argv[max];
    const char *envp[max];
    unsigned argc = 0, envc = 0;

    // Reads the NULL-ended array at vector into list; -E2BIG past the limits.
    int64_t read(Process &process, uint64_t vector, const char **list, unsigned &count)
    {
        count = 0;
        if (vector == 0)
            return 0;
        for (;;) {
            uint64_t pointer;
            Process_memory::Error copied = process.memory.copy_in(&pointer, vector + 8 * count, 8);
            if (copied != Process_memory::Error::none)
                return memory_error(copied);
            if (pointer == 0)
                return 0;
            if (count + 1 >= max || used >= bytes)
                return error(Errno::toobig);
            int64_t length = string_in(process, pointer, text + used, bytes - used);
            if (length < 0)
                return length == error(Errno::nametoolong) ? error(Errno::toobig) : length;
            list[count++] = text + used;
            used += static_cast<size_t>(length) + 1;
        }
    }
};

}  // namespace

const uint8_t *Linux_server::find_program(Process &process, const char *path, uint64_t &size, int64_t &failure)
{
    if (strcmp(path, "/proc/self/exe") == 0 && process.image != nullptr) {
        size = process.image_size;
        return process.image;
    }
    uint32_t ino;
    Errno found = vfs_.resolve(process.cwd, path, strlen(path), true, ino);
    Vfs::Stat stat;
    if (found == Errno::none)
        found = vfs_.stat(ino, stat);
    if (found != Errno::none) {
        failure = error(found);
        return nullptr;
    }
    if ((stat.mode & Vfs::type_mask) != Vfs::type_regular || (stat.mode & 0111) == 0) {
        failure = error(Errno::acces);
        return nullptr;
    }
    size_t bytes = 0;
    const uint8_t *image = vfs_.contiguous_data(ino, bytes);
    if (image == nullptr) {
        // Written since boot: its pages are not one piece the loader can read (docs/linux.md).
        failure = error(Errno::noexec);
        return nullptr;
    }
    size = bytes;
    return image;
}

int64_t Linux_server::sys_execve(Thread &thread, uint64_t path_address, uint64_t argv, uint64_t envp)
{
    Process &process = *thread.process;
    static char path[4096];
    int64_t length = string_in(process, path_address, path, sizeof path);
    if (length < 0)
        return length;
    if (length == 0)
        return error(Errno::noent);
    static Exec_strings strings;
    strings.used = 0;
    int64_t read = strings.read(process, argv, strings.argv, strings.argc);
    if (read == 0)
        read = strings.read(process, envp, strings.envp, strings.envc);
    if (read < 0)
        return read;
    int64_t failure = 0;
    uint64_t size = 0;
    const uint8_t *image = find_program(process, path, size, failure);
    if (image == nullptr)
        return failure;
    // "#!interpreter [argument]": the interpreter runs with the script's path in argv[0]'s
    // place after them (Linux's binfmt_script), up to 4 levels deep.
    static char lines[4][256], scripts[4][256];
    for (unsigned depth = 0; size >= 2 && image[0] == '#' && image[1] == '!'; ++depth) {
        if (depth == 4)
            return error(Errno::loop);
        char *line = lines[depth];
        size_t n = 0;
        while (n + 2 < size && n < sizeof lines[depth] - 1 && image[n + 2] != '\n') {
            line[n] = static_cast<char>(image[n + 2]);
            ++n;
        }
        line[n] = '\0';
        char *at = line;
        while (*at == ' ' || *at == '\t')
            ++at;
        char *interpreter = at;
        while (*at != '\0' && *at != ' ' && *at != '\t')
            ++at;
        char *argument = nullptr;
        if (*at != '\0') {
            *at++ = '\0';
            while (*at == ' ' || *at == '\t')
                ++at;
            if (*at != '\0') {
                argument = at;
                for (char *end = at + strlen(at); end > at && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r');)
                    *--end = '\0';
            }
        }
        if (*interpreter == '\0')
            return error(Errno::noexec);
        unsigned extra = argument != nullptr ? 2 : 1;
        if (strings.argc + extra >= Exec_strings::max)
            return error(Errno::toobig);
        // argv becomes interpreter [argument] path argv[1..].
        unsigned keep = strings.argc > 0 ? strings.argc - 1 : 0;
        for (unsigned i = keep; i-- > 0;)
            strings.argv[i + extra + 1] = strings.argv[i + 1];
        strings.argv[0] = interpreter;
        if (argument != nullptr)
            strings.argv[1] = argument;
        strncpy(scripts[depth], path, sizeof scripts[depth] - 1);
        scripts[depth][sizeof scripts[depth] - 1] = '\0';
        strings.argv[extra] = scripts[depth];
        strings.argc = keep + extra + 1;
        image = find_program(process, interpreter, size, failure);
        if (image == nullptr)
            return failure;
        strncpy(path, interpreter, sizeof path - 1);
    }
    Linux_elf elf;
    if (elf.parse(image, size, Process_memory::user_limit) != Linux_elf::Error::none)
        return error(Errno::noexec);
    if (strings.argc == 0) {  // Linux gives such a program an empty argv[0]
        strings.argv[0] = "";
        strings.argc = 1;
    }
    // Its path for /proc/self/exe (execve of /proc/self/exe keeps it), found while the
    // old directory and files are still the process's.
    static char exe[sizeof process.exe];
    bool exe_known = strcmp(path, "/proc/self/exe") == 0 ? (strcpy(exe, process.exe), true)
                                                          : program_path(process, path, exe, sizeof exe);
    // The point of no return: the old program goes, and every other thread with it (Linux's
    // de_thread); the caller goes on as the process's one thread, its id the pid.
    end_other_threads(process, &thread);
    drop_space(process);
    thread.tid = process.pid;
    thread.alt_stack = thread.alt_stack_size = 0;
    thread.clear_child_tid = 0;
    thread.pending = 0;
    thread.interrupting = thread.in_fpu_trampoline = thread.suspended = thread.parked = false;
    strcpy(process.exe, exe_known ? exe : "");
    for (unsigned fd = 0; fd < Process::max_fds; ++fd)
        if ((process.close_on_exec >> fd & 1) != 0)
            close_fd(process, fd);
    for (Process::Signal_action &action : process.actions)
        if (action.handler != 1)  // a caught signal goes back to its default; an ignored one stays ignored
            action = Process::Signal_action{};
    memset(process.name, 0, sizeof process.name);
    strncpy(process.name, strings.argv[0][0] != '\0' ? strings.argv[0] : path, sizeof process.name - 1);
    if (trace_)
        printf("linux: [%d] execve %s (%lu arguments, %lu environment strings)\n", process.pid, path,
               static_cast<unsigned long>(strings.argc), static_cast<unsigned long>(strings.envc));
    if (!load_program(thread, image, size, strings.argv, strings.argc, strings.envp, strings.envc))
        terminate(process, 9);  // too late to fail: Linux sends SIGKILL here too
    return 0;  // (no reply: the thread that called is gone, a new one runs the program)
}

int64_t Linux_server::sys_wait4(Thread &thread, int64_t pid, uint64_t status, uint64_t options, uint64_t usage)
{
    Process &process = *thread.process;
    constexpr uint64_t wnohang = 1, wuntraced = 2, wcontinued = 8, wall = 0x40000000, wclone = 0x80000000;
    if ((options & ~(wnohang | wuntraced | wcontinued | wall | wclone)) != 0)
        return error(Errno::inval);
    bool any_child = false;
    for (Process *child : processes_) {
        if (child == nullptr || child->state == Process::State::free || child->parent != process.pid)
            continue;
        if ((pid > 0 && child->pid != pid) || (pid == 0 && child->group != process.group) ||
            (pid < -1 && child->group != -pid))
            continue;
        any_child = true;
        // A stop or a continuation the caller asked to hear of is reported once, the child
        // left as it is: status 0x7f with the signal above it, or 0xffff.
        bool report_stop = (options & wuntraced) != 0 && child->unwaited_change == Process::Change::stopped;
        bool report_continue = (options & wcontinued) != 0 && child->unwaited_change == Process::Change::continued;
        if (child->state == Process::State::running && (report_stop || report_continue)) {
            int32_t word = report_stop ? (child->stop_signal << 8) | 0x7f : 0xffff;
            if (status != 0) {
                Process_memory::Error copied = process.memory.copy_out(status, &word, sizeof word);
                if (copied != Process_memory::Error::none)
                    return memory_error(copied);
            }
            child->unwaited_change = Process::Change::none;
            return child->pid;
        }
        if (child->state != Process::State::zombie)
            continue;
        int32_t word = child->exit_status;
        if (status != 0) {
            Process_memory::Error copied = process.memory.copy_out(status, &word, sizeof word);
            if (copied != Process_memory::Error::none)
                return memory_error(copied);
        }
        uint64_t child_time = time_used_us(*child) + child->children_time_us;
        if (usage != 0) {
            // struct rusage: ru_utime, the child's processor time and its waited children's
            // (its threads' ticks, docs/linux.md); the system time and the rest are not kept.
            uint64_t rusage[18] = {child_time / 1000000, child_time % 1000000};
            Process_memory::Error copied = process.memory.copy_out(usage, rusage, sizeof rusage);
            if (copied != Process_memory::Error::none)
                return memory_error(copied);
        }
        process.children_time_us += child_time;
        int reaped = child->pid;
        free_process(*child);
        return reaped;
    }
    if (!any_child)
        return error(Errno::child);
    if ((options & wnohang) != 0)
        return 0;
    thread.waiting = Thread::Wait::child;
    return blocked;
}

// The heap is one area from heap_start (page aligned) to heap_end rounded up.
int64_t Linux_server::sys_brk(Process &process, uint64_t address)
{
    if (address < process.heap_start || address > mmap_top)
        return static_cast<int64_t>(process.heap_end);
    uint64_t old_top = page_up(process.heap_end), new_top = page_up(address);
    if (new_top - process.heap_start > frames_.quota())
        return static_cast<int64_t>(process.heap_end);  // more than all processes may have
    Process_memory::Error changed = Process_memory::Error::none;
    if (old_top == process.heap_start && new_top > old_top)
        changed = process.memory.add(process.heap_start, new_top, prot_read | prot_write);
    else if (old_top != new_top)
        changed = process.memory.resize(process.heap_start, new_top);
    if (changed != Process_memory::Error::none)
        return static_cast<int64_t>(process.heap_end);  // Linux's way to say no
    process.heap_end = address;
    return static_cast<int64_t>(address);
}

int64_t Linux_server::sys_mmap(Process &process, const Linux_registers &registers)
{
    uint64_t address = registers.arg(0), length = registers.arg(1), prot = registers.arg(2),
             flags = registers.arg(3), offset = registers.arg(5);
    if (length == 0 || page_up(length) < length || (address & 4095) != 0 || (offset & 4095) != 0 ||
        (prot & ~(prot_read | prot_write | prot_exec)) != 0)
        return error(Errno::inval);
    Open_file *file = nullptr;
    if ((flags & map_anonymous) == 0) {
        // A file: a private copy of its bytes (MAP_SHARED too when it cannot write: the same
        // bytes, but the file's later changes are not seen). Writing through to the file is
        // not done yet.
        file = file_of(process, registers.arg(4));
        if (file == nullptr)
            return error(Errno::badf);
        Vfs::Stat stat;
        if (file->kind != Open_file::Kind::inode || vfs_.stat(file->inode, stat) != Errno::none ||
            (stat.mode & Vfs::type_mask) != Vfs::type_regular)
            return error(Errno::nodev);
        if ((file->flags & 3) == 1 /* O_WRONLY */)
            return error(Errno::acces);
        if ((flags & (map_shared | map_private)) == map_shared && (prot & prot_write) != 0)
            return error(Errno::nodev);
        if ((flags & (map_shared | map_private)) == 0 || (flags & (map_shared | map_private)) == (map_shared | map_private))
            return error(Errno::inval);
    } else if ((flags & (map_shared | map_private)) != map_private) {
        return error(Errno::inval);  // shared anonymous memory comes with fork
    }
    length = page_up(length);
    // Linux's heuristic overcommit refuses a mapping larger than all memory; here, than what
    // all processes together may have (the frame pool's quota).
    if (length > frames_.quota())
        return error(Errno::nomem);
    if ((flags & (map_fixed | map_fixed_noreplace)) != 0) {
        if (address + length < address || address + length > mmap_top + (uint64_t{1} << 30))
            return error(Errno::nomem);
        if ((flags & map_fixed) != 0)
            (void)process.memory.remove(address, address + length);
    } else {
        address = process.memory.free_range(length, mmap_top);
        if (address == 0)
            return error(Errno::nomem);
    }
    if (file != nullptr)
        return map_file(process, *file, address, length, static_cast<uint32_t>(prot), offset);
    Process_memory::Error added = process.memory.add(address, address + length, static_cast<uint32_t>(prot));
    if (added == Process_memory::Error::overlap)
        return error(Errno::exist);
    return added == Process_memory::Error::none ? static_cast<int64_t>(address) : error(Errno::nomem);
}

// A file's bytes from offset on at [address, address + length), zeros past its end. A file
// still in the boot archive fills the pages as they are touched, from the archive; any other
// is copied in now.
int64_t Linux_server::map_file(Process &process, Open_file &file, uint64_t address, uint64_t length, uint32_t prot,
                               uint64_t offset)
{
    size_t archived_size = 0;
    const uint8_t *archived = vfs_.contiguous_data(file.inode, archived_size);
    Process_memory::Error added;
    if (archived != nullptr) {
        uint64_t bytes = offset < archived_size ? archived_size - offset : 0;
        added = process.memory.add(address, address + length, prot, bytes != 0 ? archived + offset : nullptr, address,
                                   bytes < length ? bytes : length);
        if (added == Process_memory::Error::overlap)
            return error(Errno::exist);
        return added == Process_memory::Error::none ? static_cast<int64_t>(address) : error(Errno::nomem);
    }
    added = process.memory.add(address, address + length, prot | prot_write);
    if (added != Process_memory::Error::none)
        return added == Process_memory::Error::overlap ? error(Errno::exist) : error(Errno::nomem);
    static uint8_t chunk[4096];
    for (uint64_t done = 0; done < length;) {
        size_t got = 0;
        if (vfs_.read(file.inode, offset + done, chunk, sizeof chunk, got) != Errno::none || got == 0)
            break;
        if (process.memory.copy_out(address + done, chunk, got) != Process_memory::Error::none) {
            (void)process.memory.remove(address, address + length);
            return error(Errno::nomem);
        }
        done += got;
    }
    if ((prot & prot_write) == 0)
        (void)process.memory.protect(address, address + length, prot);
    return static_cast<int64_t>(address);
}

int64_t Linux_server::sys_munmap(Process &process, uint64_t address, uint64_t length)
{
    if ((address & 4095) != 0 || length == 0 || address + page_up(length) < address)
        return error(Errno::inval);
    Process_memory::Error removed = process.memory.remove(address, address + page_up(length));
    return removed == Process_memory::Error::none ? 0 : error(Errno::inval);
}

int64_t Linux_server::sys_mprotect(Process &process, uint64_t address, uint64_t length, uint64_t prot)
{
    if ((address & 4095) != 0 || (prot & ~(prot_read | prot_write | prot_exec)) != 0)
        return error(Errno::inval);
    if (length == 0)
        return 0;
    uint64_t end = address + page_up(length);
    Process_memory::Error changed = process.memory.protect(address, end, static_cast<uint32_t>(prot));
    if (changed == Process_memory::Error::no_area)
        return error(Errno::nomem);
    if (changed != Process_memory::Error::none)
        return error(Errno::inval);
    // The pages mapped so far fault in again, with the new rights.
    process.memory.revoke(address, end);
    return 0;
}

int64_t Linux_server::sys_arch_prctl(Process &process, Linux_registers &registers)
{
    uint64_t code = registers.arg(0), address = registers.arg(1);
    switch (code) {
    case arch_set_fs:
        if (address >= Process_memory::user_limit)
            return error(Errno::perm);
        registers.set_fs_base(address);
        return 0;
    case arch_get_fs: {
        uint64_t base = registers.fs_base();
        Process_memory::Error copied = process.memory.copy_out(address, &base, sizeof base);
        return copied == Process_memory::Error::none ? 0 : memory_error(copied);
    }
    default:
        return error(Errno::inval);
    }
}

// Whether a read of count bytes from the terminal goes on now; if not, the deadline of its
// wait is set as n_tty's raw mode has it (VTIME in tenths of a second):
//   VMIN 0, VTIME 0: at once, with what is there (maybe nothing);
//   VMIN 0, VTIME t: when a byte is there, or t after the read began (then with nothing);
//   VMIN m, VTIME 0: when min(m, count) bytes are there;
//   VMIN m, VTIME t: when min(m, count) are there, or t after the last byte came, once one did.
// Canonical mode: when a line (or an end of file) is there.
bool Linux_server::console_read_ready(Thread &thread, uint64_t count)
{
    const linux_abi::Termios &settings = console_input_.settings();
    if ((settings.lflag & linux_abi::icanon) != 0)
        return console_input_.readable();
    uint64_t now = L4_SystemClock().raw, have = console_input_.available();
    uint64_t minimum = settings.cc[linux_abi::vmin], wait_us = uint64_t{settings.cc[linux_abi::vtime]} * 100000;
    if (minimum == 0) {
        if (have > 0 || wait_us == 0 || (thread.wake_us != 0 && now >= thread.wake_us))
            return true;
        wake_at(thread, thread.wake_us != 0 ? thread.wake_us : now + wait_us);
        return false;
    }
    if (have >= (minimum < count ? minimum : count))
        return true;
    if (wait_us != 0 && have > 0) {
        // The timer runs from the later of the read's start and the last byte's coming (each
        // byte that comes restarts it).
        uint64_t base = thread.wake_us != 0 ? thread.wake_us - wait_us : now;
        if (console_input_at_us_ > base)
            base = console_input_at_us_;
        if (now >= base + wait_us)
            return true;
        wake_at(thread, base + wait_us);
    }
    return false;
}

// One processor: every process runs on CPU 0, the only one a mask may name.
int64_t Linux_server::sys_affinity(Process &process, int64_t pid, uint64_t size, uint64_t mask, bool set)
{
    if (pid < 0)
        return error(Errno::srch);
    if (pid != 0) {
        bool found = false;
        for (const Process *other : processes_)
            found = found || (other != nullptr && other->state == Process::State::running && other->pid == pid);
        if (!found)
            return error(Errno::srch);
    }
    uint64_t word = 0;
    if (set) {
        if (size == 0)
            return error(Errno::inval);
        Process_memory::Error copied = process.memory.copy_in(&word, mask, size < 8 ? size : 8);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        return (word & 1) != 0 ? 0 : error(Errno::inval);  // a mask without CPU 0 has no CPU left
    }
    if (size < 8 || (size & 7) != 0)
        return error(Errno::inval);  // Linux: at least its mask's size, in whole words
    word = 1;
    Process_memory::Error copied = process.memory.copy_out(mask, &word, 8);
    return copied == Process_memory::Error::none ? 8 : memory_error(copied);
}

int64_t Linux_server::sys_uname(Process &process, uint64_t buffer)
{
    char names[6][65] = {};
    strcpy(names[0], "Linux");
    strcpy(names[1], "tern");
    strcpy(names[2], "6.1.0-tern");
    strcpy(names[3], "#1 Tern Linux personality");
    strcpy(names[4], "x86_64");
    strcpy(names[5], "(none)");
    Process_memory::Error copied = process.memory.copy_out(buffer, names, sizeof names);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

int64_t Linux_server::sys_prlimit(Process &process, uint64_t resource, uint64_t new_limit, uint64_t old_limit)
{
    constexpr uint64_t infinity = ~uint64_t{0};
    constexpr unsigned resources = 16;
    if (resource >= resources)
        return error(Errno::inval);
    if (new_limit != 0)
        return error(Errno::perm);  // the limits are the personality's (docs/linux.md)
    if (old_limit == 0)
        return 0;
    uint64_t limit[2] = {infinity, infinity};
    if (resource == 3)  // RLIMIT_STACK
        limit[0] = limit[1] = uint64_t{8} << 20;
    else if (resource == 7)  // RLIMIT_NOFILE
        limit[0] = limit[1] = 64;
    else if (resource == 6)  // RLIMIT_NPROC
        limit[0] = limit[1] = max_processes;
    Process_memory::Error copied = process.memory.copy_out(old_limit, limit, sizeof limit);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

int64_t Linux_server::sys_clock_gettime(Process &process, uint64_t clock, uint64_t buffer)
{
    uint64_t us = L4_SystemClock().raw;
    uint64_t seconds = us / 1000000, nanoseconds = (us % 1000000) * 1000;  // (+ the epoch below)
    switch (clock) {
    case 0:  // CLOCK_REALTIME
    case 5:  // CLOCK_REALTIME_COARSE
        seconds += epoch_seconds_;
        break;
    case 1:  // CLOCK_MONOTONIC
    case 4:  // CLOCK_MONOTONIC_RAW
    case 6:  // CLOCK_MONOTONIC_COARSE
    case 7:  // CLOCK_BOOTTIME
    case 2:  // CLOCK_PROCESS_CPUTIME_ID (the time since boot: an upper bound)
    case 3:  // CLOCK_THREAD_CPUTIME_ID
        break;
    default:
        return error(Errno::inval);
    }
    uint64_t time[2] = {seconds, nanoseconds};
    Process_memory::Error copied = process.memory.copy_out(buffer, time, sizeof time);
    return copied == Process_memory::Error::none ? 0 : memory_error(copied);
}

// The wall clock: boot-time seconds plus the epoch the server was given (epoch=, which
// ./tern linux passes; 0, 1970, without it).
uint64_t Linux_server::wall_clock_us() const { return L4_SystemClock().raw + epoch_seconds_ * 1000000; }

int64_t Linux_server::sys_gettimeofday(Process &process, uint64_t buffer, uint64_t zone)
{
    uint64_t us = wall_clock_us();
    if (buffer != 0) {
        uint64_t value[2] = {us / 1000000, us % 1000000};
        Process_memory::Error copied = process.memory.copy_out(buffer, value, sizeof value);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
    }
    if (zone != 0) {
        uint32_t utc[2] = {0, 0};  // minutes west, DST type: UTC
        Process_memory::Error copied = process.memory.copy_out(zone, utc, sizeof utc);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
    }
    return 0;
}

int64_t Linux_server::sys_time(Process &process, uint64_t location)
{
    uint64_t seconds = wall_clock_us() / 1000000;
    if (location != 0) {
        Process_memory::Error copied = process.memory.copy_out(location, &seconds, sizeof seconds);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
    }
    return static_cast<int64_t>(seconds);
}

// The options busybox and libc use: the process name (PR_SET_NAME, PR_GET_NAME), and the
// ones whose state a one-thread process without ptrace has fixed (parent-death signal,
// dumpable). Any other option is EINVAL, as Linux answers an unknown one.
int64_t Linux_server::sys_prctl(Process &process, uint64_t option, uint64_t argument)
{
    constexpr uint64_t set_pdeathsig = 1, get_pdeathsig = 2, get_dumpable = 3, set_dumpable = 4, set_name = 15,
                       get_name = 16;
    switch (option) {
    case set_name: {
        char name[16];
        Process_memory::Error copied = process.memory.copy_in(name, argument, sizeof name);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        name[sizeof name - 1] = '\0';
        strncpy(process.name, name, sizeof process.name - 1);
        return 0;
    }
    case get_name: {
        char name[16] = {};
        strncpy(name, process.name, sizeof name - 1);
        Process_memory::Error copied = process.memory.copy_out(argument, name, sizeof name);
        return copied == Process_memory::Error::none ? 0 : memory_error(copied);
    }
    case set_pdeathsig:
        return argument <= 64 ? 0 : error(Errno::inval);
    case get_pdeathsig: {
        uint32_t none = 0;
        Process_memory::Error copied = process.memory.copy_out(argument, &none, sizeof none);
        return copied == Process_memory::Error::none ? 0 : memory_error(copied);
    }
    case get_dumpable:
        return 1;
    case set_dumpable:
        return argument <= 1 ? 0 : error(Errno::inval);
    default:
        return error(Errno::inval);
    }
}

int64_t Linux_server::sys_getrandom(Process &process, uint64_t buffer, uint64_t count)
{
    if (count > (uint64_t{1} << 25))
        count = uint64_t{1} << 25;  // Linux returns at most 32 MiB a call
    uint64_t done = 0;
    while (done < count) {
        uint64_t word = random_word(), n = count - done < 8 ? count - done : 8;
        Process_memory::Error copied = process.memory.copy_out(buffer + done, &word, n);
        if (copied != Process_memory::Error::none)
            return done > 0 ? static_cast<int64_t>(done) : memory_error(copied);
        done += n;
    }
    return static_cast<int64_t>(done);
}

int64_t Linux_server::sys_rt_sigaction(Process &process, uint64_t signal, uint64_t action, uint64_t old_action,
                                       uint64_t size)
{
    if (signal == 0 || signal > Process::signals || size != 8 || signal == 9 || signal == 19)
        return (signal == 9 || signal == 19) && action == 0 && signal != 0 ? 0 : error(Errno::inval);
    Process::Signal_action &slot = process.actions[signal - 1];
    if (old_action != 0) {
        Process_memory::Error copied = process.memory.copy_out(old_action, &slot, sizeof slot);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
    }
    if (action != 0) {
        Process::Signal_action wanted;
        Process_memory::Error copied = process.memory.copy_in(&wanted, action, sizeof wanted);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        slot = wanted;
    }
    return 0;
}

int64_t Linux_server::sys_rt_sigprocmask(Thread &thread, uint64_t how, uint64_t set, uint64_t old_set,
                                         uint64_t size)
{
    Process &process = *thread.process;
    if (size != 8 || how > 2)
        return error(Errno::inval);
    uint64_t previous = thread.blocked;
    if (set != 0) {
        uint64_t mask;
        Process_memory::Error copied = process.memory.copy_in(&mask, set, sizeof mask);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        mask &= ~((uint64_t{1} << 8) | (uint64_t{1} << 18));  // SIGKILL and SIGSTOP cannot be blocked
        thread.blocked = how == 0 ? previous | mask : how == 1 ? previous & ~mask : mask;
    }
    if (old_set != 0) {
        Process_memory::Error copied = process.memory.copy_out(old_set, &previous, sizeof previous);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
    }
    return 0;
}

void Linux_server::arm_alarm(Process &process, uint64_t at_us, uint64_t interval_us)
{
    process.alarm_us = at_us;
    process.alarm_interval_us = at_us == 0 ? 0 : interval_us;
    if (at_us != 0 && (next_wake_us_ == 0 || at_us < next_wake_us_))
        next_wake_us_ = at_us;
}

int64_t Linux_server::sys_alarm(Process &process, uint64_t seconds)
{
    uint64_t now = L4_SystemClock().raw;
    // The seconds that were left, rounded to the nearest (at least 1 while one is set), as Linux.
    uint64_t left_us = process.alarm_us > now ? process.alarm_us - now : 0;
    int64_t left = process.alarm_us == 0 ? 0 : static_cast<int64_t>((left_us + 500000) / 1000000);
    if (process.alarm_us != 0 && left == 0)
        left = 1;
    uint32_t asked = static_cast<uint32_t>(seconds);  // Linux takes an unsigned int
    arm_alarm(process, asked == 0 ? 0 : now + uint64_t{asked} * 1000000, 0);
    return left;
}

int64_t Linux_server::sys_itimer(Process &process, uint64_t which, uint64_t new_value, uint64_t old_value, bool set)
{
    struct Timeval {
        int64_t seconds, microseconds;
    };
    struct Itimerval {
        Timeval interval, value;
    };
    if (which != 0 /* ITIMER_REAL */)
        return error(Errno::inval);  // ITIMER_VIRTUAL and ITIMER_PROF: docs/linux.md
    Itimerval wanted{};
    if (set && new_value != 0) {
        if (Process_memory::Error e = process.memory.copy_in(&wanted, new_value, sizeof wanted);
            e != Process_memory::Error::none)
            return memory_error(e);
        const Timeval asked[] = {wanted.interval, wanted.value};
        for (const Timeval &t : asked)
            if (t.seconds < 0 || t.microseconds < 0 || t.microseconds >= 1000000 || t.seconds > 100000000)
                return error(Errno::inval);
    }
    uint64_t now = L4_SystemClock().raw;
    Itimerval old{};
    if (process.alarm_us != 0) {
        uint64_t left = process.alarm_us > now ? process.alarm_us - now : 1;
        old.value = {static_cast<int64_t>(left / 1000000), static_cast<int64_t>(left % 1000000)};
        old.interval = {static_cast<int64_t>(process.alarm_interval_us / 1000000),
                        static_cast<int64_t>(process.alarm_interval_us % 1000000)};
    }
    if (old_value != 0)
        if (Process_memory::Error e = process.memory.copy_out(old_value, &old, sizeof old);
            e != Process_memory::Error::none)
            return memory_error(e);
    if (set) {
        auto us = [](const Timeval &t) { return static_cast<uint64_t>(t.seconds) * 1000000 + static_cast<uint64_t>(t.microseconds); };
        uint64_t value = us(wanted.value);
        arm_alarm(process, value == 0 ? 0 : now + value, us(wanted.interval));
    }
    return 0;
}
