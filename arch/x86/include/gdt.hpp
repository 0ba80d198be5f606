// SPDX-License-Identifier: MIT
// The global descriptor table. Its order is fixed by SYSCALL/SYSRET, which derive the
// kernel stack selector from the kernel code selector (+8) and the user selectors from
// one base (+8 data, +16 64-bit code), so user data must sit between the two user codes.
#pragma once

#include <stdint.h>

class Tss;

class Gdt {
public:
    enum Selector : uint16_t {
        kernel_code = 0x08,
        kernel_data = 0x10,
        user_code32 = 0x18 | 3,
        user_data = 0x20 | 3,
        user_code = 0x28 | 3,
        tss = 0x30,
    };

    // Loads this table and the task register, and reloads every segment register.
    static void load(Tss &tss);

private:
    static constexpr unsigned entries = 8;  // the TSS descriptor takes two
    static uint64_t table_[entries];
};
