// SPDX-License-Identifier: MIT
// The code of the KIP's system-call stubs (the stub page of the KIP area, docs/abi.md). There
// are two stub pages, and each call's stub starts at the same offset in both (its KIP link):
// ring-3 tasks get stubs that execute `syscall`; kernel-mode tasks, which run in ring 0, get
// stubs that jump into the kernel with the registers `syscall` would have left (docs/kernel.md,
// "Kernel-mode tasks"). A program calls the same KIP links either way and cannot tell which
// page it has. Only the bytes are made here: the kernel passes the addresses the stubs use,
// so the layout is checked on the host (syscall_stubs_test.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

class Syscall_stubs {
public:
    enum class Mode : uint8_t { ring3, kernel_task };

    // What a kernel-mode task's ThreadSwitch(nilthread) reads and writes itself, at kernel
    // addresses, instead of entering the kernel (write_thread_switch_body).
    struct Yield_view {
        uint64_t current;          // the address of this processor's current-thread pointer
        uint64_t highest_ready;    // the address of the scheduler's highest ready priority (int)
        uint32_t gate;             // offsets into a thread: its gate word,
        uint32_t priority;         // its priority byte,
        uint32_t delay_available;  // its preemption-delay budget flag (a byte; 1 = available)
        uint8_t running_gate;      // the gate of a running thread with no flag set
    };

    static constexpr size_t max_calls = 16;

    // Writes the stubs of calls (system-call numbers, in link order) into both pages, which
    // are then full: int3 outside the stubs, and in the kernel-mode page, its last word,
    // kernel_entry, where its stubs other than Ipc's and Lipc's jump. False, with the pages
    // not to be used, if a kernel address cannot be encoded or the stubs do not fit.
    static bool write_pages(uint8_t *ring3_page, uint8_t *kernel_task_page, const uint32_t *calls, size_t count,
                            uint64_t kernel_entry, const Yield_view &yield);
    // The offset of call number's stub in the stub page (its KIP link less the page's offset
    // in the KIP area); 0 for a call write_pages did not write.
    static size_t link(uint32_t number);
    // Where a thread stopped at offset into the stub page of mode from goes on in the stub
    // page of mode to (ThreadControl moves it to a space of that mode): at the stub's
    // continuation when it stopped at its continuation (its system call returns there), else
    // at the stub's start (no stub does anything before entering the kernel that a second
    // run does not redo). An offset outside every stub is returned as it is.
    static size_t resume_offset(size_t offset, Mode from, Mode to);

private:
    struct Stub {
        uint32_t number;
        uint16_t begin, end;             // [begin, end): this call's bytes in both pages
        uint16_t continuation[2];        // per Mode: where its system call returns to
    };
    class Code;

    static size_t write_ring3(Code &code, uint32_t number);
    static size_t write_kernel_task(Code &code, uint32_t number, const Yield_view &yield);
    static bool write_thread_switch_body(Code &code, const Yield_view &yield, size_t enter);
    static size_t write_kernel_entry(Code &code, uint32_t number);

    static inline Stub stubs_[max_calls] = {};
    static inline size_t count_ = 0;
};
