// SPDX-License-Identifier: MIT
// Signals: kill, their delivery onto the user stack as Linux lays out its frame (so that
// the binary's own restorer, which calls rt_sigreturn, works), default actions, and the
// interruption of blocked calls (EINTR, or a restart with SA_RESTART).
#include <l4/thread.h>
#include <stdio.h>
#include <string.h>

#include "fpu_trampoline.h"
#include "linux_abi.hpp"
#include "linux_server.hpp"

using namespace linux_abi;

namespace {

constexpr int sigkill = 9, sigsegv = 11, sigchld = 17, sigcont = 18, sigstop = 19;
constexpr uint64_t sa_siginfo = 0x4, sa_onstack = 0x08000000, sa_restart = 0x10000000, sa_nodefer = 0x40000000,
                   sa_resethand = 0x80000000, sa_restorer = 0x04000000;
constexpr uint64_t sig_dfl = 0, sig_ign = 1;
constexpr uint64_t unblockable = Process::unblockable_signals;
// SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU.
constexpr uint64_t stop_signals = (uint64_t{1} << (19 - 1)) | (uint64_t{1} << (20 - 1)) | (uint64_t{1} << (21 - 1)) |
                                  (uint64_t{1} << (22 - 1));
// A non-canonical ip: the thread faults (#GP) at once and reports every register.
constexpr uint64_t interrupt_ip = 0x8000000000005160;
// The FPU and SSE registers in a frame: FXSAVE's image, 64-byte aligned as Linux places it.
constexpr uint64_t fpu_image_bytes = 512, fpu_image_alignment = 64;

uint64_t bit(int signal) { return uint64_t{1} << (signal - 1); }

enum class Default { terminate, ignore, stop };

Default default_action(int signal)
{
    switch (signal) {
    case sigchld:
    case sigcont:
    case 23:  // SIGURG
    case 28:  // SIGWINCH
        return Default::ignore;
    case sigstop:
    case 20:  // SIGTSTP
    case 21:  // SIGTTIN
    case 22:  // SIGTTOU
        return Default::stop;
    default:
        return signal >= 32 ? Default::terminate : Default::terminate;
    }
}

// Linux's x86-64 frame (arch/x86/include/asm/sigframe.h, uapi/asm/sigcontext.h).
struct Sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
    uint64_t eflags;
    uint16_t cs, gs, fs, ss;
    uint64_t err, trapno, oldmask, cr2;
    uint64_t fpstate;  // the FXSAVE image, saved by the process itself (fpu_trampoline.S)
    uint64_t reserved[8];
};
static_assert(sizeof(Sigcontext) == 256);

struct Ucontext {
    uint64_t flags;
    uint64_t link;
    uint64_t stack_sp;
    uint32_t stack_flags, pad;
    uint64_t stack_size;
    Sigcontext mcontext;
    uint64_t sigmask;
};
static_assert(sizeof(Ucontext) == 304);

struct Siginfo {
    int32_t signo, errno_value, code, pad;
    int32_t pid;
    uint32_t uid;
    int32_t status;
    uint8_t rest[128 - 28];
};
static_assert(sizeof(Siginfo) == 128);

struct Frame {
    uint64_t return_address;  // sa_restorer: the handler's ret goes there
    Ucontext context;
    Siginfo info;
};
static_assert(sizeof(Frame) == 440);

// The exception message's words that the signal context carries, in Sigcontext's order.
constexpr unsigned context_words[] = {TERN_EXCEPTION_MR_R8,  TERN_EXCEPTION_MR_R9,  TERN_EXCEPTION_MR_R10,
                                      TERN_EXCEPTION_MR_R11, TERN_EXCEPTION_MR_R12, TERN_EXCEPTION_MR_R13,
                                      TERN_EXCEPTION_MR_R14, TERN_EXCEPTION_MR_R15, TERN_EXCEPTION_MR_RDI,
                                      TERN_EXCEPTION_MR_RSI, TERN_EXCEPTION_MR_RBP, TERN_EXCEPTION_MR_RBX,
                                      TERN_EXCEPTION_MR_RDX, TERN_EXCEPTION_MR_RAX, TERN_EXCEPTION_MR_RCX,
                                      TERN_EXCEPTION_MR_RSP, TERN_EXCEPTION_MR_RIP, TERN_EXCEPTION_MR_RFLAGS};

}  // namespace

bool Linux_server::takes_signal(const Thread &thread, int signal)
{
    return thread.state == Thread::State::running && !L4_IsNilThread(thread.l4) &&
           ((thread.blocked & bit(signal)) == 0 || (bit(signal) & unblockable) != 0 ||
            (thread.waiting == Thread::Wait::signal && (thread.waited_signals & bit(signal)) != 0));
}

void Linux_server::send_signal(Process &target, int signal, int code, int sender, int status)
{
    if (target.state != Process::State::running || signal < 1 || signal > static_cast<int>(Process::signals))
        return;
    // SIGCONT continues a stopped process whatever its action or mask, and takes back the
    // stop signals still pending; a stop signal takes back a pending SIGCONT (Linux's
    // prepare_signal).
    if (signal == sigcont) {
        target.pending &= ~stop_signals;
        for (Thread &thread : live_threads())
            if (thread.state == Thread::State::running && thread.process == &target)
                thread.pending &= ~stop_signals;
        if (target.stopped)
            continue_process(target);
    } else if ((bit(signal) & stop_signals) != 0) {
        target.pending &= ~bit(sigcont);
    }
    if (ignored(target, first_thread(target), signal))
        return;  // discarded, as Linux does with an ignored signal
    target.pending |= bit(signal);
    target.info[signal - 1] = {code, sender, status, 0};
    if (target.stopped) {
        if (signal == sigkill)
            terminate(target, sigkill);
        return;  // the rest waits for SIGCONT
    }
    // The thread that takes it (Linux's complete_signal): the first thread (its id the pid)
    // if it does not block it, else the first other that does not; none: it waits until
    // one unblocks it.
    if (Thread *chosen = signal_taker(target, signal); chosen != nullptr)
        signal_thread(*chosen, signal);
}

void Linux_server::send_thread_signal(Thread &target, int signal, int code, int sender)
{
    Process &process = *target.process;
    if (target.state != Thread::State::running || process.state != Process::State::running)
        return;
    if (signal == sigcont || (bit(signal) & stop_signals) != 0 || signal == sigkill) {
        send_signal(process, signal, code, sender);  // these act on the whole process, as in Linux
        return;
    }
    if (ignored(process, &target, signal))
        return;
    target.pending |= bit(signal);
    process.info[signal - 1] = {code, sender, 0, 0};
    if (!process.stopped && takes_signal(target, signal))
        signal_thread(target, signal);
}

// Linux's sig_ignored: ignored (SIG_IGN, or SIG_DFL whose action is to ignore), unless the
// thread that would see it blocks it or waits for it (sigwait takes such signals too).
bool Linux_server::ignored(const Process &process, const Thread *thread, int signal)
{
    if (signal == sigkill || signal == sigstop)
        return false;
    const Process::Signal_action &action = process.actions[signal - 1];
    if (action.handler != sig_ign && !(action.handler == sig_dfl && default_action(signal) == Default::ignore))
        return false;
    return thread == nullptr || ((thread->blocked & bit(signal)) == 0 &&
                                 !(thread->waiting == Thread::Wait::signal && (thread->waited_signals & bit(signal)) != 0));
}

void Linux_server::complete_signals(Process &process)
{
    for (Thread &thread : live_threads()) {
        if (process.state != Process::State::running || process.stopped)
            return;
        if (thread.process != &process || thread.state != Thread::State::running)
            continue;
        uint64_t own = thread.pending & (~thread.blocked | unblockable);
        if (own != 0)
            signal_thread(thread, __builtin_ctzll(own) + 1);
    }
    for (uint64_t left = process.pending; left != 0; left &= left - 1) {
        int signal = __builtin_ctzll(left) + 1;
        if (process.state != Process::State::running || process.stopped)
            return;
        if (Thread *chosen = signal_taker(process, signal); chosen != nullptr)
            signal_thread(*chosen, signal);
    }
}

Thread *Linux_server::signal_taker(Process &process, int signal)
{
    Thread *chosen = nullptr;
    for (Thread &thread : live_threads())
        if (thread.process == &process && takes_signal(thread, signal) && (chosen == nullptr || thread.tid == process.pid))
            chosen = &thread;
    return chosen;
}

void Linux_server::signal_thread(Thread &target, int signal)
{
    if (target.starting)
        return;  // delivered after its first call
    if (target.waiting == Thread::Wait::none) {
        interrupt(target);
        return;
    }
    const Process::Signal_action &action = target.process->actions[signal - 1];
    if (target.waiting == Thread::Wait::signal && target.waited_signals != 0 &&
        (target.waited_signals & bit(signal)) != 0) {
        wake_blocked();  // rt_sigtimedwait takes it
        return;
    }
    // Interrupt the blocked call: EINTR, or its restart with SA_RESTART, or when no
    // handler runs (a stop: the call goes on after SIGCONT).
    Linux_registers registers = target.saved;
    // As in Linux, sigsuspend, sleeps and poll/select end with EINTR even under SA_RESTART,
    // and so does a futex wait with a timeout (its restart block runs only without a handler).
    bool restartable = target.waiting != Thread::Wait::signal && target.waiting != Thread::Wait::sleep &&
                       target.waiting != Thread::Wait::poll &&
                       !(target.waiting == Thread::Wait::futex && target.wake_us != 0);
    bool handled = action.handler != sig_dfl && signal != sigkill && signal != sigstop;
    bool restart_it = !handled || (restartable && (action.flags & sa_restart) != 0);
    bool time_written = restart_it || target.waiting != Thread::Wait::sleep || write_time_left(target, registers);
    target.waiting = Thread::Wait::none;
    target.call_restarting = restart_it && !handled;
    if (!target.call_restarting)
        target.wake_us = 0;  // (a call that runs again keeps its deadline, as Linux's restart does)
    target.call_restartable = restartable;
    if (restart_it)
        registers.set_ip(registers.ip() - 2);  // rax still holds the call's number
    else
        registers.set_result(error(time_written ? Errno::intr : Errno::fault));
    if (deliver_signals(target, registers))
        answer(target, registers);
}

// The thread that took the stop parks; the process's other threads park as they next come
// to the server (those running are interrupted; those blocked in a call are not answered
// while it is stopped: wake_blocked passes them by).
void Linux_server::stop_process(Thread &thread, int signal, const Linux_registers &registers)
{
    Process &process = *thread.process;
    process.stopped = true;
    process.stop_signal = signal;
    process.unwaited_change = Process::Change::stopped;
    park(thread, registers);
    // (A thread not started yet parks at its first call, with the registers made for it.)
    for (Thread &other : live_threads())
        if (other.state == Thread::State::running && other.process == &process && &other != &thread &&
            other.waiting == Thread::Wait::none && !other.parked && !other.starting)
            interrupt(other);
    tell_parent(process, 5 /* CLD_STOPPED */, signal);
}

void Linux_server::park(Thread &thread, const Linux_registers &registers)
{
    thread.parked = true;
    thread.saved = registers;
}

bool Linux_server::fault_handled(Thread &thread, int signal, int code, uint64_t address)
{
    Process &process = *thread.process;
    uint64_t handler = process.actions[signal - 1].handler;
    // A blocked or ignored fault signal kills, as Linux's force_sig_fault makes it.
    if (handler == sig_dfl || handler == sig_ign || (thread.blocked & bit(signal)) != 0)
        return false;
    thread.pending |= bit(signal);
    process.info[signal - 1] = {code, 0, 0, address};
    return true;
}

bool Linux_server::group_orphaned(int group) const
{
    // POSIX: no member has a parent in another group of the same session.
    for (const Process *member : processes_) {
        if (member == nullptr || member->state != Process::State::running || member->group != group)
            continue;
        for (const Process *parent : processes_)
            if (parent != nullptr && parent->state == Process::State::running && parent->pid == member->parent &&
                parent->group != group && parent->session == member->session)
                return false;
    }
    return true;
}

void Linux_server::continue_process(Process &process)
{
    process.stopped = false;
    process.unwaited_change = Process::Change::continued;
    tell_parent(process, 6 /* CLD_CONTINUED */, sigcont);
    for (Thread &thread : live_threads()) {
        if (thread.state != Thread::State::running || thread.process != &process || !thread.parked)
            continue;
        thread.parked = false;
        Linux_registers registers = thread.saved;
        if (deliver_signals(thread, registers))
            answer(thread, registers);
        if (process.state != Process::State::running || process.stopped)
            return;  // a signal delivered meanwhile ended or stopped it again
    }
    // Signals sent meanwhile reach the threads blocked in calls; then those calls are
    // retried, and the deadlines passed by meanwhile count again.
    complete_signals(process);
    wake_sleepers();
}

void Linux_server::tell_parent(Process &child, int code, int signal)
{
    constexpr uint64_t sa_nocldstop = 1;
    for (Process *parent : processes_)
        if (parent != nullptr && parent->state == Process::State::running && parent->pid == child.parent) {
            if ((parent->actions[sigchld - 1].flags & sa_nocldstop) == 0)
                send_signal(*parent, sigchld, code, child.pid, signal);
            wake_blocked();  // its wait4
        }
}

bool Linux_server::write_time_left(Thread &thread, const Linux_registers &registers)
{
    // nanosleep(req, rem), clock_nanosleep(clock, flags, req, rem): rem of a relative sleep.
    bool relative_clock_sleep = registers.number() == static_cast<uint64_t>(Syscall::clock_nanosleep) &&
                                (registers.arg(1) & 1 /* TIMER_ABSTIME */) == 0;
    uint64_t remaining = registers.number() == static_cast<uint64_t>(Syscall::nanosleep) ? registers.arg(1)
                         : relative_clock_sleep                                         ? registers.arg(3)
                                                                                        : 0;
    uint64_t now = L4_SystemClock().raw;
    if (remaining == 0)
        return true;
    uint64_t us = thread.wake_us > now ? thread.wake_us - now : 0;
    uint64_t left[2] = {us / 1000000, (us % 1000000) * 1000};
    return thread.process->memory.copy_out(remaining, left, sizeof left) == Process_memory::Error::none;
}

// The target runs in user mode, or waits for the server to answer a fault or call (then
// the answer delivers the signal, and a fault's restart meets the ip set here).
void Linux_server::interrupt(Thread &thread)
{
    if (thread.interrupting || L4_IsNilThread(thread.l4))
        return;
    L4_Word_t control, sp, ip, flags, handle;
    L4_ThreadId_t pager;
    L4_ThreadId_t result = L4_ExchangeRegisters(thread.l4, TERN_EXREGS_CONTROL_SET_IP_MASK |
                                                               TERN_EXREGS_CONTROL_DELIVER_MASK,
                                                0, interrupt_ip, 0, 0, L4_nilthread, &control, &sp, &ip, &flags,
                                                &handle, &pager);
    if (L4_IsNilThread(result))
        return;
    thread.interrupting = true;
    thread.interrupted_ip = ip;
}

// An exception at interrupt_ip of a thread the server interrupted: its real ip goes back.
bool Linux_server::is_interrupt(Thread &thread, Linux_registers &registers)
{
    if (!thread.interrupting || registers.ip() != interrupt_ip)
        return false;
    thread.interrupting = false;
    registers.set_ip(thread.interrupted_ip);
    return true;
}

bool Linux_server::deliver_pending_signals(Thread &thread, Linux_registers &registers)
{
    Process &process = *thread.process;
    for (;;) {
        if (process.stopped) {
            park(thread, registers);  // it goes on at SIGCONT
            return false;
        }
        uint64_t ready = deliverable(thread);
        if (ready == 0)
            return true;
        int signal = __builtin_ctzll(ready) + 1;
        // Its own first (Linux's dequeue_signal), then its process's.
        if ((thread.pending & bit(signal)) != 0)
            thread.pending &= ~bit(signal);
        else
            process.pending &= ~bit(signal);
        Process::Signal_action action = process.actions[signal - 1];
        if (signal == sigkill || signal == sigstop)
            action.handler = sig_dfl;
        if (action.handler == sig_ign)
            continue;
        if (action.handler == sig_dfl) {
            Default what = default_action(signal);
            if (what == Default::ignore)
                continue;
            if (what == Default::stop) {
                if (signal != sigstop && group_orphaned(process.group))
                    continue;  // nobody could continue it: Linux discards SIGTSTP, SIGTTIN, SIGTTOU
                stop_process(thread, signal, registers);
                return false;  // no answer until SIGCONT
            }
            terminate(process, signal);
            return false;
        }
        if (thread.call_restarting) {
            thread.call_restarting = false;
            if (!thread.call_restartable || (action.flags & sa_restart) == 0) {
                registers.set_ip(registers.ip() + 2);  // past the syscall instruction again
                registers.set_result(error(Errno::intr));
            }
            thread.wake_us = 0;
        }
        // The handler's frame, below the red zone or on the alternate stack.
        uint64_t sp = registers.sp() - 128;
        if ((action.flags & sa_onstack) != 0 && thread.alt_stack_size != 0 &&
            !(sp >= thread.alt_stack && sp < thread.alt_stack + thread.alt_stack_size))
            sp = thread.alt_stack + thread.alt_stack_size;
        uint64_t fpu_image = (sp - fpu_image_bytes) & ~(fpu_image_alignment - 1);
        uint64_t frame_address = ((fpu_image - sizeof(Frame)) & ~uint64_t{15}) - 8;
        Frame frame = {};
        frame.context.mcontext.fpstate = fpu_image;
        frame.return_address = (action.flags & sa_restorer) != 0 ? action.restorer : 0;
        frame.context.stack_sp = thread.alt_stack;
        frame.context.stack_size = thread.alt_stack_size;
        frame.context.stack_flags = thread.alt_stack_size == 0 ? 2 /* SS_DISABLE */ : 0;
        auto *context = reinterpret_cast<uint64_t *>(&frame.context.mcontext);
        for (unsigned i = 0; i < sizeof context_words / sizeof context_words[0]; ++i)
            context[i] = registers.get(context_words[i]);
        frame.context.mcontext.cs = 0x33;
        frame.context.mcontext.ss = 0x2b;
        frame.context.sigmask = thread.suspended ? thread.suspended_mask : thread.blocked;
        thread.suspended = false;
        const Process::Signal_info &info = process.info[signal - 1];
        frame.info.signo = signal;
        frame.info.code = info.code;
        frame.info.pid = info.pid;
        frame.info.status = info.status;
        if (info.address != 0)
            memcpy(&frame.info.pid, &info.address, sizeof info.address);  // si_addr
        // (The image's last 48 bytes are software's, which FXSAVE leaves: zero, no XSAVE data.)
        static constexpr uint8_t no_image[fpu_image_bytes] = {};
        if (process.memory.copy_out(frame_address, &frame, sizeof frame) != Process_memory::Error::none ||
            process.memory.copy_out(fpu_image, no_image, sizeof no_image) != Process_memory::Error::none) {
            terminate(process, sigsegv);  // no room for the frame: Linux's force_sigsegv
            return false;
        }
        thread.blocked |= action.mask & ~unblockable;
        if ((action.flags & sa_nodefer) == 0)
            thread.blocked |= bit(signal);
        if ((action.flags & sa_resethand) != 0)
            process.actions[signal - 1] = Process::Signal_action{};
        registers.set_ip(action.handler);
        registers.set_sp(frame_address);
        registers.set(TERN_EXCEPTION_MR_RDI, static_cast<uint64_t>(signal));
        registers.set(TERN_EXCEPTION_MR_RSI, frame_address + offsetof(Frame, info));
        registers.set(TERN_EXCEPTION_MR_RDX, frame_address + offsetof(Frame, context));
        registers.set(TERN_EXCEPTION_MR_RAX, 0);
        registers.set(TERN_EXCEPTION_MR_RFLAGS, registers.flags() & ~uint64_t{0x10500});  // DF, TF, RF off
        (void)sa_siginfo;
        // The process saves its FPU registers into the frame first, then runs the handler.
        Linux_registers handler = registers;
        enter_fpu_trampoline(thread, registers, 0, fpu_image, handler);
        return true;  // one frame at a time; the next signal at the handler's sigreturn
    }
}

int64_t Linux_server::sys_rt_sigreturn(Thread &thread, Linux_registers &registers)
{
    Process &process = *thread.process;
    Ucontext context;
    if (process.memory.copy_in(&context, registers.sp(), sizeof context) != Process_memory::Error::none) {
        terminate(process, sigsegv);
        return registers_set;
    }
    const auto *words = reinterpret_cast<const uint64_t *>(&context.mcontext);
    for (unsigned i = 0; i < sizeof context_words / sizeof context_words[0]; ++i)
        registers.set(context_words[i], words[i]);
    thread.blocked = context.sigmask & ~unblockable;
    // The FPU registers come back from the frame by the process's own FXRSTOR (an image
    // it spoiled faults there, which ends it with SIGSEGV, as Linux's restore does).
    if (context.mcontext.fpstate != 0) {
        Linux_registers restored = registers;
        enter_fpu_trampoline(thread, registers, FPU_TRAMPOLINE_RESTORE_OFFSET, context.mcontext.fpstate, restored);
    }
    return registers_set;
}

void Linux_server::enter_fpu_trampoline(Thread &thread, Linux_registers &registers, uint64_t offset, uint64_t image,
                                        const Linux_registers &next)
{
    thread.after_fpu_trampoline = next;
    thread.in_fpu_trampoline = true;
    registers.set_ip(fpu_trampoline_address + offset);
    registers.set_sp(image);
}

int64_t Linux_server::fpu_trampoline_done(Thread &thread, Linux_registers &registers)
{
    if (!thread.in_fpu_trampoline)
        return error(Errno::nosys);
    thread.in_fpu_trampoline = false;
    registers = thread.after_fpu_trampoline;
    registers.set_all_on_reply();
    return registers_set;
}

// pause: blocked until a signal is delivered, then EINTR.
int64_t Linux_server::sys_pause(Thread &thread)
{
    if (deliverable(thread) != 0)
        return error(Errno::intr);
    thread.waited_signals = 0;
    thread.waiting = Thread::Wait::signal;
    return blocked;
}

int64_t Linux_server::sys_rt_sigsuspend(Thread &thread, uint64_t mask_address, uint64_t size)
{
    Process &process = *thread.process;
    if (size != 8)
        return error(Errno::inval);
    if (!thread.suspended) {
        uint64_t mask;
        Process_memory::Error copied = process.memory.copy_in(&mask, mask_address, sizeof mask);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        thread.suspended_mask = thread.blocked;
        thread.blocked = mask & ~unblockable;
        thread.suspended = true;
    }
    if (deliverable(thread) != 0)
        return error(Errno::intr);  // the delivery (now) restores the mask at sigreturn
    thread.waited_signals = 0;
    thread.waiting = Thread::Wait::signal;
    return blocked;
}

int64_t Linux_server::sys_sigaltstack(Thread &thread, uint64_t stack, uint64_t old_stack)
{
    Process &process = *thread.process;
    constexpr uint32_t ss_disable = 2;
    if (old_stack != 0) {
        uint64_t old[3] = {thread.alt_stack, thread.alt_stack_size == 0 ? ss_disable : 0u, thread.alt_stack_size};
        Process_memory::Error copied = process.memory.copy_out(old_stack, old, sizeof old);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
    }
    if (stack != 0) {
        uint64_t wanted[3];
        Process_memory::Error copied = process.memory.copy_in(wanted, stack, sizeof wanted);
        if (copied != Process_memory::Error::none)
            return memory_error(copied);
        uint32_t flags = static_cast<uint32_t>(wanted[1]);
        if ((flags & ~ss_disable) != 0)
            return error(Errno::inval);
        if ((flags & ss_disable) != 0) {
            thread.alt_stack = thread.alt_stack_size = 0;
        } else {
            if (wanted[2] < 2048)  // MINSIGSTKSZ
                return -12;  // ENOMEM, as Linux says for a stack too small
            thread.alt_stack = wanted[0];
            thread.alt_stack_size = wanted[2];
        }
    }
    return 0;
}

int64_t Linux_server::sys_kill(Process &process, int64_t pid, int64_t signal)
{
    if (signal < 0 || signal > static_cast<int64_t>(Process::signals))
        return error(Errno::inval);
    bool found = false;
    for (Process *target : processes_) {
        // A zombie still exists for kill (Linux says 0 and nothing happens to it).
        if (target == nullptr || target->state == Process::State::free)
            continue;
        bool chosen = pid > 0    ? target->pid == pid || has_thread(*target, static_cast<int>(pid))
                      : pid == 0 ? target->group == process.group
                      : pid == -1 ? target->pid != 1 && target != &process
                                  : target->group == -pid;
        if (!chosen)
            continue;
        found = true;
        if (signal != 0)
            send_signal(*target, static_cast<int>(signal), 0 /* SI_USER */, process.pid);
    }
    return found ? 0 : error(Errno::srch);
}

int64_t Linux_server::sys_setpgid(Process &process, int64_t pid, int64_t group)
{
    if (group < 0)
        return error(Errno::inval);
    Process *target = nullptr;
    for (Process *candidate : processes_)
        if (candidate != nullptr && candidate->state == Process::State::running &&
            (pid == 0 ? candidate == &process : candidate->pid == pid))
            target = candidate;
    if (target == nullptr || (target != &process && target->parent != process.pid))
        return error(Errno::srch);
    if (target->session != process.session || target->pid == target->session)
        return error(Errno::perm);
    target->group = group == 0 ? target->pid : static_cast<int>(group);
    return 0;
}
