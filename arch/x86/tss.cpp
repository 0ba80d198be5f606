// SPDX-License-Identifier: MIT
#include "tss.hpp"

#include <stddef.h>

namespace {

alignas(16) uint8_t ist_stacks[3][Tss::ist_stack_size];
alignas(16) uint8_t entry_stack[Tss::entry_stack_size];

}  // namespace

void Tss::init()
{
    static_assert(offsetof(Tss, rsp_) == rsp0_offset, "entry.asm and Cpu_local address rsp0 by this");
    static_assert(offsetof(Tss, ist_) == ist_offset(double_fault), "entry.asm finds the stacks by this");
    static_assert(offsetof(Tss, io_bitmap_) == 104, "hardware layout: the bitmap follows the 104-byte TSS");
    static_assert(limit() == offsetof(Tss, io_bitmap_) + io_bitmap_bytes, "the limit covers the bitmap and 0xff");
    // Field by field: a temporary of this size would not fit the boot stack comfortably.
    reserved0_ = 0;
    for (unsigned i = 0; i < 3; ++i)
        rsp_[i] = 0;
    reserved1_ = 0;
    for (unsigned i = 0; i < 7; ++i)
        ist_[i] = i < 3 ? reinterpret_cast<uint64_t>(&ist_stacks[i][Tss::ist_stack_size]) : 0;
    ist_[entry - 1] = reinterpret_cast<uint64_t>(&entry_stack[Tss::entry_stack_size]);
    reserved2_ = 0;
    reserved3_ = 0;
    for (unsigned i = 0; i < io_bitmap_bytes; ++i)
        io_bitmap_[i] = 0xff;
    io_bitmap_end_ = 0xff;
    io_dirty_begin_ = io_dirty_end_ = 0;
    // No space has ports yet: ring 3 gets none (IOPL stays 0).
    deny_all_ports();
}
