// SPDX-License-Identifier: MIT
#include "exception_report.hpp"

#include "console.hpp"
#include "cpu.hpp"
#include "platform.hpp"
#include "vectors.hpp"

extern "C" char boot_stack_bottom[], boot_stack_top[];

namespace {

void print_page_fault_cause(uint64_t error)
{
    Console::print(" [%s, %s, %s%s%s]", (error & 1) != 0 ? "protection" : "not present",
                   (error & 2) != 0 ? "write" : "read", (error & 4) != 0 ? "user" : "kernel",
                   (error & 16) != 0 ? ", instruction fetch" : "", (error & 8) != 0 ? ", reserved bit" : "");
}

void print_backtrace(uint64_t rbp)
{
    // Follow saved frame pointers while they stay on the boot stack; anything else ends it.
    auto bottom = reinterpret_cast<uint64_t>(boot_stack_bottom);
    auto top = reinterpret_cast<uint64_t>(boot_stack_top);
    Console::print("  backtrace:");
    for (unsigned depth = 0; depth < 16 && rbp >= bottom && rbp + 16 <= top && (rbp & 7) == 0; ++depth) {
        const auto *frame = reinterpret_cast<const uint64_t *>(rbp);
        Console::print(" %#llx", static_cast<unsigned long long>(frame[1]));
        if (frame[0] <= rbp)
            break;
        rbp = frame[0];
    }
    Console::print("\n");
}

}  // namespace

const char *Exception_report::name(uint64_t vector)
{
    switch (vector) {
    case Vectors::divide_error: return "#DE divide error";
    case Vectors::debug: return "#DB debug";
    case Vectors::nmi: return "NMI";
    case Vectors::breakpoint: return "#BP breakpoint";
    case Vectors::overflow: return "#OF overflow";
    case Vectors::bound_range: return "#BR bound range";
    case Vectors::invalid_opcode: return "#UD invalid opcode";
    case Vectors::device_not_available: return "#NM device not available";
    case Vectors::double_fault: return "#DF double fault";
    case Vectors::invalid_tss: return "#TS invalid TSS";
    case Vectors::segment_not_present: return "#NP segment not present";
    case Vectors::stack_fault: return "#SS stack fault";
    case Vectors::general_protection: return "#GP general protection";
    case Vectors::page_fault: return "#PF page fault";
    case Vectors::x87_error: return "#MF x87 error";
    case Vectors::alignment_check: return "#AC alignment check";
    case Vectors::machine_check: return "#MC machine check";
    case Vectors::simd_error: return "#XM SIMD error";
    case Vectors::virtualization: return "#VE virtualization";
    case Vectors::control_protection: return "#CP control protection";
    case Vectors::preemption_fault: return "preemption fault (delay overrun)";
    default: return "reserved exception";
    }
}

void Exception_report::kernel_fault(const Exception_frame &f)
{
    using ull = unsigned long long;
    Console::print("\nKERNEL EXCEPTION: %s (vector %llu), error code %#llx", name(f.vector), static_cast<ull>(f.vector),
                   static_cast<ull>(f.error_code));
    if (f.vector == Vectors::page_fault)
        print_page_fault_cause(f.error_code);
    Console::print("\n  rip 0x%016llx  cs 0x%04llx  rflags 0x%08llx  cr2 0x%016llx\n", static_cast<ull>(f.rip),
                   static_cast<ull>(f.cs), static_cast<ull>(f.rflags), static_cast<ull>(Cpu::read_cr2()));
    Console::print("  rsp 0x%016llx  ss 0x%04llx  cr3 0x%016llx\n", static_cast<ull>(f.rsp), static_cast<ull>(f.ss),
                   static_cast<ull>(Cpu::read_cr3()));
    Console::print("  rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", static_cast<ull>(f.rax),
                   static_cast<ull>(f.rbx), static_cast<ull>(f.rcx), static_cast<ull>(f.rdx));
    Console::print("  rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n", static_cast<ull>(f.rsi),
                   static_cast<ull>(f.rdi), static_cast<ull>(f.rbp), static_cast<ull>(f.r8));
    Console::print("  r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n", static_cast<ull>(f.r9),
                   static_cast<ull>(f.r10), static_cast<ull>(f.r11), static_cast<ull>(f.r12));
    Console::print("  r13 %016llx r14 %016llx r15 %016llx\n", static_cast<ull>(f.r13), static_cast<ull>(f.r14),
                   static_cast<ull>(f.r15));
    print_backtrace(f.rbp);
    Console::print("KERNEL EXCEPTION: stopping the machine\n");
    Platform::shutdown(Exit_status::failure);
}
