// SPDX-License-Identifier: MIT
#include "local_apic.hpp"

#include "cpu.hpp"

namespace {

enum Register : uint32_t {
    apic_id = 0x020,
    task_priority = 0x080,
    end_of_interrupt_register = 0x0b0,
    spurious_vector = 0x0f0,
    lvt_timer = 0x320,
    timer_initial_count = 0x380,
    timer_current_count = 0x390,
    timer_divide = 0x3e0,
};

constexpr uint32_t software_enable = 1u << 8;
constexpr uint32_t timer_periodic = 1u << 17;
constexpr uint32_t lvt_masked = 1u << 16;
constexpr uint32_t divide_by_16 = 0x3;
constexpr uint64_t apic_global_enable = 1u << 11;

}  // namespace

volatile uint32_t *Local_apic::registers_ = nullptr;

uint32_t Local_apic::read(uint32_t reg) { return registers_[reg / 4]; }
void Local_apic::write(uint32_t reg, uint32_t value) { registers_[reg / 4] = value; }

bool Local_apic::present() { return (Cpu::cpuid(1).edx & (1u << 9)) != 0; }

uint64_t Local_apic::physical_base() { return Cpu::read_msr(Cpu::msr_apic_base) & 0x000ffffffffff000; }

void Local_apic::init(uintptr_t mmio, uint8_t spurious)
{
    registers_ = reinterpret_cast<volatile uint32_t *>(mmio);
    Cpu::write_msr(Cpu::msr_apic_base, Cpu::read_msr(Cpu::msr_apic_base) | apic_global_enable);
    write(task_priority, 0);
    write(spurious_vector, software_enable | spurious);
    write(timer_divide, divide_by_16);
    write(lvt_timer, lvt_masked);
}

uint8_t Local_apic::id() { return static_cast<uint8_t>(read(apic_id) >> 24); }

[[gnu::hot]] void Local_apic::end_of_interrupt() { write(end_of_interrupt_register, 0); }

void Local_apic::start_periodic_timer(uint8_t vector, uint32_t initial_count)
{
    write(lvt_timer, timer_periodic | vector);
    write(timer_initial_count, initial_count);
}

[[gnu::hot]] void Local_apic::start_one_shot_timer(uint8_t vector, uint32_t initial_count)
{
    write(lvt_timer, vector);  // one-shot mode: bits 17-18 clear
    write(timer_initial_count, initial_count);
}

void Local_apic::start_one_shot_count(uint32_t initial_count)
{
    write(lvt_timer, lvt_masked);
    write(timer_initial_count, initial_count);
}

uint32_t Local_apic::current_count() { return read(timer_current_count); }
