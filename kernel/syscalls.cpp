// SPDX-License-Identifier: MIT
#include "syscalls.hpp"

#include "abi.h"
#include "console.hpp"
#include "console_output.hpp"
#include "interrupt_thread.hpp"
#include "kernel.hpp"
#include "kernel_memory.hpp"
#include "memory_layout.hpp"
#include "platform.hpp"
#include "mapper.hpp"
#include "scheduler.hpp"
#include "space.hpp"
#include "syscall_frame.hpp"
#include "thread.hpp"
#include "timeout.hpp"
#include "timer.hpp"
#include "user_exception.hpp"
#include "user_mode.hpp"

namespace {

constexpr uint64_t no_utcb_change = ~uint64_t{0};

uint64_t fail(Thread &caller, uint64_t error)
{
    caller.utcb_word(TERN_UTCB_ERROR_CODE) = error;
    return 0;
}

bool is_user_thread_number(uint32_t number)
{
    return number >= TERN_USER_BASE && number < Thread::max_threads;
}

bool utcb_fits(const Space &space, uint64_t utcb)
{
    Fpage area = space.utcb_area();
    return (utcb & (TERN_UTCB_SIZE - 1)) == 0 && area.contains(utcb) && area.contains(utcb + TERN_UTCB_SIZE - 1);
}

// Activation: a thread with a UTCB in an initialised space exists for real; it waits for
// its pager's start message (or an ExchangeRegisters start).
uint64_t activate(Thread &caller, Thread &thread, uint64_t utcb, Thread_id pager)
{
    if (!thread.set_utcb(utcb))
        return fail(caller, TERN_ERROR_OUT_OF_MEMORY);
    thread.set_pager(pager);
    Scheduler::make_ready(&thread);
    return 1;
}

// X.2 interrupt association: ThreadControl(irq, irq, nilthread, handler, -1); the handler
// irq itself detaches. An interrupt thread cannot be made, moved or deleted like a user
// thread (invalid thread), nor given a scheduler or a UTCB (invalid parameter).
uint64_t associate_interrupt(Thread &caller, Thread_id irq, Thread_id space_specifier, Thread_id scheduler,
                             Thread_id handler, uint64_t utcb)
{
    if (space_specifier != irq || handler.is_nil())
        return fail(caller, TERN_ERROR_INVALID_THREAD);
    if (!scheduler.is_nil() || utcb != no_utcb_change)
        return fail(caller, TERN_ERROR_INVALID_PARAMETER);
    switch (Interrupt_thread::associate(irq, handler, caller)) {
    case Interrupt_thread::Error::none: return 1;
    case Interrupt_thread::Error::out_of_memory: return fail(caller, TERN_ERROR_OUT_OF_MEMORY);
    case Interrupt_thread::Error::invalid_handler: return fail(caller, TERN_ERROR_INVALID_PARAMETER);
    case Interrupt_thread::Error::invalid_thread: break;
    }
    return fail(caller, TERN_ERROR_INVALID_THREAD);
}

uint64_t thread_control(Thread &caller, Sys_thread_control call)
{
    if (!caller.space()->privileged())
        return fail(caller, TERN_ERROR_NO_PRIVILEGE);
    Thread_id dest(call.dest());
    Thread_id space_specifier(call.space_specifier());
    Thread_id scheduler(call.scheduler());
    Thread_id pager(call.pager());
    uint64_t utcb = call.utcb_location();
    if (Interrupt_thread::names_line(dest))
        return associate_interrupt(caller, dest, space_specifier, scheduler, pager, utcb);
    if (!dest.is_global() || !is_user_thread_number(dest.number()))
        return fail(caller, TERN_ERROR_INVALID_THREAD);
    Thread *existing = Thread::by_number(dest.number());

    if (space_specifier.is_nil()) {  // delete
        if (existing == nullptr || existing->id() != dest || existing == &caller)
            return fail(caller, TERN_ERROR_INVALID_THREAD);
        existing->destroy();
        return 1;
    }

    if (existing != nullptr && existing->id() != dest)
        return fail(caller, TERN_ERROR_INVALID_THREAD);  // number in use with another version
    Thread *space_owner = space_specifier == dest ? existing : Thread::lookup(space_specifier, &caller);
    if (space_specifier != dest && space_owner == nullptr)
        return fail(caller, TERN_ERROR_INVALID_SPACE);
    if (!scheduler.is_nil() && Thread::lookup(scheduler, &caller) == nullptr)
        return fail(caller, TERN_ERROR_INVALID_SCHEDULER);
    if (space_owner != nullptr && space_owner->is_interrupt_thread())
        return fail(caller, TERN_ERROR_INVALID_SPACE);  // it has none
    Space *space = space_owner != nullptr ? space_owner->space() : nullptr;
    bool wants_activation = utcb != no_utcb_change;  // for a migration
    bool migrates = existing != nullptr && space != nullptr && space != existing->space();
    if (migrates) {
        // Moving a thread to another space. An active one keeps its UTCB address (its code
        // may hold the UTCB pointer), which must be free in the target's UTCB area.
        if (existing == &caller)
            return fail(caller, TERN_ERROR_INVALID_THREAD);
        if (existing->is_active()) {
            if (wants_activation && utcb != existing->utcb_address())
                return fail(caller, TERN_ERROR_INVALID_UTCB);
            utcb = existing->utcb_address();
            wants_activation = true;
        }
        if (wants_activation && (!space->is_initialized() || !utcb_fits(*space, utcb) ||
                                 space->thread_at_utcb(utcb) != nullptr))
            return fail(caller, TERN_ERROR_INVALID_UTCB);
        bool was_active = existing->is_active();
        if (!existing->migrate(space, was_active ? utcb : 0))
            return fail(caller, TERN_ERROR_OUT_OF_MEMORY);
        if (!scheduler.is_nil())
            existing->set_scheduler(scheduler);
        if (was_active) {
            if (!pager.is_nil())
                existing->set_pager(pager);
            return 1;
        }
        // An inactive thread moved; it is activated below if a UTCB was given.
    }
    // X.2 activation: a thread becomes active once its space is initialised and it has both
    // a UTCB location and a pager, which earlier calls may have given.
    bool active = existing != nullptr && existing->is_active();
    if (utcb != no_utcb_change &&
        (active || (utcb & (TERN_UTCB_SIZE - 1)) != 0 || !User_mode::is_user_address(utcb)))
        return fail(caller, TERN_ERROR_INVALID_UTCB);
    uint64_t location = utcb != no_utcb_change ? utcb : existing != nullptr ? existing->pending_utcb() : no_utcb_change;
    Thread_id new_pager = !pager.is_nil() ? pager : existing != nullptr ? existing->pending_pager() : Thread_id::nil();
    bool activates = !active && location != no_utcb_change && !new_pager.is_nil() && space != nullptr &&
                     space->is_initialized();
    if (activates && (!utcb_fits(*space, location) || space->thread_at_utcb(location) != nullptr))
        return fail(caller, TERN_ERROR_INVALID_UTCB);

    if (existing == nullptr) {
        Space::Error space_error = Space::Error::none;
        bool new_space = space == nullptr;
        if (new_space && (space = Space::create(Kernel_memory::pages(), space_error)) == nullptr)
            return fail(caller, TERN_ERROR_OUT_OF_MEMORY);
        bool out_of_memory = false;
        existing = Thread::create(dest, space, scheduler.is_nil() ? caller.id() : scheduler, out_of_memory);
        if (existing == nullptr) {
            if (new_space)
                space->destroy();
            return fail(caller, TERN_ERROR_OUT_OF_MEMORY);
        }
    } else if (!scheduler.is_nil()) {
        existing->set_scheduler(scheduler);
    }
    if (active) {
        if (!pager.is_nil())
            existing->set_pager(pager);
        return 1;
    }
    existing->set_pending(location, new_pager);
    if (activates)
        return activate(caller, *existing, location, new_pager);
    return 1;
}

bool in_user_half(Fpage area)
{
    return area.is_valid_region() && User_mode::is_user_address(area.base()) &&
           User_mode::is_user_address(area.base() + area.size() - 1);
}

uint64_t space_control(Thread &caller, Sys_space_control call, uint64_t &old_control)
{
    constexpr uint64_t reflect_syscalls = 1;  // Tern extension, see Space::reflects_syscalls
    old_control = 0;
    if (!caller.space()->privileged())
        return fail(caller, TERN_ERROR_NO_PRIVILEGE);
    Thread *owner = Thread::lookup(Thread_id(call.space_specifier()), &caller);
    if (owner == nullptr || owner->is_interrupt_thread())
        return fail(caller, TERN_ERROR_INVALID_SPACE);
    Space *space = owner->space();
    uint64_t control = call.control();
    Fpage kip_area(call.kip_area());
    Fpage utcb_area(call.utcb_area());
    if ((control & ~reflect_syscalls) != 0)
        return fail(caller, TERN_ERROR_INVALID_PARAMETER);
    // IPC redirection is not supported yet: only "no change" (nilthread) and "none"
    // (anythread) are accepted (docs/kernel.md).
    Thread_id redirector(call.redirector());
    if (!redirector.is_nil() && !redirector.is_any())
        return fail(caller, TERN_ERROR_INVALID_PARAMETER);
    if (space->is_initialized()) {
        // Areas are fixed once set; later calls may change only the control bits.
        if (!kip_area.is_nil() || !utcb_area.is_nil())
            return fail(caller, TERN_ERROR_INVALID_SPACE);
    } else {
        if (!in_user_half(kip_area) || kip_area.size_log2() < TERN_KIP_AREA_LOG2)
            return fail(caller, TERN_ERROR_INVALID_KIP_AREA);
        if (!in_user_half(utcb_area) || utcb_area.size_log2() < TERN_UTCB_AREA_MIN_LOG2)
            return fail(caller, TERN_ERROR_INVALID_UTCB);
        if (kip_area.base() < utcb_area.base() + utcb_area.size() && utcb_area.base() < kip_area.base() + kip_area.size())
            return fail(caller, TERN_ERROR_INVALID_KIP_AREA);  // the areas overlap
        switch (space->set_areas(kip_area, utcb_area)) {
        case Space::Error::none: break;
        case Space::Error::out_of_memory: return fail(caller, TERN_ERROR_OUT_OF_MEMORY);
        default: return fail(caller, TERN_ERROR_INVALID_KIP_AREA);
        }
    }
    old_control = space->reflects_syscalls() ? reflect_syscalls : 0;
    space->set_reflects_syscalls((control & reflect_syscalls) != 0);
    return 1;
}

uint64_t schedule(Thread &caller, Sys_schedule call, uint64_t &old_time_control)
{
    constexpr uint64_t unchanged = ~uint64_t{0};
    constexpr uint16_t field_unchanged = 0xffff;
    Thread *dest = Thread::lookup(Thread_id(call.dest()), &caller);
    if (dest == nullptr)
        return fail(caller, TERN_ERROR_INVALID_THREAD);
    if (dest->scheduler() != caller.id() && !caller.space()->privileged())
        return fail(caller, TERN_ERROR_NO_PRIVILEGE);
    uint64_t priority = call.priority_control();
    if (priority != unchanged && priority > 255)
        return fail(caller, TERN_ERROR_INVALID_PARAMETER);
    if (call.processor_control() != unchanged && call.processor_control() != 0)
        return fail(caller, TERN_ERROR_INVALID_PARAMETER);  // one processor
    // X.2 time control: time slice in bits 31..16, total quantum in bits 15..0, each a
    // relative time period (0xffff in a field: that one unchanged, a Tern convenience;
    // all ones: both). The total quantum "never" (0) is infinite.
    uint64_t time_control = call.time_control();
    uint16_t slice = static_cast<uint16_t>(time_control >> 16);
    uint16_t quantum = static_cast<uint16_t>(time_control);
    bool time_changes = time_control != unchanged;
    if (time_changes && ((time_control >> 32) != 0 || (slice != field_unchanged && !Timeout::is_period(slice)) ||
                         (quantum != field_unchanged && !Timeout::is_period(quantum))))
        return fail(caller, TERN_ERROR_INVALID_PARAMETER);
    // X.2 preemption control: sensitive priority in bits 23..16, maximum delay in
    // microseconds in bits 15..0 (Pistachio's extensions above them are not supported).
    uint64_t preemption_control = call.preemption_control();
    if (preemption_control != unchanged && (preemption_control >> 24) != 0)
        return fail(caller, TERN_ERROR_INVALID_PARAMETER);

    old_time_control = uint64_t{Timeout::encode_period(dest->time_slice_us())} << 16 |
                       Timeout::encode_period(dest->total_quantum_us());
    if (priority != unchanged && priority != dest->priority()) {
        bool queued = dest->state() == Thread::State::ready;
        if (queued)
            Scheduler::remove(dest);
        dest->set_priority(static_cast<uint8_t>(priority));
        if (queued)
            Scheduler::make_ready(dest);
    }
    if (time_changes && slice != field_unchanged && slice != 0) {
        uint64_t us = Timeout::period_us(slice);
        dest->set_time_slice_us(us == 0 ? Thread::default_time_slice_us : us);
    }
    if (time_changes && quantum != field_unchanged)
        dest->set_total_quantum_us(quantum == 0 ? Thread::infinite_quantum : Timeout::period_us(quantum));
    if (preemption_control != unchanged)
        dest->preemption_delay().configure(static_cast<uint8_t>(preemption_control >> 16),
                                           static_cast<uint16_t>(preemption_control));
    // X.2 result: the thread's state; 5 "sending" and 7 "receiving" are the two sides of a
    // string copy in progress (the receiver copies; the sender is locked to it or serves a
    // page fault for it).
    if (dest->copying())
        return 7;
    if (dest->state() == Thread::State::transferring || dest->copies_strings())
        return 5;
    switch (dest->state()) {
    case Thread::State::inactive: return 2;
    case Thread::State::waiting_send: return 4;
    case Thread::State::waiting_receive: return 6;
    default: return 3;
    }
}

void thread_switch(Thread &caller, Thread_id dest_id)
{
    Scheduler::thread_switched(&caller);  // ends a delayed preemption (X.2)
    Thread *dest = Thread::lookup(dest_id, &caller);
    if (dest != nullptr && dest != &caller && dest->state() == Thread::State::ready) {
        Scheduler::make_ready(&caller);
        Scheduler::switch_to(dest);
        return;
    }
    Scheduler::yield();
}

// Reads at most capacity - 1 bytes of a user string, page by page through the caller's
// own page table; stops at the first unmapped byte.
void copy_user_string(Thread &caller, uint64_t address, char *buffer, size_t capacity)
{
    size_t length = 0;
    for (; length + 1 < capacity; ++length, ++address) {
        if (!User_mode::is_user_address(address))
            break;
        Phys_addr byte = caller.space()->translate(address, false);
        if (byte == 0)
            break;
        char c = *Memory_layout::direct_map<char>(byte);
        if (c == '\0')
            break;
        buffer[length] = c;
    }
    buffer[length] = '\0';
}

// ExchangeRegisters control bits (X.2).
namespace Exregs {
constexpr uint64_t halt_value = 1u << 0;
constexpr uint64_t cancel_receive = 1u << 1;
constexpr uint64_t cancel_send = 1u << 2;
constexpr uint64_t set_sp = 1u << 3;
constexpr uint64_t set_ip = 1u << 4;
constexpr uint64_t set_flags = 1u << 5;
constexpr uint64_t set_handle = 1u << 6;
constexpr uint64_t set_pager = 1u << 7;
constexpr uint64_t set_halt = 1u << 8;
constexpr uint64_t known = (1u << 10) - 1;
}  // namespace Exregs


void exchange_registers(Thread &caller, Sys_exchange_registers call)
{
    // Outputs share registers with inputs: read every input before writing any output.
    Thread_id dest_id(call.dest());
    uint64_t control = call.control();
    uint64_t sp = call.sp();
    uint64_t ip = call.ip();
    uint64_t flags = call.flags();
    uint64_t handle = call.user_defined_handle();
    Thread_id pager(call.pager());

    Thread *dest = Thread::lookup(dest_id, &caller);
    auto refuse = [&](uint64_t error) {
        call.set_result(Thread_id::nil().raw());
        caller.utcb_word(TERN_UTCB_ERROR_CODE) = error;
    };
    if (dest == nullptr || dest->space() != caller.space() || !dest->is_active())
        return refuse(TERN_ERROR_INVALID_THREAD);
    if ((control & ~Exregs::known) != 0 || ((control & Exregs::set_sp) && !User_mode::is_user_address(sp)) ||
        ((control & Exregs::set_ip) && !User_mode::is_user_address(ip)))
        return refuse(TERN_ERROR_INVALID_PARAMETER);

    Exception_frame &frame = dest->frame();
    uint64_t state = (dest->halted() ? 1u : 0u) | (dest->state() == Thread::State::waiting_receive ? 2u : 0u) |
                     (dest->state() == Thread::State::waiting_send ? 4u : 0u);
    call.set_old_control(state);
    call.set_old_sp(frame.rsp);
    call.set_old_ip(frame.rip);
    call.set_old_flags(frame.rflags);
    call.set_old_user_defined_handle(dest->utcb_word(TERN_UTCB_USER_DEFINED_HANDLE));
    call.set_old_pager(dest->pager().raw());
    call.set_result(dest_id.is_local() ? dest->id().raw() : dest->local_id().raw());

    if (control & Exregs::cancel_send)
        dest->cancel_ipc(Thread::Ipc_phase::send);
    if (control & Exregs::cancel_receive)
        dest->cancel_ipc(Thread::Ipc_phase::receive);
    bool starts = (control & (Exregs::set_sp | Exregs::set_ip)) == (Exregs::set_sp | Exregs::set_ip) &&
                  !dest->started();
    if (starts) {
        // Starting a new thread: its registers so far are zero; this is its first frame.
        User_mode::prepare_frame(frame, ip, sp);
        dest->set_started();
        dest->cancel_ipc(Thread::Ipc_phase::receive);
    }
    if (control & Exregs::set_sp)
        frame.rsp = sp;
    if (control & Exregs::set_ip)
        frame.rip = ip;
    if (control & Exregs::set_flags)
        frame.rflags = (frame.rflags & ~User_mode::user_settable_rflags) | (flags & User_mode::user_settable_rflags);
    if (control & Exregs::set_handle)
        dest->utcb_word(TERN_UTCB_USER_DEFINED_HANDLE) = handle;
    if (control & Exregs::set_pager)
        dest->set_pager(pager);
    if (control & Exregs::set_halt) {
        if (control & Exregs::halt_value) {
            dest->halt();
            if (dest == &caller)
                Scheduler::schedule();
        } else {
            dest->resume();
        }
    }
}

// X.2 Unmap: for each fpage in MR0..MRn, take its rights from what was derived from the
// caller's pages there (and from those pages with the flush bit), and report their access
// status in the fpage's rights bits.
void unmap(Thread &caller, Sys_unmap call)
{
    constexpr uint64_t flush = 1u << 6;
    uint64_t control = call.control();
    unsigned count = static_cast<unsigned>(control & 63) + 1;
    // Unmap's fpages are all in the UTCB (no MR travels in a register for this call).
    uint64_t *mrs = caller.message_array();
    for (unsigned i = 0; i < count; ++i) {
        Fpage fpage(mrs[i]);
        unsigned status = Mapper::unmap(*caller.space(), fpage, (control & flush) != 0);
        mrs[i] = (fpage.raw() & ~uint64_t{7}) | status;
    }
}

}  // namespace

// IPC is the common case: it gets a path of its own, so that the larger frame the other
// handlers need is not built for it.
void Syscalls::dispatch(Thread &caller, Exception_frame &frame)
{
    if ((frame.rax == TERN_SYSCALL_IPC || frame.rax == TERN_SYSCALL_LIPC) && !caller.space()->reflects_syscalls()) {
        Sys_ipc call{frame};
        caller.ipc(Thread_id(call.to()), Thread_id(call.from_specifier()), call.timeouts());
        return;
    }
    dispatch_other(caller, frame);
}

void Syscalls::dispatch_other(Thread &caller, Exception_frame &frame)
{
    if (caller.space()->reflects_syscalls()) {
        User_exception::handle(caller, frame);  // frame.vector is Vectors::syscall
        return;
    }
    switch (frame.rax) {
    case TERN_SYSCALL_IPC:
    case TERN_SYSCALL_LIPC: {
        Sys_ipc call{frame};
        caller.ipc(Thread_id(call.to()), Thread_id(call.from_specifier()), call.timeouts());
        return;
    }
    case TERN_SYSCALL_THREAD_CONTROL: {
        Sys_thread_control call{frame};
        call.set_result(thread_control(caller, call));
        return;
    }
    case TERN_SYSCALL_SPACE_CONTROL: {
        Sys_space_control call{frame};
        uint64_t old_control;
        call.set_result(space_control(caller, call, old_control));
        call.set_old_control(old_control);
        return;
    }
    case TERN_SYSCALL_SCHEDULE: {
        Sys_schedule call{frame};
        uint64_t old_time_control = 0;
        call.set_result(schedule(caller, call, old_time_control));
        call.set_old_time_control(old_time_control);
        return;
    }
    case TERN_SYSCALL_THREAD_SWITCH:
        thread_switch(caller, Thread_id(Sys_thread_switch{frame}.dest()));
        return;
    case TERN_SYSCALL_SYSTEM_CLOCK:
        Sys_system_clock{frame}.set_clock(Timer::now_us());
        return;
    case TERN_SYSCALL_EXCHANGE_REGISTERS:
        exchange_registers(caller, Sys_exchange_registers{frame});
        return;
    case TERN_SYSCALL_UNMAP:
        unmap(caller, Sys_unmap{frame});
        return;
    case TERN_SYSCALL_PROCESSOR_CONTROL: {
        // One processor whose frequency and voltage the kernel does not control (docs/syscalls.md).
        Sys_processor_control call{frame};
        call.set_result(fail(caller, caller.space()->privileged() ? TERN_ERROR_INVALID_PARAMETER
                                                                   : TERN_ERROR_NO_PRIVILEGE));
        return;
    }
    case TERN_SYSCALL_MEMORY_CONTROL: {
        // Caching attributes of memory are not controllable yet (docs/syscalls.md).
        Sys_memory_control call{frame};
        call.set_result(fail(caller, caller.space()->privileged() ? TERN_ERROR_INVALID_PARAMETER
                                                                   : TERN_ERROR_NO_PRIVILEGE));
        return;
    }
    case TERN_SYSCALL_KDB_OUTPUT: {
        char text[2] = {static_cast<char>(Sys_kdb_output{frame}.character()), '\0'};
        Console::print("%s", text);
        return;
    }
    case TERN_SYSCALL_KDB_ENTER: {
        char message[128];
        copy_user_string(caller, Sys_kdb_enter{frame}.message(), message, sizeof message);
        Console::print("KDB: %s (thread %#llx)\n", message, static_cast<unsigned long long>(caller.id().raw()));
        Kernel::report_memory();
        Kernel::report_interrupts();
        return;
    }
    case TERN_SYSCALL_KDB_INPUT: {
        char c;
        Sys_kdb_input{frame}.set_character(Console_output::try_read(c) ? static_cast<uint8_t>(c) : ~uint64_t{0});
        return;
    }
    case TERN_SYSCALL_KDB_EXIT:
        if (!caller.space()->privileged()) {
            caller.utcb_word(TERN_UTCB_ERROR_CODE) = TERN_ERROR_NO_PRIVILEGE;
            return;
        }
        Platform::shutdown(Sys_kdb_exit{frame}.status() == 0 ? Exit_status::success : Exit_status::failure);
    default:
        // An unknown system call is an exception of the caller, like an invalid opcode.
        frame.vector = 6;
        frame.error_code = 0;
        User_exception::handle(caller, frame);
        return;
    }
}

extern "C" void syscall_dispatch(Exception_frame *frame) { Syscalls::dispatch(*Scheduler::current(), *frame); }
