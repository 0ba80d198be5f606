// SPDX-License-Identifier: MIT
// The Linux system calls the personality answers (docs/linux.md has the table).
#include <l4/kip.h>
#include <stdio.h>
#include <string.h>

#include "linux_abi.hpp"
#include "linux_server.hpp"
#include "process_layout.hpp"
#include "task.hpp"

using namespace linux_abi;
using namespace process_layout;

namespace {

int64_t memory_error(Process_memory::Error e)
{
    return e == Process_memory::Error::no_memory ? error(Errno::nomem) : error(Errno::fault);
}

}  // namespace

int64_t Linux_server::system_call(Process &process, Linux_registers &registers, bool &reply_now)
{
    reply_now = true;
    auto arg = [&registers](unsigned i) { return registers.arg(i); };
    switch (static_cast<Syscall>(registers.number())) {
    case Syscall::write:
        return sys_write(process, arg(0), arg(1), arg(2));
    case Syscall::writev:
        return sys_writev(process, arg(0), arg(1), arg(2));
    case Syscall::read:
        // Standard input is empty for now: end of file at once (docs/linux.md).
        return arg(0) == 0 ? 0 : error(Errno::badf);
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
        process.clear_child_tid = arg(0);
        return process.pid;
    case Syscall::set_robust_list:
        return arg(1) == 24 ? 0 : error(Errno::inval);  // kept by nobody: one thread per process
    case Syscall::rseq:
        return error(Errno::nosys);  // Linux may lack it too; glibc goes on without
    case Syscall::uname:
        return sys_uname(process, arg(0));
    case Syscall::prlimit64:
        return sys_prlimit(process, arg(1), arg(2), arg(3));
    case Syscall::getrlimit:
        return sys_prlimit(process, arg(0), 0, arg(1));
    case Syscall::getpid:
    case Syscall::gettid:
        return process.pid;
    case Syscall::getppid:
        return process.parent;
    case Syscall::getuid:
    case Syscall::geteuid:
    case Syscall::getgid:
    case Syscall::getegid:
        return 0;
    case Syscall::clock_gettime:
        return sys_clock_gettime(process, arg(0), arg(1));
    case Syscall::getrandom:
        return sys_getrandom(process, arg(0), arg(1));
    case Syscall::rt_sigaction:
        return sys_rt_sigaction(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::rt_sigprocmask:
        return sys_rt_sigprocmask(process, arg(0), arg(1), arg(2), arg(3));
    case Syscall::sched_yield:
        return 0;
    case Syscall::ioctl:
        return error(Errno::notty);  // no terminal yet (docs/linux.md)
    case Syscall::exit:
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

int64_t Linux_server::sys_write(Process &process, uint64_t fd, uint64_t buffer, uint64_t count)
{
    if (fd != 1 && fd != 2)
        return error(Errno::badf);
    char chunk[480];
    uint64_t done = 0;
    while (done < count) {
        uint64_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
        Process_memory::Error copied = process.memory.copy_in(chunk, buffer + done, n);
        if (copied != Process_memory::Error::none)
            return done > 0 ? static_cast<int64_t>(done) : memory_error(copied);
        task::write(chunk, n);
        done += n;
    }
    return static_cast<int64_t>(done);
}

int64_t Linux_server::sys_writev(Process &process, uint64_t fd, uint64_t vectors, uint64_t count)
{
    if (count > 1024)
        return error(Errno::inval);
    int64_t total = 0;
    for (uint64_t i = 0; i < count; ++i) {
        uint64_t vector[2];
        Process_memory::Error copied = process.memory.copy_in(vector, vectors + 16 * i, sizeof vector);
        if (copied != Process_memory::Error::none)
            return total > 0 ? total : memory_error(copied);
        if (vector[1] == 0)
            continue;
        int64_t written = sys_write(process, fd, vector[0], vector[1]);
        if (written < 0)
            return total > 0 ? total : written;
        total += written;
    }
    return total;
}

// The heap is one area from heap_start (page aligned) to heap_end rounded up.
int64_t Linux_server::sys_brk(Process &process, uint64_t address)
{
    if (address < process.heap_start || address > mmap_top)
        return static_cast<int64_t>(process.heap_end);
    uint64_t old_top = page_up(process.heap_end), new_top = page_up(address);
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
    if ((flags & map_anonymous) == 0)
        return error(Errno::nodev);  // file mappings come with the file system (docs/linux.md)
    if ((flags & (map_shared | map_private)) != map_private)
        return error(Errno::inval);  // shared anonymous memory comes with fork
    length = page_up(length);
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
    Process_memory::Error added = process.memory.add(address, address + length, static_cast<uint32_t>(prot));
    if (added == Process_memory::Error::overlap)
        return error(Errno::exist);
    return added == Process_memory::Error::none ? static_cast<int64_t>(address) : error(Errno::nomem);
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
        process.fs_base = address;
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
    uint64_t seconds = us / 1000000, nanoseconds = (us % 1000000) * 1000;
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

int64_t Linux_server::sys_rt_sigprocmask(Process &process, uint64_t how, uint64_t set, uint64_t old_set,
                                         uint64_t size)
{
    if (size != 8 || how > 2)
        return error(Errno::inval);
    uint64_t previous = process.blocked;
    if (set != 0) {
        uint64_t mask;
        Process_memory::Error copied = process.memory.copy_in(&mask, set, sizeof mask);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        mask &= ~((uint64_t{1} << 8) | (uint64_t{1} << 18));  // SIGKILL and SIGSTOP cannot be blocked
        process.blocked = how == 0 ? previous | mask : how == 1 ? previous & ~mask : mask;
    }
    if (old_set != 0) {
        Process_memory::Error copied = process.memory.copy_out(old_set, &previous, sizeof previous);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
    }
    return 0;
}
