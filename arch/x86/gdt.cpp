// SPDX-License-Identifier: MIT
#include "gdt.hpp"

#include "tss.hpp"

namespace {

// Code and data descriptors: in long mode only the access byte and the L bit matter.
constexpr uint64_t present = uint64_t{1} << 47;
constexpr uint64_t code_or_data = uint64_t{1} << 44;
constexpr uint64_t executable = uint64_t{1} << 43;
constexpr uint64_t writable = uint64_t{1} << 41;
constexpr uint64_t long_mode = uint64_t{1} << 53;
constexpr uint64_t default_32 = uint64_t{1} << 54;
constexpr uint64_t granularity = uint64_t{1} << 55;
constexpr uint64_t limit_max = 0x000f00000000ffff;
constexpr uint64_t dpl3 = uint64_t{3} << 45;

constexpr uint64_t kernel_code_descriptor = present | code_or_data | executable | long_mode;
constexpr uint64_t kernel_data_descriptor = present | code_or_data | writable | granularity | default_32 | limit_max;
constexpr uint64_t user_code32_descriptor =
    present | code_or_data | executable | dpl3 | granularity | default_32 | limit_max;
constexpr uint64_t user_data_descriptor = kernel_data_descriptor | dpl3;
constexpr uint64_t user_code_descriptor = kernel_code_descriptor | dpl3;

struct __attribute__((packed)) Descriptor_pointer {
    uint16_t limit;
    uint64_t base;
};

}  // namespace

uint64_t Gdt::table_[Gdt::entries];

void Gdt::load(Tss &tss)
{
    table_[0] = 0;
    table_[1] = kernel_code_descriptor;
    table_[2] = kernel_data_descriptor;
    table_[3] = user_code32_descriptor;
    table_[4] = user_data_descriptor;
    table_[5] = user_code_descriptor;

    auto base = reinterpret_cast<uint64_t>(&tss);
    uint64_t limit = Tss::limit();  // the I/O bitmap included
    constexpr uint64_t available_tss = uint64_t{0x9} << 40;
    table_[6] = present | available_tss | (limit & 0xffff) | ((base & 0xffffff) << 16) | ((base >> 24 & 0xff) << 56);
    table_[7] = base >> 32;

    Descriptor_pointer pointer{sizeof table_ - 1, reinterpret_cast<uint64_t>(table_)};
    asm volatile("lgdt %0\n\t"
                 "pushq %1\n\t"
                 "leaq 1f(%%rip), %%rax\n\t"
                 "pushq %%rax\n\t"
                 "lretq\n"
                 "1:\n\t"
                 "movl %2, %%eax\n\t"
                 "movl %%eax, %%ds\n\t"
                 "movl %%eax, %%es\n\t"
                 "movl %%eax, %%ss\n\t"
                 "xorl %%eax, %%eax\n\t"
                 "movl %%eax, %%fs\n\t"
                 "movl %%eax, %%gs\n\t"
                 "ltr %w3"
                 :
                 : "m"(pointer), "i"(Selector::kernel_code), "i"(Selector::kernel_data), "r"(static_cast<uint16_t>(Selector::tss))
                 : "rax", "memory");
}
