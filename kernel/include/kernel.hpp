// SPDX-License-Identifier: MIT
// The architecture-independent part of start-up: what the kernel reports and does once
// the architecture has brought up the CPU, memory and the timer.
#pragma once

#include "boot_info.hpp"
#include "boot_options.hpp"
#include "page_allocator.hpp"

class Kernel {
public:
    static constexpr const char *version = "0.1.0";

    static void print_banner();
    static void report_boot(const Boot_info &info, const Page_allocator &pages);
    // Walks every free page through the allocator and checks none lies in reserved memory.
    static bool check_memory(Page_allocator &pages, const Range_set &usable);
    // Kernel memory in use: per object kind (slab caches) and free pages.
    static void report_memory();
    // Interrupts per line (raised, answered), unclaimed, spurious and unexpected ones.
    static void report_interrupts();
    // Reports ticks, then runs the boot tasks (if any) or idles.
    [[noreturn]] static void run(const Boot_options &options, unsigned boot_tasks);
};
