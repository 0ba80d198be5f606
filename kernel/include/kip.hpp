// SPDX-License-Identifier: MIT
// The kernel interface page: mapped read-only into every space at the base of its KIP area.
// Layout and field encodings follow X.2 (offsets in abi/x86_64.toml). The system-call stubs
// its links point at fill the area's second page, the stub page: code there is never
// written, and the KIP, which the kernel writes (UTCB pointers, statistics), is never code.
#pragma once

#include "abi.h"
#include "syscall_stubs.hpp"
#include "types.hpp"

class Page_allocator;

class Kip {
public:
    enum class Memory_kind : uint8_t { conventional = 1, reserved = 2, dedicated = 3, shared = 4, boot_loader = 14,
                                       architecture = 15 };
    struct Task_image {
        uint64_t sp, ip, low, high;
    };

    // Allocates and fills both pages; false when out of memory.
    // The clock's precisions (X.2's ClockInfo): of SystemClock, and of when timeouts end.
    static bool create(Page_allocator &pages, uint64_t read_precision_us, uint64_t schedule_precision_us);
    static Phys_addr physical() { return physical_; }
    // The stub page of a ring-3 task's KIP area, or of a kernel-mode task's (the same links,
    // stubs that enter the kernel without `syscall`).
    static Phys_addr stub_page(bool kernel_mode) { return kernel_mode ? kernel_task_stub_page_ : stub_page_; }
    // Where a thread stopped at rip in a space whose KIP area starts at from_area goes on
    // when ThreadControl moves it to a space whose area starts at to_area: a rip in the
    // first's stub page becomes the same point of the second's, whose mode may differ
    // (Syscall_stubs::resume_offset); any other rip stays.
    static uint64_t resume_address(uint64_t rip, uint64_t from_area, bool from_kernel_mode, uint64_t to_area,
                                   bool to_kernel_mode);

    // false when the descriptor table is full.
    static bool add_memory(Phys_range range, Memory_kind kind, bool is_virtual = false);
    static void set_sigma0(const Task_image &image);
    static void set_root_server(const Task_image &image);
    static void set_boot_info(uint64_t address);
    // X.2's processor descriptor: the core's clock and the clock of the bus its timer counts
    // (x86: the TSC and the local APIC timer), in kHz.
    static void set_processor_frequencies(uint64_t internal_khz, uint64_t external_khz);
    // The IPC statistics words (abi.md).
    static void set_fast_ipc(bool on) { word(TERN_KIP_IPC_FAST_PATH) = on ? 1 : 0; }
    static void count_general_ipc() { ++*general_ipc_count_; }
    // The idle time word of processor cpu (abi.md: idle_times): the ticks no thread ran.
    static void count_idle_time(unsigned cpu, uint64_t us) { word(TERN_KIP_IDLE_TIMES + 8 * uint64_t{cpu}) += us; }
    // The KIP word that holds the UTCB address of the thread running on processor cpu (the
    // GS base of user threads points at it in their space's KIP).
    static uint64_t *utcb_pointer(unsigned cpu) { return &word(TERN_KIP_UTCB_POINTERS + 8 * uint64_t{cpu}); }
    // The KIP word a kernel-mode task's Ipc stub jumps through (User_mode keeps it current).
    static uint64_t *kernel_task_ipc_entry() { return &word(TERN_KIP_KERNEL_TASK_IPC_ENTRY); }

private:
    static uint64_t &word(uint64_t offset);
    static Syscall_stubs::Yield_view yield_view();

    static Phys_addr physical_;
    static Phys_addr stub_page_;
    static Phys_addr kernel_task_stub_page_;
    static inline uint64_t *general_ipc_count_ = nullptr;
    static unsigned memory_descriptors_;
};
