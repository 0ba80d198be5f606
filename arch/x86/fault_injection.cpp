// SPDX-License-Identifier: MIT
#include "fault_injection.hpp"

#include <stdint.h>

#include "kernel_page_table.hpp"
#include "panic.hpp"
#include "scheduler.hpp"
#include "thread.hpp"

extern "C" char __kernel_text_start[];

namespace {

bool same(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b)
        ++a, ++b;
    return *a == *b;
}

uint64_t read_at(uint64_t address)
{
    uint64_t value;
    asm volatile("movq (%1), %0" : "=r"(value) : "r"(address) : "memory");
    return value;
}

void write_at(uint64_t address, uint64_t value) { asm volatile("movq %1, (%0)" : : "r"(address), "r"(value) : "memory"); }

// Deep enough to run through 16 KiB of stack into the guard page; the volatile counter
// keeps the compiler from turning the recursion into a loop.
volatile uint64_t recursion_depth = 0;

uint64_t recurse(uint64_t depth)
{
    volatile uint8_t frame[256];
    frame[0] = static_cast<uint8_t>(depth);
    recursion_depth = depth;
    if (depth > 1000000)
        return frame[0];
    return recurse(depth + 1) + frame[0];
}

alignas(16) uint8_t data_with_return[16] = {0xc3};

}  // namespace

bool Fault_injection::trigger(const char *kind)
{
    if (same(kind, "null"))
        read_at(0);
    else if (same(kind, "write-text"))
        write_at(reinterpret_cast<uint64_t>(__kernel_text_start), 0);
    else if (same(kind, "exec-data"))
        asm volatile("call *%0" : : "r"(data_with_return) : "memory");
    else if (same(kind, "read-identity"))
        read_at(Kernel_page_table::kernel_image().begin);
    else if (same(kind, "stack-overflow"))
        recurse(0);
    else if (same(kind, "invalid-opcode"))
        asm volatile("ud2");
    else if (same(kind, "divide")) {
        uint64_t dividend = 1;
        uint64_t zero = 0;
        asm volatile("xorl %%edx, %%edx\n\tdivq %1" : "+a"(dividend) : "r"(zero) : "rdx");
    } else if (same(kind, "breakpoint"))
        asm volatile("int3");
    else if (same(kind, "panic"))
        panic("deliberate panic (fault=panic)");
    else if (same(kind, "thread-stack-overflow")) {
        write_at(Scheduler::current()->stack_begin(), 0);
        Scheduler::schedule();
    }
    else
        return false;
    panic("fault=%s did not fault", kind);
}
