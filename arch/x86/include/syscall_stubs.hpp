// SPDX-License-Identifier: MIT
// The code of the KIP's system-call stubs (the stub page of the KIP area, docs/abi.md). There
// are two stub pages with the same layout: ring-3 tasks get stubs that execute `syscall`;
// kernel-mode tasks, which run in ring 0, get stubs that jump into the kernel with the
// registers `syscall` would have left (docs/kernel.md, "Kernel-mode tasks"). A program
// calls the same KIP links either way and cannot tell which page it has.
#pragma once

#include <stddef.h>
#include <stdint.h>

class Syscall_stubs {
public:
    enum class Mode { ring3, kernel_task };

    // Fills a stub page with int3 and, in kernel_task mode, its last word with the kernel
    // entry its stubs jump through.
    static void prepare_page(uint8_t *page, Mode mode);
    // The stub of system call number, offset bytes into page.
    static void write(uint8_t *page, size_t offset, uint32_t number, Mode mode);

private:
    // A kernel-mode task's ThreadSwitch(nilthread), done in the task as a plain call when
    // it changes nothing but the preemption-delay budget; written out of line at offset.
    static size_t write_thread_switch_body(uint8_t *page, size_t offset, size_t enter_offset);
};
