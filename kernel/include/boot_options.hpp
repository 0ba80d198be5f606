// SPDX-License-Identifier: MIT
// Options on the kernel command line, as words "name" or "name=value":
//   shutdown         leave the emulator (success) once boot reporting is done, instead of idling
//   ticks=N          report N timer ticks before that (default 3, at most 1000)
//   check=memory     exercise the page allocator against the memory map at boot
//   fault=KIND       deliberately fault after boot (tests the exception path and the harness)
//   ipc=general      IPC always takes the general path (the straight-line path for call and
//                    reply-and-wait is off), so tests can run both ways
//   roottask=kernel  the root task is a kernel-mode task (docs/kernel.md, "Kernel-mode tasks"):
//                    the boot line is the one authority above the root task, which the
//                    in-system suite's third run uses to run as a whole in ring 0
// A word containing '/' is the image's own path (QEMU and GRUB put it first) and is skipped.
// Unknown words are kept so the kernel can say it ignored them.
#pragma once

#include "types.hpp"

class Boot_options {
public:
    static constexpr size_t word_capacity = 32;
    static constexpr size_t max_unknown = 4;

    bool shutdown = false;
    unsigned ticks = 3;
    bool check_memory = false;
    bool direct_ipc = true;
    bool root_task_kernel_mode = false;
    char fault[word_capacity] = {};  // empty: no deliberate fault
    char unknown[max_unknown][word_capacity] = {};
    size_t unknown_count = 0;

    static Boot_options parse(const char *command_line);
};
