// SPDX-License-Identifier: MIT
// Starts the tasks the boot loader brought: sigma0 (the root pager, owning all memory the
// kernel does not keep) and the root task (the first privileged task, sigma0 its pager).
// Each module is an ELF64 executable, checked before anything is loaded; a malformed or
// missing module is reported and not run. Task images are copied into kernel-allocated
// pages and mapped with their segments' rights; sigma0's own memory is mapped lazily.
// The root task also gets the boot modules, read-only, with X.2's boot information.
#pragma once

#include "boot_info.hpp"
#include "range_set.hpp"

class Boot_tasks {
public:
    static constexpr uint64_t kip_area = 0x00007fffffff0000;     // 8 KiB: the KIP and its stub page
    static constexpr uint64_t utcb_area = 0x00007fffff800000;    // 4 MiB: 4096 UTCBs, one per thread number
    static constexpr unsigned utcb_area_log2 = 22;
    static constexpr uint64_t stack_top = 0x00007fffffe00000;
    static constexpr uint64_t stack_size = 64 * 1024;
    static constexpr uint64_t boot_info_area = 0x0000700000000000;  // root task only: boot info, modules

    // Gives sigma0 all free memory but the kernel's reserve, then starts the tasks.
    // Returns the number of tasks started.
    static unsigned start(const Boot_info &info, bool root_task_kernel_mode);
    static const Range_set &sigma0_memory();
};
