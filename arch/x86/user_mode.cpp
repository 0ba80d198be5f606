// SPDX-License-Identifier: MIT
#include "user_mode.hpp"

#include "cpu.hpp"
#include "cpu_local.hpp"
#include "gdt.hpp"
#include "tss.hpp"

namespace {

constexpr uint32_t msr_star = 0xc0000081;
constexpr uint32_t msr_fmask = 0xc0000084;
constexpr uint64_t efer_syscall_enable = 1;

constexpr uint64_t rflags_direction = 1u << 10;
constexpr uint64_t rflags_alignment = 1u << 18;
constexpr uint64_t rflags_nested = 1u << 14;

}  // namespace

void Cpu_local::install(Cpu_local &local)
{
    local.self = &local;
    Cpu::write_msr(User_mode::msr_gs_base, reinterpret_cast<uint64_t>(&local));
    Cpu::write_msr(User_mode::msr_kernel_gs_base, 0);
}

void User_mode::init()
{
    Cpu::write_msr(Cpu::msr_efer, Cpu::read_msr(Cpu::msr_efer) | efer_syscall_enable);
    // SYSRET loads CS from STAR[63:48] + 16 and SS from + 8; SYSCALL CS from STAR[47:32].
    uint64_t sysret_base = Gdt::user_code32 & ~3u;
    Cpu::write_msr(msr_star, uint64_t{Gdt::kernel_code} << 32 | (sysret_base | 3) << 48);
    Cpu::write_msr(msr_lstar, reinterpret_cast<uint64_t>(syscall_entry_fast));
    Cpu_local::get().fast_syscall_entry = false;
    // SMEP where the CPU has it: the kernel never runs code of a user page. Kernel-mode tasks
    // run theirs in ring 0 and are unaffected: their pages are supervisor pages
    // (Page_table::set_user_half_supervisor). SMAP stays off: the kernel reads user memory
    // directly in places (docs/kernel.md).
    constexpr uint32_t cpuid_smep = 1u << 7;  // leaf 7, ebx
    constexpr uint64_t cr4_smep = uint64_t{1} << 20;
    smep_ = Cpu::cpuid(0).eax >= 7 && (Cpu::cpuid(7).ebx & cpuid_smep) != 0;
    if (smep_)
        Cpu::write_cr4(Cpu::read_cr4() | cr4_smep);
    // The kernel runs with interrupts off; entry also clears DF, TF, AC and NT.
    Cpu::write_msr(msr_fmask, User_mode::rflags_interrupt | rflags_direction | User_mode::rflags_trap | rflags_alignment | rflags_nested);
}

void User_mode::prepare_frame(Exception_frame &frame, uint64_t ip, uint64_t sp, bool kernel_mode)
{
    frame = Exception_frame();
    frame.rip = ip;
    frame.rsp = sp;
    set_ring(frame, kernel_mode);
    frame.rflags = User_mode::rflags_interrupt | User_mode::rflags_fixed;
}

void User_mode::set_ring(Exception_frame &frame, bool kernel_mode)
{
    frame.cs = kernel_mode ? Gdt::kernel_code : Gdt::user_code;
    frame.ss = kernel_mode ? Gdt::kernel_data : Gdt::user_data;
}
