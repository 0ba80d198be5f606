// SPDX-License-Identifier: MIT
// The C++ side of boot on x86-64, entered from boot/start.asm on the boot stack with the
// boot loader's 1 GiB window mapped. The order matters and each step says why.
#include "boot_options.hpp"
#include "boot_tasks.hpp"
#include "console.hpp"
#include "console_output.hpp"
#include "cpu_local.hpp"
#include "acpi_tables.hpp"
#include "cpu.hpp"
#include "fpu.hpp"
#include "gdt.hpp"
#include "idt.hpp"
#include "interrupt_controller.hpp"
#include "kernel.hpp"
#include "kernel_memory.hpp"
#include "kernel_page_table.hpp"
#include "kip.hpp"
#include "local_apic.hpp"
#include "memory_layout.hpp"
#include "multiboot.hpp"
#include "panic.hpp"
#include "scheduler.hpp"
#include "space.hpp"
#include "timer.hpp"
#include "tss.hpp"
#include "usable_memory.hpp"
#include "user_mode.hpp"

extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();

namespace {

Boot_info boot_info;
Range_set usable_memory;
Range_set kernel_frames;  // usable_memory's whole 2 MiB frames
Page_allocator page_allocator;
// Beside the fast path's other hot data, in one page (linker.ld).
[[gnu::section(".data.ipc_hot.cpu_local")]] Cpu_local boot_cpu;

// Set by a global constructor: proves constructors ran before the kernel relies on them.
struct Constructor_probe {
    bool ran = false;
    Constructor_probe() { ran = true; }
};
Constructor_probe constructor_probe;

void run_global_constructors()
{
    for (auto constructor = __init_array_start; constructor != __init_array_end; ++constructor)
        (*constructor)();
}

}  // namespace

extern "C" [[noreturn]] void arch_start(uint32_t magic, uint32_t info_address);

void arch_start(uint32_t magic, uint32_t info_address)
{
    // Output first, so that everything after can report; it needs no constructor.
    Console_output::init();
    run_global_constructors();
    Kernel::print_banner();
    if (!constructor_probe.ran)
        panic("global constructors did not run");
    Console::print("global constructors: ran\n");

    // Exceptions from here on are reported instead of triple-faulting.
    boot_cpu.tss.init();
    Gdt::load(boot_cpu.tss);
    Idt::load();
    Cpu_local::install(boot_cpu);
    User_mode::init();
    Console::print("SMEP: %s\n", User_mode::smep() ? "on" : "not available");
    Fpu::init();

    Physical_window boot_window{Memory_layout::direct_map_base, Memory_layout::boot_window_size};
    if (Multiboot::Error error = Multiboot::parse(magic, info_address, boot_window, boot_info);
        error != Multiboot::Error::none)
        panic("boot information unusable: %s", Multiboot::describe(error));

    if (Usable_memory::compute(boot_info, Kernel_page_table::kernel_image(), usable_memory) != Usable_memory::Error::none)
        panic("memory map too fragmented to describe");
    // The allocator gets only whole 2 MiB frames, which the direct map maps with large pages:
    // every kernel object (threads, spaces, the KIP) is then reached through a page directory
    // entry, without a page table of its own, one step less for each TLB miss (and, under
    // an emulator, one refill less after each address-space switch). sigma0 gets the edges.
    if (Usable_memory::split_whole_frames(usable_memory, Page_table::large_page_size, kernel_frames,
                                          Kernel_memory::sigma0_only()) != Usable_memory::Error::none)
        panic("memory map too fragmented to describe");
    // Until the kernel's own tables map all RAM, only the boot window can be touched.
    if (Page_allocator::Error error = page_allocator.init(kernel_frames, Memory_layout::direct_map_base,
                                                          Memory_layout::boot_window_size);
        error != Page_allocator::Error::none)
        panic("page allocator: cannot start (error %d)", static_cast<int>(error));

    // The firmware's tables are read through the boot window too, before it goes.
    Interrupt_routing routing = Interrupt_routing::pc_default();
    unsigned overrides = 0;
    Acpi_tables::Error acpi = Acpi_tables::find_interrupt_routing(boot_window, routing, overrides);
    // An I/O APIC in RAM is a firmware mistake the kernel must not act on: its registers
    // would be the memory of the kernel or of a task.
    for (size_t i = 0; acpi == Acpi_tables::Error::none && i < boot_info.region_count; ++i) {
        const Memory_region &region = boot_info.regions[i];
        if (region.type != Memory_type::reserved && routing.io_apic + page_size > region.base &&
            routing.io_apic < region.base + region.size) {
            acpi = Acpi_tables::Error::bad_table;
            routing = Interrupt_routing::pc_default();
        }
    }

    Kernel_page_table::build(boot_info, page_allocator);
    Kernel_page_table::activate();
    for (size_t i = 0; i < kernel_frames.count(); ++i) {
        Phys_range range = kernel_frames[i];
        if (range.end <= Memory_layout::boot_window_size)
            continue;
        if (range.begin < Memory_layout::boot_window_size)
            range.begin = Memory_layout::boot_window_size;
        if (page_allocator.add(range) != Page_allocator::Error::none)
            panic("page allocator: cannot add memory above the boot window");
    }
    Console::print("kernel page tables: active (text RX, rodata R, data RW NX, no identity map)\n");

    Kernel::report_boot(boot_info, page_allocator);
    Kernel_memory::set(page_allocator);
    Space::set_kernel_table(Kernel_page_table::table());
    Thread::init_table();
    Thread *idle = Thread::create_idle();
    if (idle == nullptr)
        panic("no memory for the idle thread");
    Scheduler::init(idle);

    if (!Local_apic::present())
        panic("this CPU has no local APIC");
    Timer::init(Kernel_page_table::map_device(Local_apic::physical_base(), page_size));
    Console::print("timer: local APIC at %u Hz (APIC timer %llu kHz, TSC %llu MHz)\n", Timer::frequency_hz,
                   static_cast<unsigned long long>(Timer::apic_timer_hz() / 1000),
                   static_cast<unsigned long long>(Timer::tsc_hz() / 1000000));

    if (acpi == Acpi_tables::Error::none)
        Console::print("interrupts: routing from the ACPI MADT (%u overrides)\n", overrides);
    else
        Console::print("interrupts: %s, PC board routing\n", Acpi_tables::describe(acpi));
    if (Interrupt_controller::init(routing))
        Console::print("interrupts: I/O APIC at %#llx, %u lines as interrupt threads\n",
                       static_cast<unsigned long long>(routing.io_apic), Interrupt_controller::lines);
    else
        Console::print("interrupts: no I/O APIC, no interrupt threads\n");

    Boot_options options = Boot_options::parse(boot_info.command_line);
    if (options.check_memory && !Kernel::check_memory(page_allocator, usable_memory))
        panic("check=memory failed");
    // SystemClock counts TSC microseconds; the timer is programmed for each deadline's microsecond.
    if (!Kip::create(page_allocator, 1, 1))
        panic("no memory for the kernel interface page");
    Cpu_local::get().utcb_pointer = Kip::utcb_pointer(0);
    Cpu_local::get().kernel_task_ipc_entry = Kip::kernel_task_ipc_entry();
    User_mode::set_kernel_task_ipc_entry(Cpu_local::get());
    Kip::set_processor_frequencies(Timer::tsc_hz() / 1000, Timer::apic_timer_hz() / 1000);
    Space::set_direct_ipc(options.direct_ipc);
    Kip::set_fast_ipc(options.direct_ipc);
    unsigned tasks = Boot_tasks::start(boot_info, options.root_task_kernel_mode);
    Kernel::run(options, tasks);
}
