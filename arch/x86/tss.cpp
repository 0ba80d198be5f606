// SPDX-License-Identifier: MIT
#include "tss.hpp"

#include <stddef.h>

namespace {

alignas(16) uint8_t ist_stacks[3][Tss::ist_stack_size];

}  // namespace

void Tss::init()
{
    static_assert(offsetof(Tss, rsp_) == rsp0_offset, "entry.asm and Cpu_local address rsp0 by this");
    *this = Tss();
    for (unsigned i = 0; i < 3; ++i)
        ist_[i] = reinterpret_cast<uint64_t>(&ist_stacks[i][Tss::ist_stack_size]);
    // A bitmap offset at the limit means "no I/O bitmap": ring 3 gets no port unless IOPL allows.
    io_map_base_ = sizeof(Tss);
}
