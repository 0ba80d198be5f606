// SPDX-License-Identifier: MIT
#include "idt.hpp"

#include "gdt.hpp"
#include "tss.hpp"
#include "vectors.hpp"

extern "C" const uint64_t interrupt_stubs[Idt::vectors];  // entry.asm

namespace {

constexpr uint8_t interrupt_gate = 0x8e;       // present, DPL 0, 64-bit interrupt gate
constexpr uint8_t user_interrupt_gate = 0xee;  // the same, callable from user mode (int3, into)

struct __attribute__((packed)) Descriptor_pointer {
    uint16_t limit;
    uint64_t base;
};

uint8_t ist_for(unsigned vector)
{
    switch (vector) {
    case Vectors::double_fault: return Tss::double_fault;
    case Vectors::nmi: return Tss::nmi;
    case Vectors::machine_check: return Tss::machine_check;
    default: return Tss::entry;  // (entry.asm's OWN_IST names the three above)
    }
}

}  // namespace

Idt::Gate Idt::table_[Idt::vectors];

void Idt::load()
{
    for (unsigned vector = 0; vector < vectors; ++vector) {
        uint64_t target = interrupt_stubs[vector];
        table_[vector] = {static_cast<uint16_t>(target),
                          Gdt::kernel_code,
                          ist_for(vector),
                          vector == Vectors::breakpoint || vector == Vectors::overflow ? user_interrupt_gate
                                                                                        : interrupt_gate,
                          static_cast<uint16_t>(target >> 16),
                          static_cast<uint32_t>(target >> 32),
                          0};
    }
    Descriptor_pointer pointer{sizeof table_ - 1, reinterpret_cast<uint64_t>(table_)};
    asm volatile("lidt %0" : : "m"(pointer));
}
