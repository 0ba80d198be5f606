// SPDX-License-Identifier: MIT
// A Linux process: an L4 space that root made for the personality (TERN_SYSTEM_SPACE_NEW),
// with syscall reflection on, whose one thread's pager and exception handler is the
// personality server. Its page faults and `syscall`s arrive at the server as IPC.
#ifndef LINUX_PROCESS_HPP
#define LINUX_PROCESS_HPP

#include <l4/types.h>
#include <stdint.h>

#include "linux_registers.hpp"
#include "open_file.hpp"
#include "process_memory.hpp"

class Process {
public:
    enum class State { free, running, zombie };
    // What a process blocked in a system call waits for; the call is retried when that may
    // have changed (Linux_server::wake_blocked).
    enum class Wait { none, pipe, child, sleep, poll, signal, console };

    explicit Process(Frame_pool &frames) : memory(frames) {}
    Process(const Process &) = delete;
    Process &operator=(const Process &) = delete;

    State state = State::free;
    // SIGKILL and SIGSTOP: no mask holds them back.
    static constexpr uint64_t unblockable_signals = (uint64_t{1} << (9 - 1)) | (uint64_t{1} << (19 - 1));
    int pid = 0;
    int parent = 0;              // pid of the parent, 0 for the first process
    int group = 0, session = 0;  // process group and session ids
    L4_ThreadId_t thread = L4_nilthread;  // its thread, which also names its space
    int exit_status = 0;         // wait4's status word once a zombie
    Process_memory memory;
    uint64_t heap_start = 0;     // brk: the heap is [heap_start, heap_end)
    uint64_t heap_end = 0;
    uint64_t fs_base = 0;        // what the exception reply sets (arch_prctl)
    uint64_t clear_child_tid = 0;  // set_tid_address
    char name[32] = {};          // the program's name, for messages
    char exe[1024] = {};         // the program file's absolute path (/proc/self/exe), "" if unknown
    const uint8_t *image = nullptr;  // the program's ELF file (what /proc/self/exe names)
    uint64_t image_size = 0;
    uint64_t start_us = 0;       // when fork made it, on the system clock (/proc: start time)
    // Its argument and environment strings on its stack, [arg_start, arg_end) and
    // [arg_end, env_end), as execve left them (/proc/PID/cmdline and environ read them there).
    uint64_t arg_start = 0, arg_end = 0, env_end = 0;
    uint64_t faults = 0;         // page faults served (/proc/PID/stat: minflt)
    uint64_t past_time_us = 0;   // processor time of its threads before the current one (execve)
    uint64_t children_time_us = 0;  // of its children it waited for, and theirs (cutime)
    // Signals: what rt_sigaction set (Linux's kernel sigaction: handler, flags, restorer,
    // mask), the blocked and the pending set (linux_server-signals.cpp).
    struct Signal_action {
        uint64_t handler, flags, restorer, mask;
    };
    static constexpr unsigned signals = 64;
    Signal_action actions[signals] = {};
    uint64_t blocked = 0;        // bit n - 1: signal n is blocked
    uint64_t pending = 0;        // bit n - 1: signal n waits for delivery
    uint64_t alt_stack = 0, alt_stack_size = 0;  // sigaltstack; size 0: none
    uint32_t alt_stack_flags = 0;
    // A signal for a process running in user mode: the server sets its ip to a
    // non-canonical address (ExchangeRegisters, which its pager's space may use), so it
    // comes back at once with an exception carrying every register, interrupted_ip in
    // place of its real one (Linux_server::interrupt).
    bool interrupting = false;
    uint64_t interrupted_ip = 0;
    // rt_sigsuspend: the mask to restore when the handler returns (its frame's).
    bool suspended = false;
    uint64_t suspended_mask = 0;
    // What a pending signal's siginfo says: si_code, the sender's pid, a child's status.
    struct Signal_info {
        int code, pid, status;
    };
    Signal_info info[signals] = {};

    uint32_t cwd = 0;            // the current directory's inode (held in the Vfs)
    uint32_t umask = 022;

    static constexpr unsigned max_fds = 64;
    Open_file *fds[max_fds] = {};
    uint64_t close_on_exec = 0;  // bit n: fd n closes at execve

    Wait waiting = Wait::none;
    uint64_t wake_us = 0;        // sleep, poll: when the call ends (SystemClock), 0 without a deadline
    Linux_registers saved;       // the registers of the blocked call, or of fork's child
    // In the FPU trampoline (fpu_trampoline.S): the registers its closing call is answered
    // with, the signal handler's or those rt_sigreturn restored.
    bool in_fpu_trampoline = false;
    Linux_registers after_fpu_trampoline;
    bool starting = false;       // a fork child before its first instruction (saved holds its registers)
    // Job control: a stopped process gets no answer until SIGCONT (saved holds where it
    // goes on); what its parent's wait4 with WUNTRACED or WCONTINUED has not seen yet.
    bool stopped = false;
    // A blocked call a signal without a handler interrupted was set to run again (its ip at
    // the syscall instruction). If a handler runs before it does, it ends with EINTR
    // instead, unless it is one SA_RESTART restarts and the handler asked for that (Linux's
    // -ERESTARTSYS and -ERESTARTNOHAND). A new call clears it.
    bool call_restarting = false;
    bool call_restartable = false;
    int stop_signal = 0;
    enum class Change : uint8_t { none, stopped, continued };
    Change unwaited_change = Change::none;
};

#endif
