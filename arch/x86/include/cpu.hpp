// SPDX-License-Identifier: MIT
// Thin wrappers over privileged x86-64 instructions. Everything here is a single
// instruction or a fixed sequence; policy lives in the callers.
#pragma once

#include <stdint.h>

class Cpu {
public:
    struct Cpuid {
        uint32_t eax, ebx, ecx, edx;
    };

    static Cpuid cpuid(uint32_t leaf, uint32_t subleaf = 0)
    {
        Cpuid r;
        asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
        return r;
    }

    // The width of physical addresses (CPUID 0x80000008), 36 where the CPU does not say.
    static unsigned physical_address_bits()
    {
        if (cpuid(0x80000000).eax < 0x80000008)
            return 36;
        return cpuid(0x80000008).eax & 0xff;
    }

    static uint64_t read_msr(uint32_t msr)
    {
        uint32_t low, high;
        asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
        return (uint64_t{high} << 32) | low;
    }
    static void write_msr(uint32_t msr, uint64_t value)
    {
        asm volatile("wrmsr" : : "c"(msr), "a"(static_cast<uint32_t>(value)), "d"(static_cast<uint32_t>(value >> 32)));
    }

    static uint64_t read_cr0() { uint64_t v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
    static void write_cr0(uint64_t v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
    static uint64_t read_cr2() { uint64_t v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
    static uint64_t read_cr3() { uint64_t v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
    static uint64_t read_cr4() { uint64_t v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
    static void write_cr3(uint64_t v) { asm volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
    static void write_cr4(uint64_t v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

    static uint64_t read_tsc()
    {
        uint32_t low, high;
        asm volatile("rdtsc" : "=a"(low), "=d"(high));
        return (uint64_t{high} << 32) | low;
    }

    static void enable_interrupts() { asm volatile("sti" : : : "memory"); }
    static void disable_interrupts() { asm volatile("cli" : : : "memory"); }
    // sti takes effect after the next instruction, so no interrupt is lost between them.
    static void enable_interrupts_and_wait() { asm volatile("sti; hlt" : : : "memory"); }

    [[noreturn]] static void halt_forever()
    {
        for (;;)
            asm volatile("cli; hlt" : : : "memory");
    }

    static constexpr uint32_t msr_efer = 0xc0000080;
    static constexpr uint32_t msr_apic_base = 0x1b;
};
