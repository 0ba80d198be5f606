// SPDX-License-Identifier: MIT
// A thread: its identity, its place in the scheduler, its IPC state and its kernel
// stack, which holds the saved user registers (an Exception_frame) at the top. Each thread
// blocks on its own kernel stack, so IPC reads as straight-line code (thread-ipc.cpp).
// The whole is one 4 KiB object (docs/kernel.md, "Memory per thread"): the stack is what
// the fields leave, its deepest use is measured (tools/stack_depth.py, stack_high_water()),
// and a canary word at its low end turns an overflow into a panic instead of corrupting
// the fields below it. The FPU image lives outside, allocated when first used.
#pragma once

#include "exception_frame.hpp"
#include "fpu.hpp"
#include "message_tag.hpp"
#include "preemption_delay.hpp"
#include "ring.hpp"
#include "slab_cache.hpp"
#include "thread_id.hpp"
#include "timeout_list.hpp"

class Space;

// A Thread is the entry of its own IPC timeout in the scheduler's Timeout_list.
class Thread : public Timeout_list::Entry {
public:
    // transferring: the partner of a string copy in progress, locked to it (thread-ipc-string.cpp).
    enum class State : uint8_t { inactive, running, ready, waiting_send, waiting_receive, halted, transferring };
    enum class Ipc_phase : uint8_t { send = 0, receive = 1 };

    static constexpr size_t object_size = 4096;
    static constexpr unsigned max_threads = 1u << 14;
    static constexpr uint8_t default_priority = 100;
    static constexpr uint64_t default_time_slice_us = 10000;
    static constexpr uint64_t infinite_quantum = ~uint64_t{0};

    // --- lifetime (thread.cpp) ---
    static Thread *create(Thread_id id, Space *space, Thread_id scheduler, bool &out_of_memory);
    static Thread *create_idle();
    // Empties the thread table (once, before the first thread is created).
    static void init_table();
    // A kernel thread with no space that runs Interrupt_thread::serve; nullptr when out of memory.
    static Thread *create_interrupt_thread(Thread_id id, uint8_t priority);
    void destroy();
    static Thread *by_number(uint32_t number)
    {
        Thread *thread = number < max_threads ? table_[number] : nullptr;
        return thread != &nobody() ? thread : nullptr;
    }
    static const Slab_cache &cache();
    // The thread a caller names: a global id (version must match) or a local id in the
    // caller's space. (A global id inline: every IPC looks its partner up.)
    static Thread *lookup(Thread_id id, const Thread *caller)
    {
        if (id.is_global()) {
            // (A free number holds nobody(), whose nil id matches no global id.)
            Thread *thread = id.number() < max_threads ? table_[id.number()] : nullptr;
            return thread != nullptr && thread->id_ == id ? thread : nullptr;
        }
        return lookup_local(id, caller);
    }

    Thread_id id() const { return id_; }
    Thread_id local_id() const { return Thread_id(utcb_address_); }
    Space *space() const { return space_; }
    State state() const { return state_; }
    bool is_active() const { return state_ != State::inactive; }
    Thread_id scheduler() const { return scheduler_; }
    void set_scheduler(Thread_id scheduler) { scheduler_ = scheduler; }

    // What ThreadControl gave an inactive thread so far (X.2 activates it once its space is
    // initialised and both are there).
    uint64_t pending_utcb() const { return pending_utcb_; }
    Thread_id pending_pager() const { return pending_pager_; }
    void set_pending(uint64_t utcb, Thread_id pager)
    {
        pending_utcb_ = utcb;
        pending_pager_ = pager;
    }

    // Gives the thread a UTCB in its space (X.2 activation), false if that is impossible.
    bool set_utcb(uint64_t utcb_address);
    // Moves the thread (not the current one) to target, with the UTCB at utcb there if it was
    // active (its TCRs move along); its own IPC is cancelled. false when the new UTCB
    // cannot be had; nothing has changed then.
    bool migrate(Space *target, uint64_t utcb);
    uint64_t utcb_address() const { return utcb_address_; }
    uint64_t &utcb_word(uint64_t offset) { return *reinterpret_cast<uint64_t *>(utcb_bytes() + offset); }
    Thread_id pager() { return Thread_id(utcb_word(utcb_pager_offset)); }
    void set_pager(Thread_id pager) { utcb_word(utcb_pager_offset) = pager.raw(); }

    // Starts user execution at ip/sp now (the kernel's own boot tasks).
    void start(uint64_t ip, uint64_t sp);
    // Waits, as a newly activated thread, for the start message of its pager (X.2:
    // MR1 = IP, MR2 = SP) unless ExchangeRegisters starts it first.
    void wait_for_start();
    // A thread's first kernel code when it has no kernel context: a new thread waits for
    // its start, a receiver woken at its frame for a string message takes it. Returns the
    // frame to leave through.
    Exception_frame &enter_kernel_context();
    Exception_frame &frame() { return *reinterpret_cast<Exception_frame *>(stack_end() - sizeof(Exception_frame)); }
    uintptr_t stack_end() { return reinterpret_cast<uintptr_t>(this) + object_size; }

    // --- scheduling (scheduler.cpp uses these) ---
    uint8_t priority() const { return priority_; }
    void set_priority(uint8_t priority) { priority_ = priority; }
    uint64_t time_slice_us() const { return time_slice_us_; }
    void set_time_slice_us(uint64_t us) { time_slice_us_ = us; }
    uint64_t &remaining_us() { return remaining_us_; }
    // X.2 total quantum: the run time left, infinite_quantum when unlimited (the default).
    uint64_t total_quantum_us() const { return total_quantum_us_; }
    void set_total_quantum_us(uint64_t us) { total_quantum_us_ = us; }
    // Charges run time to a finite total quantum; true when none is left (the thread must
    // then ask its scheduler for more, Fault_ipc::total_quantum_exhausted).
    bool charge_total_quantum(uint64_t us)
    {
        if (total_quantum_us_ == infinite_quantum)
            return false;
        total_quantum_us_ = total_quantum_us_ > us ? total_quantum_us_ - us : 0;
        return total_quantum_us_ == 0;
    }
    // The processor time the thread has had since it was made, in microseconds: each timer
    // tick is charged whole to the thread it interrupts (Schedule returns it, docs/kernel.md).
    uint64_t time_used_us() const { return time_used_us_; }
    void charge_time(uint64_t us) { time_used_us_ += us; }
    Preemption_delay &preemption_delay() { return preemption_delay_; }
    // The UTCB's flags word (preemption and coprocessor flags); a thread without a UTCB
    // has none set and ignores changes.
    uint64_t utcb_flags() const
    {
        return copied_mrs_ != nullptr ? *reinterpret_cast<const uint64_t *>(utcb_bytes() + utcb_flags_offset) : 0;
    }
    void set_utcb_flags(uint64_t flags)
    {
        if (copied_mrs_ != nullptr)
            utcb_word(utcb_flags_offset) = flags;
    }
    void set_state(State state) { state_ = state; }
    // Called after ExchangeRegisters set the frame's rip, and (fresh: the frame's rip is a
    // system call's return address) at every Ipc the general path takes.
    void note_frame_rip(bool fresh = false);
    // Called when the FPU registers have become this thread's (Fpu::take), and when it is
    // deleted (the fast path tests the flag).
    void note_fpu_taken();
    void note_fpu_released();
    // Called after every change of preemption_delay() (the fast path tests the flag).
    void note_preemption_delay() { delay_running_ = preemption_delay_.running(); }
    bool timeout_armed() const { return timeout_armed_; }
    void set_timeout_armed(bool armed) { timeout_armed_ = armed; }
    uint64_t *saved_stack_pointer() { return &saved_stack_pointer_; }
    // True once: the thread is to be resumed at its frame rather than on its kernel stack.
    bool take_resume_at_frame()
    {
        bool at_frame = resume_at_frame_;
        resume_at_frame_ = false;
        return at_frame;
    }
    // The FS and GS bases user code sees (GS defaults to the UTCB, which libl4 relies on).
    uint64_t fs_base() const { return fs_base_; }
    uint64_t gs_base() const { return gs_base_; }
    void set_segment_bases(uint64_t fs_base, uint64_t gs_base);
    // The floating-point and SIMD registers (switched lazily, see fpu.hpp): nullptr until
    // the thread first uses them.
    Fpu_state *&fpu() { return fpu_; }
    // --- the kernel stack's bounds (thread.cpp) ---
    // The fields come first; the kernel stack is the rest of the object, from its lowest
    // word, the canary, up to the frame at the top.
    static constexpr size_t control_block_size() { return (sizeof(Thread) + 15) & ~size_t{15}; }
    static constexpr size_t stack_size() { return object_size - control_block_size(); }
    uintptr_t stack_begin() const { return reinterpret_cast<uintptr_t>(this) + control_block_size(); }
    // Panics if the stack has run over its low end (the canary word is overwritten).
    void check_stack() const
    {
        if (stack_canary() != stack_canary_value) [[unlikely]]
            stack_overflowed();
    }
    // The most stack this thread has used so far (bytes from the top of the object down
    // to the deepest word that lost the fill pattern written when it was created).
    size_t stack_high_water() const;
    // The deepest any thread's stack got, over the threads alive now and those deleted.
    static size_t deepest_stack();
    // The two kinds of kernel thread have no space: the idle thread (nil id) and the
    // interrupt threads.
    bool is_idle() const { return space_ == nullptr && id_.is_nil(); }
    bool is_interrupt_thread() const { return space_ == nullptr && !id_.is_nil(); }
    Ring_link<Thread> ready_link;

    // --- IPC (thread-ipc.cpp) ---
    // The Ipc system call of this (current) thread; its registers are in frame().
    void ipc(Thread_id to, Thread_id from_specifier, uint64_t timeouts);
    // The fast path (thread-ipc-fast.cpp), tried by the system-call entry before ipc():
    // returns if it does not apply, having changed nothing (but saved the call's arguments
    // for ipc()), else leaves the kernel as the partner.
    // The ring a thread's code runs in (its space's mode): where the fast path's exit goes.
    enum class Privilege { user, kernel_task };
    template <Privilege sender_ring>
    void ipc_fast(Thread_id to, Thread_id from_specifier, uint64_t timeouts);
    template <Privilege receiver_ring, bool same_space>
    [[noreturn]] void commit_fast(Thread &receiver, Space *target, Thread_id from_specifier);
    // Sends a message built by the kernel on this thread's behalf (page fault, exception)
    // to handler and waits for the reply into the same buffer. False if the IPC failed.
    bool kernel_call(Thread_id handler, unsigned words);
    // The same with an X.2 timeout for both phases; returns the IPC error (0 on success).
    uint64_t kernel_call(Thread_id handler, unsigned words, uint16_t timeout);
    // kernel_call for an exception message (User_exception) in kernel_message; with
    // exception_handler_waiting and deliver_exception, a short path of its own when the
    // handler waits (thread-ipc-exception.cpp). A reply the handler sends while
    // the thread waits is applied to its frame at once (User_exception::apply_reply) and
    // the thread resumes there: this returns only with a reply that came otherwise, in
    // kernel_message, or with false when the IPC failed.
    bool exception_call(Thread_id handler, unsigned words);
    // The short path's two halves: the handler, if it waits at its frame to take this
    // thread's message (nullptr: exception_call's way), and the delivery of the message the
    // caller wrote into that handler's MRs (message_array, MR0 on) with the same outcome as
    // exception_call.
    Thread *exception_handler_waiting(Thread_id handler);
    bool deliver_exception(Thread &handler, Thread_id handler_id, unsigned words);
    uint64_t kernel_message[64] = {};
    // An interrupt thread blocks until its line needs it (Interrupt_thread), as a receiver
    // that accepts nobody.
    void wait_for_line();
    // Receives the interrupt message tag from interrupt thread sender if this thread waits
    // for it at its frame, and makes it ready; false (nothing changed) otherwise.
    bool take_interrupt(const Thread &sender, Message_tag tag);
    // Ends a wait because its timeout expired (called by the scheduler).
    void timeout_expired();
    // Aborts any IPC this thread is part of, telling partners (thread deletion).
    void abort_ipc();

    // MRs as the current system call sees them (registers and UTCB, or the kernel buffer).
    uint64_t message_register(unsigned index);
    void set_message_register(unsigned index, uint64_t value);
    // MR0..MR63 as memory (valid from MR3 on, where user MRs are in the UTCB).
    uint64_t *message_array() { return ipc_.kernel ? kernel_message : &utcb_word(utcb_mr_offset); }
    // Cancels an IPC this thread waits in (ExchangeRegisters); false if it waits in none.
    bool cancel_ipc(Ipc_phase phase);
    bool started() const { return started_; }
    void set_started() { started_ = true; }
    // X.2 ExchangeRegisters halt flag: a halted thread is not scheduled.
    void halt();
    void resume();
    bool halted() const { return halted_; }
    // In the middle of copying a string message (it has a partner locked to it).
    // (Or serves a page fault for the thread copying its strings.) Such a thread runs on even
    // when halted, so that its partner is not held; it stops once the copy is done.
    bool copies_strings() const { return copy_ != Copy_role::none; }
    bool copying() const { return copy_ == Copy_role::copying || copy_ == Copy_role::sender_gone; }

private:
    static Thread *lookup_local(Thread_id id, const Thread *caller);
    static constexpr uint64_t utcb_pager_offset = 0x20;
    static constexpr uint64_t utcb_mr_offset = 0x80;
    static constexpr uint64_t copied_mrs_offset = utcb_mr_offset + 3 * 8;  // MR3 (Sys_ipc::register_mrs)
    static constexpr uint64_t utcb_flags_offset = 0x30;

    Thread() = default;
    // The next switch to this thread starts it in enter_kernel_context, on an empty stack.
    void enter_kernel_context_next();

    // IPC helpers
    bool matches(Thread_id from_specifier, const Thread &sender) const;
    Thread_id sender_id(const Thread &sender) const;
    Thread *take_sender(Thread_id from_specifier);
    void enqueue_sender(Thread &sender, bool first = false);
    void take_message(Thread &sender);
    void dequeue_sender(Thread &sender);
    static uint64_t transfer(Thread &sender, Thread &receiver);
    [[gnu::noinline]] static uint64_t transfer_items(Thread &sender, Thread &receiver, Message_tag tag);
    void finish_receive(const Thread &sender, uint64_t error, bool queue = true);
    void fail(Ipc_phase phase, uint64_t code);
    uint64_t block(State state, Thread_id partner, uint64_t deadline);

    // --- string items (thread-ipc-string.cpp) ---
    // A page fault in this thread's space that the copier of a string transfer asks this
    // thread (its blocked partner) to have resolved by its own pager.
    struct String_fault {
        bool pending = false;
        uint64_t address = 0;
        unsigned access = 0;
        uint16_t timeout = 0;
        uint64_t error = 0;  // the fault IPC's result
    };
    // Whether the message in this thread's MRs has string items.
    bool sends_strings();
    // Whether this thread's acceptor (BR0) accepts string items.
    bool accepts_strings();
    // Copies sender's string item at MR index item (units through *next_item) into
    // receiver's next buffer string; the copier is the receiver (the current thread).
    // transferred counts the bytes of the message's strings copied so far (this one's
    // added), which an error reports as its offset.
    static uint64_t transfer_string(Thread &sender, Thread &receiver, unsigned item, unsigned end, unsigned &next_item,
                                    unsigned &buffer, uint64_t until, uint64_t &transferred, uint64_t &out_length,
                                    uint64_t &out_address);
    // The page-fault IPC for a string copy, keeping the outer IPC's bookkeeping.
    uint64_t string_fault_call(uint64_t address, unsigned access, uint16_t timeout);
    // Has the owner of the memory at address resolve a fault on it; returns the IPC error.
    uint64_t resolve_string_fault(Thread &owner, uint64_t address, unsigned access, uint64_t until);
    // Serves string_fault_ for the copier; false when the copier is gone.
    bool serve_string_fault();
    // Ends the lock between the partners of a string transfer (either side deleted).
    void break_transfer();
    // A receiver blocked at its frame gets a kernel context again to take a string message.
    void continue_receive_in_kernel();
    // Receives until deadline (absolute); woken with retry_receive, it looks again.
    void receive_until(Thread_id from_specifier, uint64_t until, const Thread *known_partner);
    uint64_t send_phase(Thread_id to, uint16_t timeout, bool then_receive, Thread_id from_specifier,
                        uint16_t receive_timeout);
    // known_partner: a thread that certainly exists (the one a call just sent to).
    void receive_phase(Thread_id from_specifier, uint16_t timeout, const Thread *known_partner = nullptr);
    void wake(uint64_t error, bool queue = true);
    // --- exception IPC's short path (thread-ipc-exception.cpp) ---
    // The thread to names if it waits in exception_call for this thread's reply, and this
    // (current) thread's message can be that reply (untyped words only); else nullptr.
    Thread *exception_caller(Thread_id to);
    // Applies this thread's message to caller's frame and, for a reply and wait from anyone
    // without timeout, blocks this thread at its frame (not returning). false, nothing
    // changed, if caller refuses the reply. Otherwise returns with the caller made ready
    // (a send) or handed the processor (ipc_.hand_off) for ipc's receive phase.
    bool reply_to_exception(Thread &caller, Thread_id from_specifier, uint16_t receive_timeout);
    // Joins partner's closed waiters (a closed receive from partner is about to block).
    // named: the id it names partner by (global, or local in this thread's space).
    void wait_closed_for(Thread &partner, Thread_id named)
    {
        closed_for_ = named;
        if (waits_for_ == &partner)
            return;
        leave_closed_waiters();
        partner.closed_waiters_.push_back(this);
        waits_for_ = &partner;
        closed_for_ = named;
    }
    void leave_closed_waiters()
    {
        if (waits_for_ != nullptr)
            waits_for_->closed_waiters_.remove(this);
        waits_for_ = nullptr;
        closed_for_ = Thread_id::nil();
    }
    // Wakes the threads waiting closed for this one (with no_partner); with local_only,
    // only those in its space that named it by its local id.
    void wake_closed_waiters(bool local_only);
    void complete_user_ipc();

    Thread_id id_;
    Thread_id scheduler_;
    Space *space_ = nullptr;
    uint8_t *utcb_bytes() const { return reinterpret_cast<uint8_t *>(copied_mrs_) - copied_mrs_offset; }
    // The kernel's view of the thread's UTCB, kept as the address of its MR3 there: the first
    // word the fast path copies (the words before it travel in registers), so it computes
    // nothing. nullptr while the thread has no UTCB; utcb_word() counts from the UTCB's start.
    uint64_t *copied_mrs_ = nullptr;
    uint64_t utcb_address_ = 0;
    // The gate: eight bytes the IPC fast path tests as one word (gate()), of the sender and
    // of the receiver, and sets with one store. Besides the state proper, each flag names a
    // case the fast path leaves to the general one; the flags mirror state kept elsewhere,
    // and whoever changes that state updates its flag. Keep them together, in this order
    // (check_gate_layout in thread.cpp).
    State state_ = State::inactive;
    // Blocked in the last phase of a user IPC: whoever wakes it writes the system call's
    // results into its frame, and it resumes straight at that frame (its kernel stack holds
    // nothing it still needs).
    bool resume_at_frame_ = false;
    bool halted_ = false;
    bool fpu_owner_ = false;        // the FPU registers hold its state (note_fpu_taken)
    bool timeout_armed_ = false;    // in the scheduler's timeout list (Scheduler keeps it)
    // Switching to it is the general path's: its FS or GS base is its own, or its frame's
    // rip is no user address, which sysretq must not take (ExchangeRegisters may set one).
    bool general_switch_ = false;
    bool senders_queued_ = false;   // !senders_.empty() (enqueue_sender, dequeue_sender)
    bool delay_running_ = false;    // preemption_delay_.running() (note_preemption_delay)
    // The gates the fast path accepts: a receiver waiting at its frame, and a running
    // sender (neither halted, nor with anything the flags name).
    static constexpr uint64_t waiting_at_frame = static_cast<uint64_t>(State::waiting_receive) | 1u << 8;
    static constexpr uint64_t running = static_cast<uint64_t>(State::running);
    // The thread whose state the FPU registers hold (one processor for now).
    static inline Thread *fpu_thread_ = nullptr;
    uint64_t gate() const
    {
        uint64_t word;
        __builtin_memcpy(&word, &state_, sizeof word);
        return word;
    }
    void set_gate(uint64_t word) { __builtin_memcpy(&state_, &word, sizeof word); }
    static void check_gate_layout();
    // A kernel-mode task's ThreadSwitch stub reads the gate and the priority and writes the
    // delay budget (Kip::yield_view).
    friend class Kip;
    uint8_t priority_ = default_priority;
    bool started_ = false;   // has left the kernel for user mode at least once (beside priority_: no hole)
    uint64_t time_slice_us_ = default_time_slice_us;
    uint64_t remaining_us_ = default_time_slice_us;
    uint64_t total_quantum_us_ = infinite_quantum;
    uint64_t time_used_us_ = 0;
    Preemption_delay preemption_delay_;
    uint64_t saved_stack_pointer_ = 0;
    uint64_t fs_base_ = 0;
    Fpu_state *fpu_ = nullptr;
    uint64_t gs_base_ = 0;
    uint64_t pending_utcb_ = ~uint64_t{0};
    Thread_id pending_pager_;

    // IPC state. The queues are links between threads and stay where they are; the rest is
    // one value, which a nested IPC (a string copy's page-fault call) saves and restores whole.
    struct Ipc_state {
        Thread_id partner;              // who a waiting thread waits for (receive) or sends to (send)
        Thread *send_target = nullptr;  // whose send queue it is in
        bool kernel = false;            // message registers are kernel_message, not the user's
        bool call_pending = false;      // a receive phase follows the send (call, reply-and-wait)
        uint16_t call_timeout = 0;      // that receive's timeout
        Thread_id call_from;            // and its from specifier
        uint64_t error = 0;             // result handed over by whoever woke this thread
        Thread *hand_off = nullptr;     // a receiver this thread's send just made ready
        Thread_id from;                 // the sender, for a finished receive
        uint64_t receive_deadline = 0;  // a receive continued in the kernel keeps it (continue_receive)
    };
    // This thread's part in a string copy (thread-ipc-string.cpp). The receiver copies; its
    // sender is locked to it and may serve page faults for it.
    enum class Copy_role : uint8_t {
        none,
        copying,        // copying a sender's strings (this is the receiver)
        sender_gone,    // was copying, and the sender was deleted meanwhile
        serving_fault,  // making a page-fault IPC for this thread's copier (this is the sender)
    };
    Ipc_state ipc_;
    Ring_link<Thread> sender_link_;
    Ring<Thread, &Thread::sender_link_> senders_;  // blocked sending to this thread, FIFO
    // Closed receives: a thread blocking in a receive from one named thread (a call's
    // reply too) joins that thread's closed_waiters_, so that its deletion finds them
    // without a scan of every thread. It stays there after the wait ends, until it waits
    // closed for another thread or either is deleted: the wake paths (the direct path's
    // reply among them) keep no books, and abort_ipc checks each waiter's state. So a
    // thread is in at most one such ring, and a ring holds only threads that waited for
    // its owner last.
    Ring_link<Thread> waiter_link_;
    Thread *waits_for_ = nullptr;  // whose closed_waiters_ this thread is in
    // The id this thread named waits_for_ by, when it is that thread's id still (nil
    // otherwise): the direct path's test that a call's closed wait is in the ring.
    Thread_id closed_for_;
    Ring<Thread, &Thread::waiter_link_> closed_waiters_;
    String_fault string_fault_;           // asked of this thread by its string copier
    Thread *transfer_partner_ = nullptr;  // the other side of a string copy in progress
    Copy_role copy_ = Copy_role::none;
    bool continue_receive_ = false;       // first kernel entry retries a receive (see above)
    bool awaits_exception_reply_ = false;  // in exception_call, for the handler's reply

    // Every thread by its number; a free number holds nobody(), a thread that never runs
    // and whose nil id matches no global id, so that the fast path's lookup needs no test
    // for an empty slot.
    static Thread *table_[max_threads];
    static Thread &nobody();
    static size_t deepest_stack_;        // the deepest stack of deleted threads

    static constexpr uint64_t stack_canary_value = 0x57ac'c0de'dead'f00d;
    static constexpr uint64_t stack_fill = 0x5757'5757'5757'5757;
    [[noreturn, gnu::cold]] void stack_overflowed() const;
    const uint64_t &stack_canary() const { return *reinterpret_cast<const uint64_t *>(stack_begin()); }
    // Writes the canary and the fill pattern stack_high_water() looks for.
    void fill_stack();
};

// (Here for the IPC paths in their several files.)
// Whether a receiver in this thread's space waiting with from_specifier takes sender's message.
[[gnu::always_inline]] inline bool Thread::matches(Thread_id from_specifier, const Thread &sender) const
{
    if (from_specifier.is_any())
        return true;
    if (from_specifier.is_any_local())
        return sender.space_ == space_;
    return from_specifier == sender.id_ ||
           (from_specifier.is_local() && sender.space_ == space_ && from_specifier.raw() == sender.utcb_address_);
}

// The sender as this receiver names it (X.2's FromSpecifier): its local id if it lives in
// this space, however the receiver waited for it; else its global id.
[[gnu::always_inline]] inline Thread_id Thread::sender_id(const Thread &sender) const
{
    return sender.space_ == space_ && sender.copied_mrs_ != nullptr ? sender.local_id() : sender.id_;
}

// tools/stack_depth.py bounds the worst case at 2680 bytes, the frame included
// (docs/kernel.md); STACK0001 checks that bound against stack_size() with a margin.
static_assert(Thread::stack_size() >= 3072, "the kernel stack is too small for its measured worst case");
