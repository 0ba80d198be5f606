// SPDX-License-Identifier: MIT
#include "user_exception.hpp"

#include "abi.h"
#include "console.hpp"
#include "cpu.hpp"
#include "exception_report.hpp"
#include "fpu.hpp"
#include "memory_layout.hpp"
#include "scheduler.hpp"
#include "space.hpp"
#include "thread.hpp"
#include "timer.hpp"
#include "user_mode.hpp"
#include "vectors.hpp"

namespace {

uint64_t label_value(int64_t label, unsigned low_bits) { return Abi::label_of(label, low_bits); }


// Returns when ExchangeRegisters resumes the thread, usually with a new IP and SP; the
// thread then continues from its (possibly changed) frame.
void halt(Thread &thread, const char *why)
{
    Console::print("thread %#llx halted: %s\n", static_cast<unsigned long long>(thread.id().raw()), why);
    thread.halt();
    Scheduler::schedule();
}

}  // namespace

void User_exception::handle(Thread &thread, Exception_frame &frame)
{
    if (frame.vector == Vectors::device_not_available) {
        Fpu::take(thread.fpu());  // lazy switching: the instruction is retried
        return;
    }
    if (frame.vector == Vectors::page_fault) {
        page_fault(thread, frame, Cpu::read_cr2());
        return;
    }
    if (frame.vector == Vectors::invalid_opcode && kernel_interface(thread, frame))
        return;
    exception_ipc(thread, frame);
}

void User_exception::page_fault(Thread &thread, Exception_frame &frame, uint64_t address)
{
    constexpr uint64_t write = 2, fetch = 16;
    unsigned access = (frame.error_code & fetch) != 0 ? 1 : (frame.error_code & write) != 0 ? 2 : 4;
    thread.kernel_message[0] = label_value(page_fault_label, access) << 16;
    thread.kernel_message[1] = address;
    thread.kernel_message[2] = frame.rip;
    Thread_id pager = thread.pager();
    if (pager.is_nil())
        return halt(thread, "page fault without a pager");
    if (!thread.kernel_call(pager, 2))
        halt(thread, "page-fault IPC to the pager failed");
}

uint64_t User_exception::page_fault_call(Thread &thread, uint64_t address, unsigned access, uint16_t timeout)
{
    constexpr uint64_t no_partner = uint64_t{TERN_IPC_ERROR_NO_PARTNER} << 1;
    thread.kernel_message[0] = label_value(page_fault_label, access) << 16;
    thread.kernel_message[1] = address;
    thread.kernel_message[2] = thread.frame().rip;
    Thread_id pager = thread.pager();
    if (pager.is_nil())
        return no_partner;
    return thread.kernel_call(pager, 2, timeout);
}

bool User_exception::kernel_interface(Thread &thread, Exception_frame &frame)
{
    Phys_addr code = thread.space()->translate(frame.rip, false);
    if (code == 0 || (frame.rip & (page_size - 1)) > page_size - 2)
        return false;
    const auto *bytes = Memory_layout::direct_map<uint8_t>(code);
    if (bytes[0] != 0xf0 || bytes[1] != 0x90)
        return false;
    frame.rax = thread.space()->kip_area().base();
    frame.rcx = uint64_t{TERN_API_VERSION} << 24 | uint64_t{TERN_API_SUBVERSION} << 16;
    frame.rdx = TERN_API_FLAGS;
    frame.rsi = uint64_t{TERN_KERNEL_ID} << 24 | uint64_t{TERN_KERNEL_SUBID} << 16;
    frame.rip += 2;
    return true;
}

void User_exception::total_quantum_exhausted(Thread &thread)
{
    // X.2 preemption protocol: the thread runs only while it has quantum; a reply that
    // granted none is answered with the next message at once.
    while (thread.total_quantum_us() == 0) {
        uint64_t *m = thread.kernel_message;
        m[0] = label_value(preemption_label, 0) << 16;
        m[1] = Timer::now_us();
        m[2] = 0;
        if (!thread.kernel_call(thread.scheduler(), preemption_words))
            halt(thread, "preemption IPC to the scheduler failed");
    }
}

void User_exception::preemption_fault(Thread &thread)
{
    Exception_frame &frame = thread.frame();
    frame.vector = Vectors::preemption_fault;
    frame.error_code = 0;
    exception_ipc(thread, frame);
}

void User_exception::exception_ipc(Thread &thread, Exception_frame &frame)
{
    Thread_id handler(thread.utcb_word(TERN_UTCB_EXCEPTION_HANDLER));
    if (handler.is_nil()) {
        Console::print("user exception %s at rip %#llx, error code %#llx\n", Exception_report::name(frame.vector),
                       static_cast<unsigned long long>(frame.rip), static_cast<unsigned long long>(frame.error_code));
        return halt(thread, "exception without an exception handler");
    }
    uint64_t *m = thread.kernel_message;
    const uint64_t registers[] = {frame.rip, frame.rflags, frame.vector, frame.error_code, frame.rdi, frame.rsi,
                                  frame.rbp, frame.rsp,    frame.rbx,    frame.rdx,        frame.rcx, frame.rax,
                                  frame.r8,  frame.r9,     frame.r10,    frame.r11,        frame.r12, frame.r13,
                                  frame.r14, frame.r15,    thread.fs_base(), thread.gs_base()};
    static_assert(sizeof registers / sizeof registers[0] == exception_words);
    m[0] = label_value(exception_label, 0) << 16;
    for (unsigned i = 0; i < exception_words; ++i)
        m[i + 1] = registers[i];
    if (!thread.kernel_call(handler, exception_words))
        return halt(thread, "exception IPC to the handler failed");
    unsigned reply_words = static_cast<unsigned>(m[0] & 63);
    if (reply_words < general_register_words)
        return;  // a short reply leaves the registers as they were
    if (!User_mode::is_user_address(m[1]) || !User_mode::is_user_address(m[8]))
        return halt(thread, "exception reply with a kernel or non-canonical rip or rsp");
    if (reply_words >= exception_words) {
        if (!User_mode::is_canonical(m[21]) || !User_mode::is_canonical(m[22]))
            return halt(thread, "exception reply with a non-canonical FS or GS base");
        thread.set_segment_bases(m[21], m[22]);
    }
    frame.rip = m[1];
    frame.rflags = (frame.rflags & ~User_mode::user_settable_rflags) | (m[2] & User_mode::user_settable_rflags);
    frame.rdi = m[5];
    frame.rsi = m[6];
    frame.rbp = m[7];
    frame.rsp = m[8];
    frame.rbx = m[9];
    frame.rdx = m[10];
    frame.rcx = m[11];
    frame.rax = m[12];
    frame.r8 = m[13];
    frame.r9 = m[14];
    frame.r10 = m[15];
    frame.r11 = m[16];
    frame.r12 = m[17];
    frame.r13 = m[18];
    frame.r14 = m[19];
    frame.r15 = m[20];
}
