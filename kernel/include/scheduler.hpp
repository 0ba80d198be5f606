// SPDX-License-Identifier: MIT
// Fixed-priority round-robin scheduling on one CPU: 256 ready queues with a bitmap to
// find the highest non-empty one, time slices charged on the timer tick, a sorted list of
// IPC timeouts, and the idle thread when nothing is ready. The running thread is not on a
// ready queue. The kernel is not preemptible: switches happen when the current thread
// blocks, yields, or on the timer interrupt. The tick also charges X.2 total quanta and
// enforces delayed preemption (Preemption_delay), so both have the tick's granularity.
#pragma once

#include "abi_layout.hpp"
#include "cpu_local.hpp"
#include "space.hpp"
#include "thread.hpp"
#include "timeout_list.hpp"
#include "timer.hpp"
#include "user_mode.hpp"

class Scheduler {
public:
    static void init(Thread *idle);
    // Until started, timer ticks only count: boot finishes its report undisturbed.
    static void start();
    static Thread *current() { return Cpu_local::current_thread(); }

    // Makes a thread runnable (at the tail of its priority's queue).
    static void make_ready(Thread *thread);
    static void remove(Thread *thread);
    // Switches to the highest-priority ready thread; the current thread must already be
    // on a queue or blocked.
    static void schedule();
    // Switches to next now (IPC hand-off); the current thread must already be queued or blocked.
    static void switch_to(Thread *next);
    // Blocks the current thread in favour of partner, the thread its IPC just made ready,
    // without a scheduler pass unless a higher-priority thread is ready.
    static void hand_off(Thread *partner);
    // Leaves the current thread, which resumes at its own frame when woken, for next, which
    // resumes at its frame now; nothing of the current kernel stack is kept. Inline, like
    // the two below: the IPC direct path is made of them.
    [[noreturn, gnu::always_inline]] static void switch_to_frame_of(Thread *next)
    {
        Thread *previous = current();
        if (previous->preemption_delay().running())
            end_delay(previous, false);
        switch_to_frame_of(previous, next);
    }
    // The same when the caller has the current thread at hand, and it runs no delayed
    // preemption (the IPC direct path leaves that case to the general one).
    [[noreturn, gnu::always_inline]] static void switch_to_frame_of(Thread *previous, Thread *next)
    {
        (void)next->take_resume_at_frame();
        next->set_state(Thread::State::running);
        Cpu_local::set_current_thread(next);
        Fpu::leave(previous->fpu());
        if (previous->space() != next->space())
            next->space()->activate();
        User_mode::select_syscall_entry(next->space()->takes_direct_ipc());
        User_mode::switch_thread(next->stack_end(), next->fs_base(), next->gs_base(), next->utcb_address());
        leave_kernel_through(&next->frame());
    }
    // Whether thread may run now without passing over a higher-priority ready thread.
    static bool may_run_now(const Thread *thread)
    {
        return int{thread->priority()} >= highest_ready_;
    }
    // The current thread gives up the CPU to an equal or higher priority ready thread.
    static void yield();
    // Preempts current if a woken thread has a higher priority (unless current delays
    // its preemption, X.2 preemption control).
    static void preempt_if_higher(Thread *woken);
    // ThreadSwitch of the current thread: ends a delayed preemption and renews its budget.
    static void thread_switched(Thread *self);

    // A waiting thread's timeout fires at deadline (Thread::timeout_expired).
    // The thread's timeout_armed flag mirrors its place in the list (the fast path tests it).
    // The timer fires at the earliest deadline (Timer::wake_by), not at the tick after it.
    static void add_timeout(Thread *thread, uint64_t deadline)
    {
        timeouts_.add(*thread, deadline);
        thread->set_timeout_armed(true);
        Timer::wake_by(deadline);
    }
    static bool has_timeout(const Thread *thread) { return thread->timeout_armed(); }
    static void remove_timeout(Thread *thread)
    {
        timeouts_.remove(*thread);
        thread->set_timeout_armed(false);
    }

    // Timer interrupt: fires expired timeouts, charges the total quantum and the time
    // slice, and preempts.
    static void tick(uint64_t now_us, uint64_t elapsed_us);

    static constexpr unsigned priorities = 256;
    // UTCB flags (abi/x86_64.toml [layouts.utcb_flags]): preemption-fault exception, delayed
    // preemption requested, preemption pending (set by the kernel).
    static constexpr uint64_t preemption_fault_flag = Abi::Utcb_flags::preemption_fault.mask();
    static constexpr uint64_t delay_preemption_flag = Abi::Utcb_flags::delay_preemption.mask();
    static constexpr uint64_t preemption_pending_flag = Abi::Utcb_flags::preemption_pending.mask();

private:
    friend class Kip;  // a kernel-mode task's ThreadSwitch stub reads highest_ready_ (Kip::yield_view)

    static Thread *highest_ready();
    static void mark_nonempty(unsigned priority);
    static void mark_empty(unsigned priority);
    // The highest priority with a ready thread, or priorities when none is ready.
    static unsigned highest_set()
    {
        if (nonempty_words_ == 0)
            return priorities;
        unsigned word = 63 - static_cast<unsigned>(__builtin_clzll(nonempty_words_));
        return word * 64 + 63 - static_cast<unsigned>(__builtin_clzll(nonempty_[word]));
    }

    // Two-level bitmap of non-empty ready queues: bit p % 64 of nonempty_[p / 64], and bit w
    // of nonempty_words_ when nonempty_[w] has any bit set.
    static inline uint64_t nonempty_[priorities / 64] = {};
    static inline uint64_t nonempty_words_ = 0;
    // The highest priority with a ready thread, -1 when none is ready: the IPC fast path
    // asks "may this thread run now" with one comparison.
    // Read by every IPC fast path: in the page of its hot data (the linker script places it).
    [[gnu::section(".data.ipc_hot")]] static inline int highest_ready_ = -1;
    static inline Timeout_list timeouts_;  // waiting threads with a deadline

    // Whether self, about to be preempted by a thread of competitor priority, delays that.
    static Preemption_delay::Verdict delay_verdict(Thread *self, unsigned competitor, uint64_t now_us);
    static void end_delay(Thread *thread, bool overran);
};
