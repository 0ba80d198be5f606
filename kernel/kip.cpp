// SPDX-License-Identifier: MIT
#include "kip.hpp"

#include "abi.h"
#include "formatter.hpp"
#include "interrupt_controller.hpp"
#include "thread.hpp"
#include "kernel.hpp"
#include "memory_layout.hpp"
#include "page_allocator.hpp"
#include "scheduler.hpp"
#include "syscall_stubs.hpp"
#include "cpu_local.hpp"

Phys_addr Kip::physical_ = 0;
Phys_addr Kip::stub_page_ = 0;
Phys_addr Kip::kernel_task_stub_page_ = 0;
unsigned Kip::memory_descriptors_ = 0;

namespace {

struct Link {
    uint64_t kip_offset;
    uint32_t syscall;
};

constexpr Link links[] = {
    {TERN_KIP_LINK_SPACE_CONTROL, TERN_SYSCALL_SPACE_CONTROL},
    {TERN_KIP_LINK_THREAD_CONTROL, TERN_SYSCALL_THREAD_CONTROL},
    {TERN_KIP_LINK_PROCESSOR_CONTROL, TERN_SYSCALL_PROCESSOR_CONTROL},
    {TERN_KIP_LINK_MEMORY_CONTROL, TERN_SYSCALL_MEMORY_CONTROL},
    {TERN_KIP_LINK_IPC, TERN_SYSCALL_IPC},
    {TERN_KIP_LINK_LIPC, TERN_SYSCALL_LIPC},
    {TERN_KIP_LINK_UNMAP, TERN_SYSCALL_UNMAP},
    {TERN_KIP_LINK_EXCHANGE_REGISTERS, TERN_SYSCALL_EXCHANGE_REGISTERS},
    {TERN_KIP_LINK_SYSTEM_CLOCK, TERN_SYSCALL_SYSTEM_CLOCK},
    {TERN_KIP_LINK_THREAD_SWITCH, TERN_SYSCALL_THREAD_SWITCH},
    {TERN_KIP_LINK_SCHEDULE, TERN_SYSCALL_SCHEDULE},
    {TERN_KIP_LINK_ARCH0, TERN_SYSCALL_KDB_OUTPUT},
    {TERN_KIP_LINK_ARCH1, TERN_SYSCALL_KDB_ENTER},
    {TERN_KIP_LINK_ARCH2, TERN_SYSCALL_KDB_EXIT},
    {TERN_KIP_LINK_ARCH3, TERN_SYSCALL_KDB_INPUT},
    {TERN_KIP_LINK_KERNEL_LOG, TERN_SYSCALL_KERNEL_LOG},
};
constexpr size_t link_count = sizeof links / sizeof links[0];
static_assert(link_count <= Syscall_stubs::max_calls);

}  // namespace

// entry_fast.asm: where a kernel-mode task's stubs enter.
extern "C" void kernel_task_entry();

// What a kernel-mode task's ThreadSwitch(nilthread) stub reads and writes in place of the
// kernel (Syscall_stubs::write_thread_switch_body): the same fields thread_switch uses.
Syscall_stubs::Yield_view Kip::yield_view()
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
    return {
        .current = reinterpret_cast<uint64_t>(&Cpu_local::get().current),
        .highest_ready = reinterpret_cast<uint64_t>(&Scheduler::highest_ready_),
        .gate = offsetof(Thread, state_),
        .priority = offsetof(Thread, priority_),
        .delay_available = offsetof(Thread, preemption_delay_) + Preemption_delay::available_offset(),
        .running_gate = static_cast<uint8_t>(Thread::running),
    };
#pragma GCC diagnostic pop
}

uint64_t &Kip::word(uint64_t offset) { return *Memory_layout::direct_map<uint64_t>(physical_ + offset); }

bool Kip::create(Page_allocator &pages, uint64_t read_precision_us, uint64_t schedule_precision_us)
{
    static_assert(TERN_KIP_SIZE == page_size && TERN_KIP_STUBS == page_size &&
                  TERN_KIP_AREA_LOG2 == page_shift + 1, "the KIP area is the KIP and the stub page above it");
    physical_ = pages.allocate();
    stub_page_ = pages.allocate();
    kernel_task_stub_page_ = pages.allocate();
    if (physical_ == 0 || stub_page_ == 0 || kernel_task_stub_page_ == 0)
        return false;
    auto *bytes = Memory_layout::direct_map<uint8_t>(physical_);
    auto *stubs = Memory_layout::direct_map<uint8_t>(stub_page_);
    auto *kernel_task_stubs = Memory_layout::direct_map<uint8_t>(kernel_task_stub_page_);
    for (size_t i = 0; i < page_size; ++i)
        bytes[i] = 0;
    uint32_t calls[link_count];
    for (size_t i = 0; i < link_count; ++i)
        calls[i] = links[i].syscall;
    if (!Syscall_stubs::write_pages(stubs, kernel_task_stubs, calls, link_count,
                                    reinterpret_cast<uint64_t>(kernel_task_entry), yield_view()))
        return false;

    word(TERN_KIP_MAGIC) = TERN_MAGIC;
    general_ipc_count_ = &word(TERN_KIP_IPC_GENERAL_COUNT);
    word(TERN_KIP_API_VERSION) = TERN_API_VERSION << 24 | TERN_API_SUBVERSION << 16;
    word(TERN_KIP_API_FLAGS) = TERN_API_FLAGS;
    word(TERN_KIP_KERNEL_DESCRIPTION) = TERN_KIP_KERNEL_DESCRIPTION_AREA;
    word(TERN_KIP_MEMORY_INFO) = uint64_t{TERN_KIP_MEMORY_DESCRIPTORS} << 32;
    // UTCB area: size of one UTCB m * 2^a, alignment 2^a, smallest area 2^s.
    word(TERN_KIP_UTCB_AREA_INFO) = uint64_t{TERN_UTCB_AREA_MIN_LOG2} << 16 | uint64_t{TERN_UTCB_ALIGNMENT_LOG2} << 10 |
                                    (TERN_UTCB_SIZE >> TERN_UTCB_ALIGNMENT_LOG2);
    word(TERN_KIP_KIP_AREA_INFO) = TERN_KIP_AREA_LOG2;
    word(TERN_KIP_PROCESSOR_DESCRIPTOR) = TERN_KIP_PROCESSOR_DESCRIPTOR_AREA;
    word(TERN_KIP_CLOCK_INFO) = (schedule_precision_us & 0xffff) << 16 | (read_precision_us & 0xffff);
    word(TERN_KIP_THREAD_INFO) = uint64_t{TERN_USER_BASE} << 20 | uint64_t{TERN_SYSTEM_BASE} << 8 |
                                 TERN_THREAD_NUMBER_BITS;
    // 4 KiB and 2 MiB pages; read, write and execute rights are all distinguished.
    word(TERN_KIP_PAGE_INFO) = (uint64_t{1} << 12) | (uint64_t{1} << 21) | 7;
    word(TERN_KIP_PROCESSOR_INFO) = uint64_t{5} << 60;  // one processor, 32-byte descriptors

    uint64_t *description = &word(TERN_KIP_KERNEL_DESCRIPTION_AREA);
    description[0] = uint64_t{TERN_KERNEL_ID} << 24 | uint64_t{TERN_KERNEL_SUBID} << 16;
    description[1] = 0;
    description[2] = 0;
    description[3] = 'T' | 'e' << 8 | 'r' << 16 | 'n' << 24;
    // The version string, then X.2's feature strings, the list ended by an empty one:
    // "pagerexregs" (as Pistachio names it): the threads of the space of a thread's pager may
    // ExchangeRegisters it; "threadmemory=N" (Tern's): each thread costs N bytes of kernel
    // memory, its control block with its kernel stack (what the shell's ps reports);
    // "msi=FIRST,COUNT,ADDRESS,DATA" (Tern's, when the machine has them): interrupt lines
    // FIRST to FIRST + COUNT - 1 are message-signalled, line FIRST + i raised by a device's
    // write of DATA + i to ADDRESS (Interrupt_controller).
    auto *text = reinterpret_cast<char *>(&description[4]);
    constexpr size_t text_size = TERN_KIP_PROCESSOR_DESCRIPTOR_AREA - TERN_KIP_KERNEL_DESCRIPTION_AREA -
                                 4 * sizeof(uint64_t);
    const char strings[] = "Tern microkernel\0pagerexregs\0";
    for (size_t i = 0; i < sizeof strings; ++i)
        text[i] = strings[i];
    size_t used = sizeof strings - 1;  // the next string replaces the list's end
    used += Formatter::to_buffer(text + used, text_size - used - 1, "threadmemory=%zu", Thread::object_size) + 1;
    constexpr unsigned first_msi = Interrupt_controller::first_msi_line;
    if (Interrupt_controller::exists(first_msi))
        used += Formatter::to_buffer(text + used, text_size - used - 1, "msi=%u,%u,%#llx,%u", first_msi,
                                     Interrupt_controller::msi_lines,
                                     static_cast<unsigned long long>(Interrupt_controller::msi_address()),
                                     Interrupt_controller::msi_data(first_msi)) +
                1;
    text[used] = '\0';  // the empty string that ends the list (the page was cleared)

    for (const Link &link : links)
        word(link.kip_offset) = TERN_KIP_STUBS + Syscall_stubs::link(link.syscall);
    return true;
}

uint64_t Kip::resume_address(uint64_t rip, uint64_t from_area, bool from_kernel_mode, uint64_t to_area,
                             bool to_kernel_mode)
{
    uint64_t from_stubs = from_area + TERN_KIP_STUBS;
    if (rip < from_stubs || rip - from_stubs >= page_size)
        return rip;
    auto mode = [](bool kernel_mode) { return kernel_mode ? Syscall_stubs::Mode::kernel_task : Syscall_stubs::Mode::ring3; };
    return to_area + TERN_KIP_STUBS +
           Syscall_stubs::resume_offset(rip - from_stubs, mode(from_kernel_mode), mode(to_kernel_mode));
}

bool Kip::add_memory(Phys_range range, Memory_kind kind, bool is_virtual)
{
    if (memory_descriptors_ == TERN_KIP_MEMORY_DESCRIPTOR_COUNT || range.empty())
        return false;
    uint64_t *descriptor = &word(TERN_KIP_MEMORY_DESCRIPTORS + memory_descriptors_ * 16);
    descriptor[0] = (range.begin & ~uint64_t{0x3ff}) | (is_virtual ? 1u << 9 : 0) | static_cast<uint64_t>(kind);
    descriptor[1] = (range.end - 1) & ~uint64_t{0x3ff};
    ++memory_descriptors_;
    word(TERN_KIP_MEMORY_INFO) = uint64_t{TERN_KIP_MEMORY_DESCRIPTORS} << 32 | memory_descriptors_;
    return true;
}

void Kip::set_sigma0(const Task_image &image)
{
    word(TERN_KIP_SIGMA0_SP) = image.sp;
    word(TERN_KIP_SIGMA0_IP) = image.ip;
    word(TERN_KIP_SIGMA0_LOW) = image.low;
    word(TERN_KIP_SIGMA0_HIGH) = image.high;
}

void Kip::set_root_server(const Task_image &image)
{
    word(TERN_KIP_ROOT_SERVER_SP) = image.sp;
    word(TERN_KIP_ROOT_SERVER_IP) = image.ip;
    word(TERN_KIP_ROOT_SERVER_LOW) = image.low;
    word(TERN_KIP_ROOT_SERVER_HIGH) = image.high;
}

void Kip::set_boot_info(uint64_t address) { word(TERN_KIP_BOOT_INFO) = address; }

void Kip::set_processor_frequencies(uint64_t internal_khz, uint64_t external_khz)
{
    uint64_t *descriptor = &word(TERN_KIP_PROCESSOR_DESCRIPTOR_AREA);
    descriptor[0] = external_khz;
    descriptor[1] = internal_khz;
}
