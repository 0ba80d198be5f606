// SPDX-License-Identifier: MIT
#include "kernel.hpp"

#include "console.hpp"
#include "cpu.hpp"
#include "fault_injection.hpp"
#include "interrupt_thread.hpp"
#include "interrupts.hpp"
#include "kernel_memory.hpp"
#include "mapper.hpp"
#include "memory_layout.hpp"
#include "platform.hpp"
#include "space.hpp"
#include "thread.hpp"
#include "scheduler.hpp"
#include "timer.hpp"

Page_allocator *Kernel_memory::pages_ = nullptr;
Range_set Kernel_memory::sigma0_only_;
constinit Mapping_database Kernel_memory::mappings_;

void Kernel::print_banner()
{
    Console::print("\nTern %s microkernel (x86-64)\n", version);
}

void Kernel::report_boot(const Boot_info &info, const Page_allocator &pages)
{
    Console::print("boot loader: %s\n", info.loader_name[0] != '\0' ? info.loader_name : "(unnamed)");
    Console::print("command line: %s\n", info.command_line);
    Console::print("memory map: %zu regions\n", info.region_count);
    for (size_t i = 0; i < info.region_count; ++i) {
        const Memory_region &region = info.regions[i];
        Console::print("  [0x%012llx, 0x%012llx) %8llu KiB %s\n", static_cast<unsigned long long>(region.base),
                       static_cast<unsigned long long>(region.base + region.size),
                       static_cast<unsigned long long>(region.size >> 10), Boot_info::type_name(region.type));
    }
    Console::print("modules: %zu\n", info.module_count);
    for (size_t i = 0; i < info.module_count; ++i) {
        const Boot_module &module = info.modules[i];
        Console::print("  module %zu: %.*s [%#llx, %#llx) %llu bytes, arguments \"%s\"\n", i,
                       static_cast<int>(module.path_length()), module.path(),
                       static_cast<unsigned long long>(module.image.begin),
                       static_cast<unsigned long long>(module.image.end),
                       static_cast<unsigned long long>(module.image.size()), module.arguments());
    }
    if (info.strings_truncated)
        Console::print("warning: the boot loader's name was too long and was cut\n");
    Console::print("physical memory: %llu KiB free of %llu KiB managed (page state %llu KiB)\n",
                   static_cast<unsigned long long>(pages.free_pages() * page_size >> 10),
                   static_cast<unsigned long long>(pages.managed_pages() * page_size >> 10),
                   static_cast<unsigned long long>(pages.state_range().size() >> 10));
}

void Kernel::report_memory()
{
    const Slab_cache *caches[] = {&Thread::cache(), &Fpu::cache(), &Space::cache(),
                                  &Kernel_memory::mappings().cache()};
    for (const Slab_cache *cache : caches)
        Console::print("kernel memory: %s: %zu objects of %zu bytes, %zu pages in %zu slabs\n", cache->name(),
                       cache->objects_in_use(), cache->object_size(), cache->pages_in_use(), cache->slab_count());
    // A thread is one object: its control block and its kernel stack (with the saved user
    // registers at the top); only a thread that has used the FPU has an fpu object as well.
    Console::print("kernel memory: per thread %zu bytes (control block %zu, kernel stack %zu), deepest stack use "
                   "%zu bytes\n",
                   Thread::object_size, Thread::control_block_size(), Thread::stack_size(),
                   Thread::deepest_stack());
    Console::print("kernel memory: %llu KiB free\n",
                   static_cast<unsigned long long>(Kernel_memory::pages().free_pages() * page_size >> 10));
}

void Kernel::report_interrupts()
{
    for (unsigned line = 0; line < Interrupt_thread::lines; ++line) {
        Interrupt_thread::Counters counters = Interrupt_thread::counters(line);
        if (counters.raised != 0)
            Console::print("interrupts: line %u: %llu raised, %llu answered\n", line,
                           static_cast<unsigned long long>(counters.raised),
                           static_cast<unsigned long long>(counters.delivered));
    }
    Console::print("interrupts: %llu unclaimed, %llu spurious, %llu unexpected\n",
                   static_cast<unsigned long long>(Interrupt_thread::unclaimed()),
                   static_cast<unsigned long long>(Interrupts::spurious_count()),
                   static_cast<unsigned long long>(Interrupts::unexpected_count()));
}

bool Kernel::check_memory(Page_allocator &pages, const Range_set &usable)
{
    // Take every free page, chaining them through their own first word, then give them back.
    uint64_t expected = pages.free_pages();
    uint64_t taken = 0;
    Phys_addr chain = 0;
    bool ok = true;
    for (Phys_addr page = pages.allocate(); page != 0; page = pages.allocate()) {
        if (!usable.contains({page, page + page_size}) || pages.state_range().overlaps({page, page + page_size})) {
            Console::print("check=memory: page %#llx is not usable memory\n", static_cast<unsigned long long>(page));
            ok = false;
        }
        *Memory_layout::direct_map<Phys_addr>(page) = chain;
        chain = page;
        ++taken;
    }
    while (chain != 0) {
        Phys_addr next = *Memory_layout::direct_map<Phys_addr>(chain);
        if (pages.free(chain) != Page_allocator::Error::none)
            ok = false;
        chain = next;
    }
    if (taken != expected || pages.free_pages() != expected) {
        Console::print("check=memory: %llu pages taken, %llu expected, %llu free after\n",
                       static_cast<unsigned long long>(taken), static_cast<unsigned long long>(expected),
                       static_cast<unsigned long long>(pages.free_pages()));
        ok = false;
    }
    Console::print("check=memory: %s, %llu pages allocated and freed, none outside usable memory\n",
                   ok ? "passed" : "FAILED", static_cast<unsigned long long>(taken));
    return ok;
}

void Kernel::run(const Boot_options &options, unsigned boot_tasks)
{
    for (size_t i = 0; i < options.unknown_count; ++i)
        Console::print("warning: ignored unknown boot option \"%s\"\n", options.unknown[i]);

    Cpu::enable_interrupts();
    uint64_t start = Timer::ticks();
    for (unsigned tick = 1; tick <= options.ticks; ++tick) {
        while (Timer::ticks() - start < tick)
            Cpu::enable_interrupts_and_wait();
        Console::print("timer: tick %u (%llu ms)\n", tick,
                       static_cast<unsigned long long>(uint64_t{tick} * 1000 / Timer::frequency_hz));
    }

    if (options.fault[0] != '\0' && !Fault_injection::trigger(options.fault))
        Console::print("warning: unknown fault kind \"%s\"\n", options.fault);

    if (boot_tasks > 0) {
        Console::print("boot complete: running %u boot tasks\n", boot_tasks);
    } else if (options.shutdown) {
        Console::print("boot complete: shutting down\n");
        Platform::shutdown(Exit_status::success);
    } else {
        Console::print("boot complete: idle (in QEMU, Ctrl-A X quits)\n");
    }
    // This is the idle thread from now on: it runs whenever no other thread is ready.
    Scheduler::start();
    for (;;) {
        Cpu::disable_interrupts();
        Scheduler::schedule();
        Cpu::enable_interrupts_and_wait();
    }
}
