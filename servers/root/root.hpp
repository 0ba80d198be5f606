// SPDX-License-Identifier: MIT
// The root task of the normal boot. It reads the boot configuration, starts the servers it
// names (each in its own space, root as pager and exception handler), offers the name
// service and the system protocol (<l4/tern/names.h>, <l4/tern/system.h>), and ends tasks
// that exit or fault.
//
// One thread does all of it, in libl4's server loop, so no table needs a lock; it never
// waits for a task: replies go out with a zero send timeout, to callers blocked in their
// call. root.cpp starts and dispatches; root-requests.cpp answers the requests.
#ifndef ROOT_ROOT_HPP
#define ROOT_ROOT_HPP

#include <l4/pager.h>
#include <l4/tern/server.hpp>

#include "name_service.hpp"
#include "pci_bus.hpp"
#include "port_pci_config.hpp"
#include "task_table.hpp"

class Root final : public tern::Server
{
public:
    Root();
    // Starts the servers of the boot configuration (the module named by root's own
    // argument config=NAME, system.conf by default).
    void start_servers();

private:
    static constexpr unsigned max_servers = 16;
    static constexpr unsigned max_port_ranges = 32;

    tern::Reply handle(L4_ThreadId_t from, const tern::Message &message, tern::Message &reply) override;
    void end_faulty(int index, const char *what, L4_Word_t detail, L4_Word_t ip);

    // root-requests.cpp: one request of the system protocol or the name service.
    tern::Reply request(L4_ThreadId_t from, const tern::Message &message, tern::Message &reply);
    tern::Reply names_request(L4_ThreadId_t from, const tern::Message &message, int caller, tern::Message &reply);
    tern::Reply run_request(L4_ThreadId_t from, const tern::Message &message, int caller, tern::Message &reply);
    tern::Reply interrupt_request(int caller, tern::Message &reply);
    tern::Reply io_request(L4_Word_t fpage_raw, int caller, tern::Message &reply);
    tern::Reply irq_request(L4_ThreadId_t from, L4_Word_t irq, int caller, tern::Message &reply);
    tern::Reply tasks_request(L4_Word_t index, tern::Message &reply);
    tern::Reply shutdown_request(const tern::Message &message, int caller, tern::Message &reply);
    tern::Reply space_new_request(const tern::Message &message, int caller, tern::Message &reply);
    tern::Reply space_delete_request(const tern::Message &message, int caller, tern::Message &reply);
    tern::Reply space_thread_request(const tern::Message &message, int caller, tern::Message &reply);
    tern::Reply module_request(const tern::Message &message, tern::Message &reply);
    // root-devices.cpp: PCI functions, their hand-over to drivers, DMA memory.
    tern::Reply pci_request(const tern::Message &message, tern::Message &reply);
    tern::Reply pci_claim_request(L4_ThreadId_t from, const tern::Message &message, int caller, tern::Message &reply);
    tern::Reply dma_request(const tern::Message &message, int caller, tern::Message &reply);
    // A task as a holder of a device or memory: its slot and that slot's generation then.
    struct Device_claim {
        int task = -1;
        L4_Word_t generation = 0;
        bool msix = false;  // root turned the function's MSI-X on for it
    };
    bool claim_alive(const Device_claim &claim) const;
    // A task that ends: the functions it claimed stop decoding and mastering the bus (no
    // DMA into memory root gives again).
    void release_devices(int index);
    // Whether interrupt line is attached for a live task other than caller.
    bool line_held_by_other(long line, int caller) const;
    // MSI-X for function index, whose claim caller makes: a message-signalled line no other
    // task holds, entry 0 of the function's table set to raise it (root maps the table's
    // page from sigma0); the line, or -1 (the function, the kernel or root's window cannot:
    // the caller gets the function's pin). msix_on then turns the function's MSI-X on, once
    // its memory decoding is.
    long msix_line(unsigned index, int caller);
    void msix_on(unsigned index, bool on);
    // The kernel's message-signalled lines (the KIP's feature "msi="): count 0 if none.
    struct Msi_lines {
        L4_Word_t first = 0, count = 0, address = 0, data = 0;
    };
    static Msi_lines read_msi_lines();
    Msi_lines msi_lines_;
    bool msix_table_mapped_[Pci_bus::max_devices] = {};
    static constexpr L4_Word_t msix_window_base = 0x0000005000000000UL;  // a page per function
    static constexpr L4_Word_t dma_quota = 4UL << 20;  // a task's DMA memory at most
    // Walks PCI configuration space (root keeps the ports it needs); how many functions.
    unsigned scan_pci();
    int port_range_held(L4_Word_t base, L4_Word_t size) const;
    bool get_port_range(L4_Word_t base, L4_Word_t count);

    Name_service names_;
    Task_table tasks_{names_};
    L4_Pager_t pager_;
    Server_config servers_[max_servers];
    unsigned configured_ = 0;  // the valid entries of servers_
    // I/O fpages root got from sigma0. At a task's first port request root asks sigma0 for
    // the task's whole granted range (as the aligned power-of-two fpages that make it up) and
    // keeps it; every request is then mapped out of a held fpage that covers it.
    L4_Fpage_t ports_held_[max_port_ranges] = {};
    Port_pci_config pci_ports_;
    Pci_bus pci_{pci_ports_};
    Device_claim claims_[Pci_bus::max_devices];
    // DMA memory: blocks root got from sigma0 into a window of its own, each held by a task
    // until it ends (then given again, cleared, for the same size).
    static constexpr L4_Word_t dma_window_base = 0x0000004000000000UL, dma_window_size = 1UL << 30;
    static constexpr L4_Word_t max_dma_log2 = 22;
    struct Dma_block {
        L4_Word_t log2 = 0;  // 0: unused
        L4_Word_t root_address = 0, physical = 0;
        Device_claim owner;
    };
    Dma_block dma_[64];
    L4_Word_t dma_window_next_ = dma_window_base;
};

#endif
