// SPDX-License-Identifier: MIT
// The root task's layout of thread numbers and memory, shared by the task table and the
// ELF loader.
#ifndef ROOT_LAYOUT_HPP
#define ROOT_LAYOUT_HPP

#include <l4/types.h>

namespace layout {

constexpr int max_tasks = 24;
constexpr unsigned threads_per_task = 16;  // thread j of task i: number user base + 64 + 16 i + j
constexpr L4_Word_t task_number_offset = 64;

// Root's own space: each task slot has a window of task_memory bytes of memory from
// sigma0, got once and reused by the slot's later tasks.
constexpr L4_Word_t task_window_base = 0x0000001000000000UL;
constexpr L4_Word_t task_window_stride = 4UL << 20;
constexpr int task_memory_log2 = 21;
constexpr L4_Word_t task_memory = 1UL << task_memory_log2;

// A task's space: image where its ELF file says, the stack below task_stack_top (the last
// task_stack bytes of the slot's memory), the UTCB area and the KIP as in root's own.
constexpr L4_Word_t task_stack = 64UL << 10;
constexpr L4_Word_t task_stack_top = 0x00007fffffe00000UL;
constexpr L4_Word_t task_utcb_area = 0x00007ffffff00000UL;
constexpr int task_utcb_area_log2 = 16;

}  // namespace layout

#endif
