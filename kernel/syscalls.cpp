// SPDX-License-Identifier: MIT
// The system calls other than Ipc and ThreadControl (thread_control.cpp), and their dispatch
// through the table generated from abi/x86_64.toml.
#include "syscalls.hpp"

#include "abi.h"
#include "abi_layout.hpp"
#include "console.hpp"
#include "console_output.hpp"
#include "interrupt_thread.hpp"
#include "kernel.hpp"
#include "kip.hpp"
#include "memory_layout.hpp"
#include "platform.hpp"
#include "mapper.hpp"
#include "scheduler.hpp"
#include "space.hpp"
#include "syscall_table.hpp"
#include "thread.hpp"
#include "thread_control.hpp"
#include "timeout.hpp"
#include "timer.hpp"
#include "user_exception.hpp"
#include "user_mode.hpp"

namespace {

bool in_user_half(Fpage area)
{
    return area.is_valid_region() && User_mode::is_user_address(area.base()) &&
           User_mode::is_user_address(area.base() + area.size() - 1);
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

// ProcessorControl and MemoryControl: one processor whose frequency and voltage the kernel
// does not control, and caching attributes that are not controllable yet (docs/kernel.md,
// "Other system calls").
Syscall_error nothing_to_control(Thread &caller)
{
    return caller.space()->privileged() ? Syscall_error::invalid_parameter : Syscall_error::no_privilege;
}

}  // namespace

void syscall_failed(Thread &caller, Syscall_error error)
{
    caller.utcb_word(TERN_UTCB_ERROR_CODE) = static_cast<uint64_t>(error);
}

Syscall_error Syscall_handlers::thread_control(Thread &caller, Sys_thread_control call)
{
    Thread_control plan;
    Syscall_error error = Thread_control::decode(caller, call, plan);
    if (error == Syscall_error::none)
        error = plan.invoke(caller);
    if (error == Syscall_error::none)
        call.set_result(1);
    return error;
}

Syscall_error Syscall_handlers::space_control(Thread &caller, Sys_space_control call)
{
    namespace Control = Abi::Space_control;  // Tern's extensions
    if (!caller.space()->privileged())
        return Syscall_error::no_privilege;
    Thread *owner = Thread::lookup(Thread_id(call.space_specifier()), &caller);
    if (owner == nullptr || owner->is_interrupt_thread())
        return Syscall_error::invalid_space;
    Space *space = owner->space();
    uint64_t control = call.control();
    Fpage kip_area(call.kip_area());
    Fpage utcb_area(call.utcb_area());
    if ((control & ~Control::fields) != 0)
        return Syscall_error::invalid_parameter;
    // A space's mode is chosen with its areas, before any of its threads can run.
    bool kernel_mode = Control::kernel_mode.is_set(control);
    uint64_t old_control = Control::reflect_syscalls.make(space->reflects_syscalls()) |
                           Control::kernel_mode.make(space->kernel_mode());
    if (space->is_initialized() && kernel_mode != space->kernel_mode())
        return Syscall_error::invalid_parameter;
    // IPC redirection is not supported yet: only "no change" (nilthread) and "none"
    // (anythread) are accepted (docs/kernel.md).
    Thread_id redirector(call.redirector());
    if (!redirector.is_nil() && !redirector.is_any())
        return Syscall_error::invalid_parameter;
    if (space->is_initialized()) {
        // Areas are fixed once set; later calls may change only the control bits.
        if (!kip_area.is_nil() || !utcb_area.is_nil())
            return Syscall_error::invalid_space;
    } else {
        if (!in_user_half(kip_area) || kip_area.size_log2() < TERN_KIP_AREA_LOG2)
            return Syscall_error::invalid_kip_area;
        if (!in_user_half(utcb_area) || utcb_area.size_log2() < TERN_UTCB_AREA_MIN_LOG2)
            return Syscall_error::invalid_utcb;
        if (kip_area.base() < utcb_area.base() + utcb_area.size() && utcb_area.base() < kip_area.base() + kip_area.size())
            return Syscall_error::invalid_kip_area;  // the areas overlap
        // The mode first: set_areas maps the stub page that goes with it. set_areas checks
        // its own arguments before it changes anything; if it fails, the mode goes back.
        space->set_kernel_mode(kernel_mode);
        Space::Error error = space->set_areas(kip_area, utcb_area);
        if (error != Space::Error::none) {
            space->set_kernel_mode(false);
            return error == Space::Error::out_of_memory ? Syscall_error::out_of_memory
                                                        : Syscall_error::invalid_kip_area;
        }
    }
    call.set_old_control(old_control);
    space->set_reflects_syscalls(Control::reflect_syscalls.is_set(control));
    if (caller.space() == space)
        User_mode::select_syscall_entry(space->takes_direct_ipc());
    call.set_result(1);
    return Syscall_error::none;
}

Syscall_error Syscall_handlers::schedule(Thread &caller, Sys_schedule call)
{
    constexpr uint64_t unchanged = ~uint64_t{0};
    constexpr uint16_t field_unchanged = 0xffff;
    Thread *dest = Thread::lookup(Thread_id(call.dest()), &caller);
    if (dest == nullptr)
        return Syscall_error::invalid_thread;
    if (dest->scheduler() != caller.id() && !caller.space()->privileged())
        return Syscall_error::no_privilege;
    uint64_t priority = call.priority_control();
    if (priority != unchanged && priority > 255)
        return Syscall_error::invalid_parameter;
    if (call.processor_control() != unchanged && call.processor_control() != 0)
        return Syscall_error::invalid_parameter;  // one processor
    // X.2 time control: time slice in bits 31..16, total quantum in bits 15..0, each a
    // relative time period (0xffff in a field: that one unchanged, a Tern convenience;
    // all ones: both). The total quantum "never" (0) is infinite.
    uint64_t time_control = call.time_control();
    uint16_t slice = static_cast<uint16_t>(time_control >> 16);
    uint16_t quantum = static_cast<uint16_t>(time_control);
    bool time_changes = time_control != unchanged;
    if (time_changes && ((time_control >> 32) != 0 || (slice != field_unchanged && !Timeout::is_period(slice)) ||
                         (quantum != field_unchanged && !Timeout::is_period(quantum))))
        return Syscall_error::invalid_parameter;
    // X.2 preemption control: sensitive priority in bits 23..16, maximum delay in
    // microseconds in bits 15..0 (Pistachio's extensions above them are not supported).
    uint64_t preemption_control = call.preemption_control();
    if (preemption_control != unchanged && (preemption_control >> 24) != 0)
        return Syscall_error::invalid_parameter;
    // A scheduler outside the privileged tasks cannot lift a thread above its own priority,
    // nor let it hold off threads above that with a higher sensitive priority: otherwise
    // any task could place its threads above every server (docs/kernel.md, Scheduling).
    if (!caller.space()->privileged()) {
        uint64_t sensitive = (preemption_control >> 16) & 0xff;
        if ((priority != unchanged && priority > caller.priority()) ||
            (preemption_control != unchanged && sensitive > caller.priority()))
            return Syscall_error::invalid_parameter;
    }

    call.set_old_time_control(uint64_t{Timeout::encode_period(dest->time_slice_us())} << 16 |
                              Timeout::encode_period(dest->total_quantum_us()));
    call.set_time_used(dest->time_used_us());
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
    uint64_t state = 3;  // running
    if (dest->copying())
        state = 7;
    else if (dest->state() == Thread::State::transferring || dest->copies_strings())
        state = 5;
    else if (dest->state() == Thread::State::inactive)
        state = 2;
    else if (dest->state() == Thread::State::waiting_send)
        state = 4;
    else if (dest->state() == Thread::State::waiting_receive)
        state = 6;
    call.set_result(state);
    return Syscall_error::none;
}

Syscall_error Syscall_handlers::thread_switch(Thread &caller, Sys_thread_switch call)
{
    Scheduler::thread_switched(&caller);  // ends a delayed preemption (X.2)
    Thread *dest = Thread::lookup(Thread_id(call.dest()), &caller);
    if (dest != nullptr && dest != &caller && dest->state() == Thread::State::ready) {
        Scheduler::make_ready(&caller);
        Scheduler::switch_to(dest);
        return Syscall_error::none;
    }
    Scheduler::yield();
    return Syscall_error::none;
}

Syscall_error Syscall_handlers::system_clock(Thread &, Sys_system_clock call)
{
    call.set_clock(Timer::now_us());
    return Syscall_error::none;
}

Syscall_error Syscall_handlers::exchange_registers(Thread &caller, Sys_exchange_registers call)
{
    namespace Control = Abi::Exregs_control;
    namespace State = Abi::Exregs_state;
    // Outputs share registers with inputs: read every input before writing any output.
    Thread_id dest_id(call.dest());
    // X.2 defines the control bits up to d (9); the kernel ignores any above them.
    uint64_t control = call.control() & Control::fields;
    uint64_t sp = call.sp();
    uint64_t ip = call.ip();
    uint64_t flags = call.flags();
    uint64_t handle = call.user_defined_handle();
    Thread_id pager(call.pager());

    Thread *dest = Thread::lookup(dest_id, &caller);
    // X.2 gives ExchangeRegisters one error, invalid thread. Any IP and SP are stored: the
    // thread faults when it uses them, in user mode (a non-canonical IP: see entry.asm's
    // return to user mode; an SP outside the user half faults on its first stack access).
    // X.2 names threads of the caller's space; like Pistachio's "pagerexregs", which its
    // shipped configurations enable and l4test's abort tests use, the threads of the space
    // of a thread's pager may name it too (by its global id). A pager already decides
    // what the thread's memory holds, so this gives its space no power over the thread it
    // did not have (docs/kernel.md).
    // Kernel threads (interrupt threads) have no space, no UTCB and so no pager.
    if (dest == nullptr || !dest->is_active() || dest->space() == nullptr)
        return Syscall_error::invalid_thread;
    if (dest->space() != caller.space()) {
        const Thread *dest_pager = dest_id.is_global() ? Thread::lookup(dest->pager(), dest) : nullptr;
        if (dest_pager == nullptr || dest_pager->space() != caller.space())
            return Syscall_error::invalid_thread;
    }

    Exception_frame &frame = dest->frame();
    call.set_old_control(State::halted.make(dest->halted()) |
                         State::receiving.make(dest->state() == Thread::State::waiting_receive) |
                         State::sending.make(dest->state() == Thread::State::waiting_send));
    call.set_old_sp(User_mode::stack_pointer(frame));
    call.set_old_ip(User_mode::instruction_pointer(frame));
    call.set_old_flags(User_mode::flags(frame));
    call.set_old_user_defined_handle(dest->utcb_word(TERN_UTCB_USER_DEFINED_HANDLE));
    call.set_old_pager(dest->pager().raw());
    call.set_result(dest_id.is_local() ? dest->id().raw() : dest->local_id().raw());

    if (Control::cancel_send.is_set(control))
        dest->cancel_ipc(Thread::Ipc_phase::send);
    if (Control::cancel_receive.is_set(control))
        dest->cancel_ipc(Thread::Ipc_phase::receive);
    if (Control::set_sp.is_set(control) && Control::set_ip.is_set(control) && !dest->started()) {
        // Starting a new thread: its registers so far are zero; this is its first frame.
        User_mode::prepare_frame(frame, ip, sp, dest->space()->kernel_mode());
        dest->set_started();
        dest->cancel_ipc(Thread::Ipc_phase::receive);
    }
    if (Control::set_sp.is_set(control))
        User_mode::set_stack_pointer(frame, sp);
    if (Control::set_ip.is_set(control)) {
        User_mode::set_instruction_pointer(frame, ip);
        dest->note_frame_rip();
    }
    if (Control::set_flags.is_set(control))
        User_mode::set_flags(frame, flags);
    if (Control::set_handle.is_set(control))
        dest->utcb_word(TERN_UTCB_USER_DEFINED_HANDLE) = handle;
    if (Control::set_pager.is_set(control))
        dest->set_pager(pager);
    if (Control::set_halt.is_set(control)) {
        if (Control::halt.is_set(control)) {
            dest->halt();
            if (dest == &caller)
                Scheduler::schedule();
        } else {
            dest->resume();
        }
    }
    return Syscall_error::none;
}

// X.2 Unmap: for each fpage in MR0..MRn, take its rights from what was derived from the
// caller's pages there (and from those pages with the flush bit), and report their access
// status in the fpage's rights bits.
Syscall_error Syscall_handlers::unmap(Thread &caller, Sys_unmap call)
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
    return Syscall_error::none;
}

Syscall_error Syscall_handlers::processor_control(Thread &caller, Sys_processor_control)
{
    return nothing_to_control(caller);
}

Syscall_error Syscall_handlers::memory_control(Thread &caller, Sys_memory_control)
{
    return nothing_to_control(caller);
}

Syscall_error Syscall_handlers::kdb_output(Thread &, Sys_kdb_output call)
{
    char text[2] = {static_cast<char>(call.character()), '\0'};
    Console::print("%s", text);
    return Syscall_error::none;
}

Syscall_error Syscall_handlers::kdb_enter(Thread &caller, Sys_kdb_enter call)
{
    char message[128];
    copy_user_string(caller, call.message(), message, sizeof message);
    Console::print("KDB: %s (thread %#llx)\n", message, static_cast<unsigned long long>(caller.id().raw()));
    Kernel::report_memory();
    Kernel::report_interrupts();
    return Syscall_error::none;
}

Syscall_error Syscall_handlers::kernel_log(Thread &, Sys_kernel_log call)
{
    const auto &log = Console::log();
    call.set_bytes(log.word_at(call.position()));
    call.set_total(log.total());
    call.set_first(log.first());
    return Syscall_error::none;
}

Syscall_error Syscall_handlers::kdb_input(Thread &, Sys_kdb_input call)
{
    char c;
    call.set_character(Console_output::try_read(c) ? static_cast<uint8_t>(c) : ~uint64_t{0});
    return Syscall_error::none;
}

Syscall_error Syscall_handlers::kdb_exit(Thread &caller, Sys_kdb_exit call)
{
    if (!caller.space()->privileged())
        return Syscall_error::no_privilege;
    Platform::shutdown(call.status() == 0 ? Exit_status::success : Exit_status::failure);
}

// IPC is the common case: it gets a path of its own, so that the larger frame the other
// handlers need is not built for it.
void Syscalls::dispatch(Thread &caller, Exception_frame &frame)
{
    uint64_t number = syscall_number(frame);
    if ((number == TERN_SYSCALL_IPC || number == TERN_SYSCALL_LIPC) && !caller.space()->reflects_syscalls()) {
        Sys_ipc call{frame};
        Kip::count_general_ipc();
        caller.note_frame_rip(true);
        caller.ipc(Thread_id(call.to()), Thread_id(call.from_specifier()), call.timeouts());
        return;
    }
    dispatch_other(caller, frame);
}

[[gnu::hot]] void Syscalls::dispatch_other(Thread &caller, Exception_frame &frame)
{
    if (caller.space()->reflects_syscalls()) {
        User_exception::handle(caller, frame);  // frame.vector is Vectors::syscall
        return;
    }
    uint64_t number = syscall_number(frame);
    Syscall_entry entry = number < sizeof syscall_table / sizeof syscall_table[0] ? syscall_table[number] : nullptr;
    if (entry == nullptr) {
        // An unknown system call is an exception of the caller, like an invalid opcode.
        User_mode::make_invalid_opcode(frame);
        User_exception::handle(caller, frame);
        return;
    }
    entry(caller, frame);
}

extern "C" [[gnu::hot]] void syscall_dispatch(Exception_frame *frame)
{
    Syscalls::dispatch(*Scheduler::current(), *frame);
    Scheduler::current()->check_stack();  // on the way out of the kernel
}
