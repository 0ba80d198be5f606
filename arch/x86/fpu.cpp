// SPDX-License-Identifier: MIT
#include "fpu.hpp"

#include <new>

#include "cpu.hpp"
#include "cpu_local.hpp"
#include "kernel_memory.hpp"
#include "panic.hpp"

namespace {

constinit Slab_cache fpu_cache("fpu", sizeof(Fpu_state), alignof(Fpu_state));

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

const Slab_cache &Fpu::cache() { return fpu_cache; }

bool Fpu::take(Fpu_state *&state)
{
    bool fresh = state == nullptr;
    if (fresh) {
        void *memory = fpu_cache.allocate(Kernel_memory::pages());
        if (memory == nullptr)
            return false;
        state = new (memory) Fpu_state;
    }
    clear_task_switched();
    Cpu_local &local = Cpu_local::get();
    if (local.fpu_owner == state)
        return true;
    if (local.fpu_owner != nullptr)
        save(local.fpu_owner->image_);
    // A state is only ever without a saved image while it is fresh: it owns the registers
    // from now until the next owner saves them into it.
    restore(fresh ? initial_image : state->image_);
    local.fpu_owner = state;
    return true;
}

void Fpu::release(Fpu_state *&state)
{
    if (state == nullptr)
        return;
    Cpu_local &local = Cpu_local::get();
    if (local.fpu_owner == state) {
        local.fpu_owner = nullptr;
        set_task_switched();
    }
    state->~Fpu_state();
    if (fpu_cache.free(state) != Slab_cache::Error::none)
        panic("fpu cache refused a state it allocated");
    state = nullptr;
}
