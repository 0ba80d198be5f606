// SPDX-License-Identifier: MIT
#include "interrupts.hpp"

#include "exception_report.hpp"
#include "interrupt_controller.hpp"
#include "interrupt_thread.hpp"
#include "local_apic.hpp"
#include "scheduler.hpp"
#include "user_exception.hpp"
#include "timer.hpp"
#include "vectors.hpp"

uint64_t Interrupts::spurious_ = 0;
uint64_t Interrupts::unexpected_ = 0;

extern "C" [[gnu::hot]] void interrupt_dispatch(Exception_frame *frame)
{
    Interrupts::dispatch(*frame);
    Scheduler::current()->check_stack();  // on the way out of the kernel
}

[[gnu::hot]] void Interrupts::dispatch(Exception_frame &frame)
{
    if (frame.vector < Vectors::exceptions_end) {
        if (!frame.from_user())
            Exception_report::kernel_fault(frame);
        User_exception::handle(*Scheduler::current(), frame);
        return;
    }

    if (unsigned line = Interrupt_controller::line_of_vector(frame.vector); line < Interrupt_controller::lines) {
        // Held before the EOI, so that a level-triggered line does not fire again at once.
        Interrupt_controller::hold(line);
        Interrupt_controller::end_of_interrupt();
        Interrupt_thread::raise(line);
    } else if (frame.vector == Vectors::apic_timer) {
        Timer::handle_interrupt();
    } else if (frame.vector == Vectors::apic_spurious ||
               (frame.vector >= Vectors::legacy_pic_base && frame.vector < Vectors::legacy_pic_end)) {
        // Spurious APIC and masked-PIC interrupts take no end-of-interrupt.
        ++spurious_;
    } else {
        ++unexpected_;
        Local_apic::end_of_interrupt();
    }
}
