// SPDX-License-Identifier: MIT
// A Linux process (a thread group): an L4 space that root made for the personality
// (TERN_SYSTEM_SPACE_NEW), with syscall reflection on, whose threads' pager and exception
// handler is the personality server. Its threads' page faults and `syscall`s arrive at the
// server as IPC. What its threads share is here; each thread's own state is a Thread's.
#ifndef LINUX_PROCESS_HPP
#define LINUX_PROCESS_HPP

#include <l4/types.h>
#include <stdint.h>

#include "open_file.hpp"
#include "process_memory.hpp"

class Process {
public:
    enum class State { free, running, zombie };

    explicit Process(Frame_pool &frames) : memory(frames) {}
    Process(const Process &) = delete;
    Process &operator=(const Process &) = delete;

    State state = State::free;
    // SIGKILL and SIGSTOP: no mask holds them back.
    static constexpr uint64_t unblockable_signals = (uint64_t{1} << (9 - 1)) | (uint64_t{1} << (19 - 1));
    int pid = 0;
    int parent = 0;              // pid of the parent, 0 for the first process
    int group = 0, session = 0;  // process group and session ids
    // Its first L4 thread, which names its space (root deletes the space by it); it stays
    // while the space does, even after the Linux thread it ran has exited.
    L4_ThreadId_t space = L4_nilthread;
    unsigned threads = 0;        // its Linux threads that have not exited
    int exit_status = 0;         // wait4's status word once a zombie
    Process_memory memory;
    uint64_t heap_start = 0;     // brk: the heap is [heap_start, heap_end)
    uint64_t heap_end = 0;
    char name[32] = {};          // the program's name, for messages
    char exe[1024] = {};         // the program file's absolute path (/proc/self/exe), "" if unknown
    const uint8_t *image = nullptr;  // the program's ELF file (what /proc/self/exe names)
    uint64_t image_size = 0;
    uint64_t start_us = 0;       // when fork made it, on the system clock (/proc: start time)
    // Its argument and environment strings on its stack, [arg_start, arg_end) and
    // [arg_end, env_end), as execve left them (/proc/PID/cmdline and environ read them there).
    uint64_t arg_start = 0, arg_end = 0, env_end = 0;
    uint64_t faults = 0;         // page faults served (/proc/PID/stat: minflt)
    uint64_t past_time_us = 0;   // processor time of its threads that are gone (exit, execve)
    uint64_t children_time_us = 0;  // of its children it waited for, and theirs (cutime)
    // Signals: what rt_sigaction set (Linux's kernel sigaction: handler, flags, restorer,
    // mask) and the signals sent to the process, not to one of its threads (each thread
    // has its own mask and thread-directed set; linux_server-signals.cpp).
    struct Signal_action {
        uint64_t handler, flags, restorer, mask;
    };
    static constexpr unsigned signals = 64;
    Signal_action actions[signals] = {};
    uint64_t pending = 0;        // bit n - 1: signal n waits for delivery to a thread
    // ITIMER_REAL (alarm, setitimer): SIGALRM at alarm_us on the system clock (0: none), then
    // every alarm_interval_us if that is not 0. Kept by execve, not given to a fork's child.
    uint64_t alarm_us = 0, alarm_interval_us = 0;
    // What a pending signal's siginfo says: si_code, the sender's pid, a child's status, or
    // a fault's address (si_addr, in place of the pid and uid).
    struct Signal_info {
        int code, pid, status;
        uint64_t address;
    };
    Signal_info info[signals] = {};

    uint32_t cwd = 0;            // the current directory's inode (held in the Vfs)
    uint32_t umask = 022;

    static constexpr unsigned max_fds = 64;
    Open_file *fds[max_fds] = {};
    uint64_t close_on_exec = 0;  // bit n: fd n closes at execve

    // Job control: a stopped process's threads get no answer until SIGCONT (each parks,
    // Thread::parked); what its parent's wait4 with WUNTRACED or WCONTINUED has not seen yet.
    bool stopped = false;
    int stop_signal = 0;
    enum class Change : uint8_t { none, stopped, continued };
    Change unwaited_change = Change::none;
};

#endif
