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
#include "space.hpp"
#include "thread.hpp"
#include "user_mode.hpp"
#include "vectors.hpp"

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

void User_exception::exception_ipc(Thread &thread, Exception_frame &frame)
{
    Thread_id handler(thread.utcb_word(TERN_UTCB_EXCEPTION_HANDLER));
    if (handler.is_nil()) {
        Console::print("user exception %s at rip %#llx, error code %#llx\n", Exception_report::name(frame.vector),
                       static_cast<unsigned long long>(frame.rip), static_cast<unsigned long long>(frame.error_code));
        return Fault_ipc::halt(thread, "exception without an exception handler");
    }
    uint64_t *m = thread.kernel_message;
    const uint64_t registers[] = {frame.rip, frame.rflags, frame.vector, frame.error_code, frame.rdi, frame.rsi,
                                  frame.rbp, frame.rsp,    frame.rbx,    frame.rdx,        frame.rcx, frame.rax,
                                  frame.r8,  frame.r9,     frame.r10,    frame.r11,        frame.r12, frame.r13,
                                  frame.r14, frame.r15,    thread.fs_base(), thread.gs_base()};
    static_assert(sizeof registers / sizeof registers[0] == exception_words);
    m[0] = Fault_ipc::tag(exception_label, 0);
    for (unsigned i = 0; i < exception_words; ++i)
        m[i + 1] = registers[i];
    if (!thread.kernel_call(handler, exception_words))
        return Fault_ipc::halt(thread, "exception IPC to the handler failed");
    unsigned reply_words = static_cast<unsigned>(m[0] & 63);
    if (reply_words < general_register_words)
        return;  // a short reply leaves the registers as they were
    if (!User_mode::is_user_address(m[1]) || !User_mode::is_user_address(m[8]))
        return Fault_ipc::halt(thread, "exception reply with a kernel or non-canonical rip or rsp");
    if (reply_words >= exception_words) {
        if (!User_mode::is_canonical(m[21]) || !User_mode::is_canonical(m[22]))
            return Fault_ipc::halt(thread, "exception reply with a non-canonical FS or GS base");
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
