// SPDX-License-Identifier: MIT
// Where the Linux personality puts things in a process's address space (Tern's choice, not
// Linux's ABI): the program where its ELF file says, the heap above it, anonymous
// mappings top-down below the stack, the stack below the area root keeps for the KIP and
// UTCBs (Process_memory::user_limit).
#ifndef LINUX_PROCESS_LAYOUT_HPP
#define LINUX_PROCESS_LAYOUT_HPP

#include <stdint.h>

namespace process_layout {

constexpr uint64_t stack_top = 0x00007eff00000000;
constexpr uint64_t stack_size = uint64_t{8} << 20;
constexpr uint64_t mmap_top = stack_top - stack_size - (uint64_t{1} << 30);

constexpr uint64_t page_up(uint64_t value) { return (value + 4095) & ~uint64_t{4095}; }
constexpr uint64_t page_down(uint64_t value) { return value & ~uint64_t{4095}; }

}  // namespace process_layout

#endif
