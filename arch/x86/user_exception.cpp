// SPDX-License-Identifier: MIT
// x86 exceptions of user code: decoded from the frame (vector, error code, CR2) into the
// generic fault IPC (Fault_ipc), or sent as the exception message of this architecture's
// registers (see user_exception.hpp).
#include "user_exception.hpp"

#include "abi.h"
#include "console.hpp"
#include "cpu.hpp"
#include "exception_report.hpp"
#include "fault_ipc.hpp"
#include "fpu.hpp"
#include "memory_layout.hpp"
#include "scheduler.hpp"
#include "space.hpp"
#include "thread.hpp"
#include "user_mode.hpp"
#include "vectors.hpp"

[[gnu::hot]] void User_exception::handle(Thread &thread, Exception_frame &frame)
{
    // Lazy switching: the instruction is retried. Without memory for the thread's FPU
    // state the #NM is the thread's exception (its handler may retry later).
    if (frame.vector == Vectors::device_not_available && Fpu::take(thread.fpu())) {
        thread.note_fpu_taken();
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
    Fault_ipc::page_fault(thread, address, access, frame.rip);
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

void User_exception::preemption_fault(Thread &thread)
{
    Exception_frame &frame = thread.frame();
    frame.vector = Vectors::preemption_fault;
    frame.error_code = 0;
    exception_ipc(thread, frame);
}

void User_exception::rip_not_allowed(Thread &thread, Exception_frame &frame)
{
    frame.vector = Vectors::general_protection;
    frame.error_code = 0;
    exception_ipc(thread, frame);
}

// entry.asm's return to a task, for a frame whose rip it must not return to.
extern "C" void task_rip_not_allowed(Exception_frame *frame)
{
    User_exception::rip_not_allowed(*Scheduler::current(), *frame);
}

namespace {

// The registers an exception message carries and its reply sets, each with its MR index.
struct General_register {
    unsigned index;
    uint64_t Exception_frame::*field;
};
constexpr General_register general_registers[] = {
    {TERN_EXCEPTION_MR_RDI, &Exception_frame::rdi}, {TERN_EXCEPTION_MR_RSI, &Exception_frame::rsi},
    {TERN_EXCEPTION_MR_RBP, &Exception_frame::rbp}, {TERN_EXCEPTION_MR_RSP, &Exception_frame::rsp},
    {TERN_EXCEPTION_MR_RBX, &Exception_frame::rbx}, {TERN_EXCEPTION_MR_RDX, &Exception_frame::rdx},
    {TERN_EXCEPTION_MR_RCX, &Exception_frame::rcx}, {TERN_EXCEPTION_MR_RAX, &Exception_frame::rax},
    {TERN_EXCEPTION_MR_R8, &Exception_frame::r8},   {TERN_EXCEPTION_MR_R9, &Exception_frame::r9},
    {TERN_EXCEPTION_MR_R10, &Exception_frame::r10}, {TERN_EXCEPTION_MR_R11, &Exception_frame::r11},
    {TERN_EXCEPTION_MR_R12, &Exception_frame::r12}, {TERN_EXCEPTION_MR_R13, &Exception_frame::r13},
    {TERN_EXCEPTION_MR_R14, &Exception_frame::r14}, {TERN_EXCEPTION_MR_R15, &Exception_frame::r15},
};
// Those and rip, rflags, the vector, the error code and the two segment bases: every word.
static_assert(sizeof general_registers / sizeof general_registers[0] + 6 == TERN_EXCEPTION_WORDS);

}  // namespace

[[gnu::hot]] void User_exception::exception_ipc(Thread &thread, Exception_frame &frame)
{
    Thread_id handler(thread.utcb_word(TERN_UTCB_EXCEPTION_HANDLER));
    if (handler.is_nil()) {
        Console::print("user exception %s at rip %#llx, error code %#llx\n", Exception_report::name(frame.vector),
                       static_cast<unsigned long long>(frame.rip), static_cast<unsigned long long>(frame.error_code));
        return Fault_ipc::halt(thread, "exception without an exception handler");
    }
    // The message's layout is abi/x86_64.toml's [exception_message]: each register at its
    // generated MR index. It is written where it goes: the MRs of a handler that waits for
    // it, else the kernel's buffer for the general path.
    Thread *waiting = thread.exception_handler_waiting(handler);
    uint64_t *m = waiting != nullptr ? waiting->message_array() : thread.kernel_message;
    m[0] = Fault_ipc::tag(exception_label, 0);
    m[TERN_EXCEPTION_MR_RIP] = frame.rip;
    m[TERN_EXCEPTION_MR_RFLAGS] = frame.rflags;
    m[TERN_EXCEPTION_MR_VECTOR] = frame.vector;
    m[TERN_EXCEPTION_MR_ERROR_CODE] = frame.error_code;
    m[TERN_EXCEPTION_MR_FS_BASE] = thread.fs_base();
    m[TERN_EXCEPTION_MR_GS_BASE] = thread.gs_base();
    // (Unrolled, each copy is one load and one store: the table folds away.)
#pragma GCC unroll 16
    for (const General_register &r : general_registers)
        m[r.index] = frame.*r.field;
    bool replied = waiting != nullptr ? thread.deliver_exception(*waiting, handler, exception_words)
                                      : thread.exception_call(handler, exception_words);
    if (!replied)
        return Fault_ipc::halt(thread, "exception IPC to the handler failed");
    m = thread.kernel_message;  // where a reply that came the general way is
    // (A reply sent while the thread waited was applied when it came, and the thread
    // resumed at its frame: Thread::reply_to_exception. This one came otherwise.)
    if (const char *refused = apply_reply(thread, frame, m))
        Fault_ipc::halt(thread, refused);
}

[[gnu::hot]] const char *User_exception::apply_reply(Thread &thread, Exception_frame &frame, const uint64_t *m)
{
    unsigned reply_words = static_cast<unsigned>(m[0] & 63);
    if (reply_words == result_words) {
        frame.rax = m[1];  // a reflected system call's result, the common answer
        return nullptr;
    }
    if (reply_words < general_register_words)
        return nullptr;  // a short reply leaves the registers as they were
    if (!User_mode::is_user_address(m[TERN_EXCEPTION_MR_RIP]) || !User_mode::is_user_address(m[TERN_EXCEPTION_MR_RSP]))
        return "exception reply with a kernel or non-canonical rip or rsp";
    if (reply_words >= exception_words) {
        if (!User_mode::is_canonical(m[TERN_EXCEPTION_MR_FS_BASE]) || !User_mode::is_canonical(m[TERN_EXCEPTION_MR_GS_BASE]))
            return "exception reply with a non-canonical FS or GS base";
        thread.set_segment_bases(m[TERN_EXCEPTION_MR_FS_BASE], m[TERN_EXCEPTION_MR_GS_BASE]);
    }
    frame.rip = m[TERN_EXCEPTION_MR_RIP];
    User_mode::set_flags(frame, m[TERN_EXCEPTION_MR_RFLAGS]);
#pragma GCC unroll 16
    for (const General_register &r : general_registers)
        frame.*r.field = m[r.index];
    return nullptr;
}
