// SPDX-License-Identifier: MIT
// The 64-bit task-state segment: the stack the CPU switches to on entry from user mode
// (rsp0) and the interrupt stacks (IST) for faults that must not trust the current stack.
#pragma once

#include <stdint.h>

class Tss {
public:
    enum Ist : uint8_t {
        none = 0,
        double_fault = 1,
        nmi = 2,
        machine_check = 3,
    };

    static constexpr unsigned ist_stack_size = 8192;

    void init();
    void set_kernel_stack(uint64_t top) { rsp_[0] = top; }
    static constexpr unsigned rsp0_offset = 4;  // checked in Tss::init

private:
    uint32_t reserved0_;
    uint64_t rsp_[3];
    uint64_t reserved1_;
    uint64_t ist_[7];
    uint64_t reserved2_;
    uint16_t reserved3_;
    uint16_t io_map_base_;
} __attribute__((packed));

static_assert(sizeof(Tss) == 104, "hardware layout");
