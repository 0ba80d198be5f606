// SPDX-License-Identifier: MIT
#include "fpu.hpp"

#include "cpu.hpp"
#include "cpu_local.hpp"

namespace {

constexpr uint64_t cr0_monitor_coprocessor = 1u << 1;
constexpr uint64_t cr0_emulation = 1u << 2;
constexpr uint64_t cr0_numeric_error = 1u << 5;
constexpr uint64_t cr4_osfxsr = 1u << 9;
constexpr uint64_t cr4_osxmmexcpt = 1u << 10;

// What a thread's registers hold before it first uses them: FNINIT's x87 state, the
// default MXCSR (all exceptions masked), zero MMX/XMM registers.
alignas(16) uint8_t initial_image[512];

void save(uint8_t *image) { asm volatile("fxsave64 %0" : "=m"(*reinterpret_cast<uint8_t(*)[512]>(image))); }
void restore(const uint8_t *image)
{
    asm volatile("fxrstor64 %0" : : "m"(*reinterpret_cast<const uint8_t(*)[512]>(image)));
}

void clear_task_switched() { asm volatile("clts" ::: "memory"); }

}  // namespace

void Fpu::init()
{
    Cpu::write_cr0((Cpu::read_cr0() & ~cr0_emulation) | cr0_monitor_coprocessor | cr0_numeric_error);
    Cpu::write_cr4(Cpu::read_cr4() | cr4_osfxsr | cr4_osxmmexcpt);
    clear_task_switched();
    uint32_t mxcsr = 0x1f80;
    asm volatile("fninit\n\t"
                 "ldmxcsr %0\n\t"
                 "pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\tpxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"
                 "pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\tpxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7\n\t"
                 "pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\tpxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
                 "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\tpxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15"
                 :
                 : "m"(mxcsr)
                 : "memory");
    save(initial_image);
    set_task_switched();
}

void Fpu::take(Fpu_state &state)
{
    clear_task_switched();
    Cpu_local &local = Cpu_local::get();
    if (local.fpu_owner == &state)
        return;
    if (local.fpu_owner != nullptr) {
        save(local.fpu_owner->image_);
        local.fpu_owner->owner_ = false;
    }
    restore(state.used_ ? state.image_ : initial_image);
    state.used_ = true;
    state.owner_ = true;
    local.fpu_owner = &state;
}

void Fpu::release(Fpu_state &state)
{
    if (!state.owner_)
        return;
    state.owner_ = false;
    Cpu_local::get().fpu_owner = nullptr;
    set_task_switched();
}
