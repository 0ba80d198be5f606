// SPDX-License-Identifier: MIT
#include "boot_tasks.hpp"

#include "abi.h"
#include "console.hpp"
#include "cpu.hpp"
#include "device_memory.hpp"
#include "elf_image.hpp"
#include "kernel_memory.hpp"
#include "kip.hpp"
#include "mapper.hpp"
#include "memory_layout.hpp"
#include "space.hpp"
#include "thread.hpp"

namespace {

Range_set sigma0_owned;

// Below the UTCB area, the stack and the KIP, in that order: images end at the first.
constexpr uint64_t user_space_end = Boot_tasks::utcb_area;
static_assert(Boot_tasks::utcb_area + (uint64_t{1} << Boot_tasks::utcb_area_log2) <=
                  Boot_tasks::stack_top - Boot_tasks::stack_size &&
              Boot_tasks::stack_top <= Boot_tasks::kip_area);
static_assert(Boot_tasks::utcb_area % (uint64_t{1} << Boot_tasks::utcb_area_log2) == 0);

const Boot_module *find(const Boot_info &info, const char *name)
{
    for (size_t i = 0; i < info.module_count; ++i)
        if (info.modules[i].is_called(name))
            return &info.modules[i];
    return nullptr;
}

// A fresh zeroed page mapped into space; 0 when memory or mapping fails.
Phys_addr map_fresh_page(Space &space, uint64_t virt, bool writable, bool executable)
{
    Page_allocator &pages = Kernel_memory::pages();
    Phys_addr frame = pages.allocate();
    if (frame == 0)
        return 0;
    auto *bytes = Memory_layout::direct_map<uint8_t>(frame);
    for (size_t i = 0; i < page_size; ++i)
        bytes[i] = 0;
    unsigned rights = Fpage::read | (writable ? Fpage::write : 0) | (executable ? Fpage::execute : 0);
    if (!Mapper::map_root(space, virt, frame, page_size, rights)) {
        (void)pages.free(frame);
        return 0;
    }
    return frame;
}

bool touches(const Elf_image::Segment &segment, uint64_t page)
{
    return segment.virtual_address < page + page_size && page < segment.virtual_address + segment.memory_size;
}

// Segments may share a page (ld -N); the first one on a page loads it for all of them.
size_t first_segment_on(const Elf_image &elf, uint64_t page)
{
    size_t s = 0;
    while (s < elf.segment_count() && !touches(elf.segment(s), page))
        ++s;
    return s;
}

// One fresh page with the rights of every segment on it, holding each one's file bytes
// there (copied: file offsets need not agree with addresses within a page).
bool load_page(const Elf_image &elf, const uint8_t *file, Space &space, uint64_t page)
{
    bool writable = false;
    bool executable = false;
    for (size_t s = 0; s < elf.segment_count(); ++s)
        if (touches(elf.segment(s), page)) {
            writable |= elf.segment(s).writable;
            executable |= elf.segment(s).executable;
        }
    Phys_addr frame = map_fresh_page(space, page, writable, executable);
    if (frame == 0)
        return false;
    auto *bytes = Memory_layout::direct_map<uint8_t>(frame);
    for (size_t s = 0; s < elf.segment_count(); ++s) {
        const Elf_image::Segment &segment = elf.segment(s);
        uint64_t file_begin = segment.virtual_address;
        uint64_t file_end = segment.virtual_address + segment.file_size;
        uint64_t from = page > file_begin ? page : file_begin;
        uint64_t to = page + page_size < file_end ? page + page_size : file_end;
        for (uint64_t v = from; v < to; ++v)
            bytes[v - page] = file[segment.file_offset + (v - segment.virtual_address)];
    }
    return true;
}

bool load_image(const Boot_module &module, Space &space, Kip::Task_image &image)
{
    Elf_image elf;
    const auto *file = Memory_layout::direct_map<uint8_t>(module.image.begin);
    if (Elf_image::Error error = elf.parse(file, module.image.size(), user_space_end); error != Elf_image::Error::none) {
        Console::print("boot task %.*s: refused, not a usable ELF64 executable: %s\n",
                       static_cast<int>(module.path_length()), module.path(),
                       Elf_image::describe(error));
        return false;
    }
    image = {Boot_tasks::stack_top, elf.entry(), ~uint64_t{0}, 0};
    for (size_t s = 0; s < elf.segment_count(); ++s)
        if (elf.segment(s).virtual_address < page_size) {
            // Page 0 stays unmapped in every boot task, so null pointers fault.
            Console::print("boot task %.*s: refused, a segment lies in page 0\n", static_cast<int>(module.path_length()),
                           module.path());
            return false;
        }
    for (size_t s = 0; s < elf.segment_count(); ++s) {
        const Elf_image::Segment &segment = elf.segment(s);
        uint64_t first = align_down(segment.virtual_address, page_size);
        uint64_t end = align_up(segment.virtual_address + segment.memory_size, page_size);
        image.low = first < image.low ? first : image.low;
        image.high = end > image.high ? end : image.high;
        for (uint64_t page = first; page < end; page += page_size)
            if (first_segment_on(elf, page) == s && !load_page(elf, file, space, page))
                return false;
    }
    for (uint64_t page = Boot_tasks::stack_top - Boot_tasks::stack_size; page < Boot_tasks::stack_top;
         page += page_size)
        if (map_fresh_page(space, page, true, false) == 0)
            return false;
    return true;
}

Thread *start_task(const Boot_module &module, uint32_t number, Thread_id pager, bool kernel_mode,
                   Kip::Task_image &image)
{
    Space::Error space_error;
    Space *space = Space::create(Kernel_memory::pages(), space_error);
    if (space == nullptr)
        return nullptr;
    space->make_privileged();
    space->set_kernel_mode(kernel_mode);  // (before its areas: the stub page depends on it)
    bool out_of_memory = false;
    Thread_id id = Thread_id::global(number, 1);
    Thread *thread = Thread::create(id, space, id, out_of_memory);
    if (thread == nullptr) {
        space->destroy();
        return nullptr;
    }
    if (space->set_areas(Fpage::make(Boot_tasks::kip_area, TERN_KIP_AREA_LOG2, 7),
                         Fpage::make(Boot_tasks::utcb_area, Boot_tasks::utcb_area_log2, 6)) != Space::Error::none ||
        !load_image(module, *space, image) || !thread->set_utcb(Boot_tasks::utcb_area)) {
        thread->destroy();
        return nullptr;
    }
    thread->set_pager(pager);
    thread->set_priority(255);
    thread->start(image.ip, image.sp);
    Console::print("boot task %.*s: thread %#llx, entry %#llx, image [%#llx, %#llx)%s\n",
                   static_cast<int>(module.path_length()), module.path(),
                   static_cast<unsigned long long>(id.raw()), static_cast<unsigned long long>(image.ip),
                   static_cast<unsigned long long>(image.low), static_cast<unsigned long long>(image.high),
                   kernel_mode ? ", kernel mode (ring 0)" : "");
    return thread;
}

// Sets aside the kernel's reserve (an eighth of free memory, at least 8 MiB) from the top of
// memory down, in blocks of the direct map's large pages where the free memory allows, so
// that what sigma0 hands out first, its low memory, stays free for programs that count on
// it (Pistachio's l4test takes its scratch memory at 32 MiB). Then hands sigma0 every other
// free block, largest first, and the memory the kernel never managed (the edges of its
// large pages), and describes it all in the KIP. Blocks that would overlap sigma0's own
// image in its idempotent space (virtual = physical) stay the kernel's.
void give_memory_to_sigma0(Phys_range sigma0_image)
{
    Page_allocator &pages = Kernel_memory::pages();
    uint64_t reserve = pages.free_pages() / 8;
    if (reserve < (8u << 20) / page_size)
        reserve = (8u << 20) / page_size;

    // The reserve's large blocks, linked through their first word while they are out of
    // the allocator (so that the loop below cannot give them away).
    constexpr unsigned large_order = 9;
    static_assert((page_size << large_order) == Page_table::large_page_size);
    constexpr uint64_t large_pages = uint64_t{1} << large_order;
    Phys_addr set_aside = 0;
    while (reserve >= large_pages) {
        Phys_addr block = pages.allocate_highest(large_order);
        if (block == 0)
            break;
        *static_cast<Phys_addr *>(pages.virtual_address(block)) = set_aside;
        set_aside = block;
        reserve -= large_pages;
    }
    // The rest of the reserve, if large blocks ran out: what is left after the loop.

    constexpr size_t max_kept = 16;
    struct {
        Phys_addr block;
        unsigned order;
    } kept[max_kept];
    size_t kept_count = 0;
    for (unsigned order = Page_allocator::max_order + 1; order-- > 0;) {
        while (pages.free_pages() >= reserve + (uint64_t{1} << order)) {
            Phys_addr block = pages.allocate(order);
            if (block == 0)
                break;
            Phys_addr end = block + (page_size << order);
            if (block < sigma0_image.end && sigma0_image.begin < end && kept_count < max_kept) {
                kept[kept_count++] = {block, order};
                continue;
            }
            if (sigma0_owned.insert({block, end}) != Range_set::Error::none) {
                (void)pages.free(block, order);
                break;
            }
        }
    }
    for (size_t i = 0; i < kept_count; ++i)
        (void)pages.free(kept[i].block, kept[i].order);
    while (set_aside != 0) {
        Phys_addr next = *static_cast<Phys_addr *>(pages.virtual_address(set_aside));
        (void)pages.free(set_aside, large_order);
        set_aside = next;
    }
    const Range_set &edges = Kernel_memory::sigma0_only();
    for (size_t i = 0; i < edges.count(); ++i)
        if (!edges[i].overlaps(sigma0_image) && sigma0_owned.insert(edges[i]) != Range_set::Error::none)
            break;
    for (size_t i = 0; i < sigma0_owned.count(); ++i)
        (void)Kip::add_memory(sigma0_owned[i], Kip::Memory_kind::conventional);
    Console::print("sigma0 owns %llu KiB in %zu ranges; the kernel keeps %llu KiB\n",
                   static_cast<unsigned long long>(sigma0_owned.total_size() >> 10), sigma0_owned.count(),
                   static_cast<unsigned long long>(pages.free_pages() * page_size >> 10));
}

// sigma0's space is idempotent (X.2): it maps all the memory it owns at the physical
// address, in 2 MiB pages where the blocks allow; these are the roots of the mapping
// database. Its own image lies far above physical memory (sigma0/meson.build).
bool map_sigma0_memory(Space &space)
{
    for (size_t i = 0; i < sigma0_owned.count(); ++i) {
        Phys_range range = sigma0_owned[i];
        for (Phys_addr frame = range.begin; frame < range.end;) {
            uint64_t bytes = is_aligned(frame, Page_table::large_page_size) && frame + Page_table::large_page_size <= range.end
                                 ? Page_table::large_page_size
                                 : page_size;
            if (space.is_reserved(frame, bytes) ||
                !Mapper::map_root(space, frame, frame, bytes, Fpage::read | Fpage::write | Fpage::execute)) {
                Console::print("sigma0: cannot map its memory at %#llx\n", static_cast<unsigned long long>(frame));
                return false;
            }
            frame += bytes;
        }
    }
    return true;
}

// The root task reads the boot modules (its servers, their configuration) itself: a
// block holding X.2's generic boot information (a header, then one Module record per
// module whose command line is the loader's "name arguments") is mapped read-only at
// boot_info_area of the root task's space, each module's pages read-only after it, and
// the KIP's BootInfo word holds boot_info_area. The address means something in the root
// task's space only; module frames stay out of sigma0's memory (usable memory excludes
// them), so nobody else can map them.
void publish_modules(const Boot_info &info, Space &root)
{
    constexpr uint64_t header_words = 8, record_words = 6;
    // Each record's command line is "path arguments": module strings are never cut, so the
    // block is as large as they need.
    auto line_bytes = [](const Boot_module &module) {
        return align_up(module.path_length() + 1 + module.arguments_length() + 1, 8);
    };
    uint64_t needed = header_words * 8;
    for (size_t m = 0; m < info.module_count; ++m)
        needed += record_words * 8 + line_bytes(info.modules[m]);
    unsigned info_order = 0;
    while ((page_size << info_order) < needed)
        ++info_order;
    uint64_t info_bytes = page_size << info_order;
    Phys_addr block = Kernel_memory::pages().allocate(info_order);
    if (block == 0) {
        Console::print("boot info: no memory for %llu bytes; the root task sees no modules\n",
                       static_cast<unsigned long long>(needed));
        return;
    }
    auto *words = Memory_layout::direct_map<uint64_t>(block);
    auto *bytes = Memory_layout::direct_map<char>(block);
    for (uint64_t i = 0; i < info_bytes / 8; ++i)
        words[i] = 0;
    auto word_at = [words](uint64_t offset) -> uint64_t & { return words[offset / 8]; };
    uint64_t virt = Boot_tasks::boot_info_area + info_bytes + page_size;  // a guard page after the records
    uint64_t at = header_words * 8, published = 0, previous = 0;
    for (size_t m = 0; m < info.module_count; ++m) {
        const Boot_module &module = info.modules[m];
        uint64_t record_end = at + record_words * 8 + line_bytes(module);
        Phys_addr first = align_down(module.image.begin, page_size);
        Phys_addr end = align_up(module.image.end, page_size);
        for (Phys_addr frame = first; frame < end; frame += page_size)
            if (!Mapper::map_root(root, virt + (frame - first), frame, page_size, Fpage::read))
                return;
        if (published != 0)
            word_at(previous + 16) = at - previous;  // offset_next of the previous record
        word_at(at) = 1;                             // L4_BootInfo_Module
        word_at(at + 8) = 1;                         // version
        word_at(at + 24) = virt + (module.image.begin - first);
        word_at(at + 32) = module.image.size();
        word_at(at + 40) = record_words * 8;         // command line right after the record
        char *text = bytes + at + record_words * 8;
        const char *path = module.path(), *arguments = module.arguments();
        for (size_t i = 0, length = module.path_length(); i < length; ++i)
            *text++ = path[i];
        *text++ = ' ';
        for (size_t i = 0, length = module.arguments_length(); i < length; ++i)
            *text++ = arguments[i];
        previous = at;
        at = record_end;
        ++published;
        virt += (end - first) + page_size;
    }
    word_at(0) = 0x14b0021d;  // L4_BOOTINFO_MAGIC
    word_at(8) = 1;           // version
    word_at(16) = at;         // size
    word_at(24) = header_words * 8;
    word_at(32) = published;
    for (uint64_t offset = 0; offset < info_bytes; offset += page_size)
        if (!Mapper::map_root(root, Boot_tasks::boot_info_area + offset, block + offset, page_size, Fpage::read))
            return;
    Kip::set_boot_info(Boot_tasks::boot_info_area);
    Console::print("boot info: %llu modules for the root task at %#llx\n", static_cast<unsigned long long>(published),
                   static_cast<unsigned long long>(Boot_tasks::boot_info_area));
}

}  // namespace

const Range_set &Boot_tasks::sigma0_memory() { return sigma0_owned; }

unsigned Boot_tasks::start(const Boot_info &info, bool root_task_kernel_mode)
{
    const Boot_module *sigma0 = find(info, "sigma0");
    const Boot_module *root = find(info, "roottask");
    if (sigma0 == nullptr) {
        if (root != nullptr)
            Console::print("boot tasks: a root task needs sigma0; not starting it\n");
        return 0;
    }
    Device_memory::init(info, Cpu::physical_address_bits());
    Kip::Task_image image{};
    Thread *sigma0_thread = start_task(*sigma0, TERN_USER_BASE, Thread_id::nil(), false, image);
    if (sigma0_thread == nullptr)
        return 0;
    sigma0_thread->space()->make_sigma0();
    Kip::set_sigma0(image);
    Phys_range sigma0_image{image.low, image.high};
    unsigned started = 1;
    if (root != nullptr) {
        if (Thread *root_thread = start_task(*root, TERN_USER_BASE + 2, sigma0_thread->id(), root_task_kernel_mode, image)) {
            Kip::set_root_server(image);
            publish_modules(info, *root_thread->space());
            ++started;
        }
    }
    give_memory_to_sigma0(sigma0_image);
    Device_memory::describe_in_kip(sigma0_owned);
    if (!map_sigma0_memory(*sigma0_thread->space()))
        Console::print("sigma0: its memory is only partly mapped\n");
    return started;
}
