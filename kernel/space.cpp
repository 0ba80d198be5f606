// SPDX-License-Identifier: MIT
#include "space.hpp"

#include <new>

#include "abi.h"
#include "kip.hpp"
#include "mapper.hpp"
#include "cpu.hpp"
#include "memory_layout.hpp"
#include "panic.hpp"
#include "words.hpp"

namespace {

constinit Slab_cache space_cache("space", sizeof(Space), alignof(Space));
const Page_table *kernel_table = nullptr;

// Areas lie below the last user page (see Page_table::user_limit).
bool in_user_half(Fpage area)
{
    return area.is_valid_region() && area.base() < Page_table::user_limit &&
           area.size() <= Page_table::user_limit - area.base();
}

}  // namespace

Slab_cache &Space::cache() { return space_cache; }

void Space::set_kernel_table(const Page_table &kernel) { kernel_table = &kernel; }

Space *Space::create(Page_allocator &pages, Error &error)
{
    void *memory = space_cache.allocate(pages);
    if (memory == nullptr) {
        error = Error::out_of_memory;
        return nullptr;
    }
    auto *space = new (memory) Space();
    space->pages_ = &pages;
    if (space->table_.create(pages) != Page_table::Error::none) {
        (void)space_cache.free(space);
        error = Error::out_of_memory;
        return nullptr;
    }
    space->table_.share_kernel_half(*kernel_table);
    error = Error::none;
    return space;
}

void Space::destroy()
{
    Mapper::unmap_all(*this);
    resources_.forget();
    resources_.release(*pages_);
    utcbs_.release(*pages_);
    table_.destroy_user_half();
    this->~Space();
    if (space_cache.free(this) != Slab_cache::Error::none)
        panic("space cache refused a space it allocated");
}

Space::Error Space::set_areas(Fpage kip_area, Fpage utcb_area)
{
    if (!in_user_half(kip_area) || kip_area.size_log2() < TERN_KIP_AREA_LOG2 || !in_user_half(utcb_area) ||
        utcb_area.size_log2() < TERN_UTCB_AREA_MIN_LOG2)
        return Error::bad_address;
    uint64_t kip_end = kip_area.base() + kip_area.size();
    uint64_t utcb_end = utcb_area.base() + utcb_area.size();
    if (kip_area.base() < utcb_end && utcb_area.base() < kip_end)
        return Error::bad_address;
    // The KIP is data (read-only, not executable); the stub page is code (never writable).
    Page_table::Error mapped = table_.map(kip_area.base(), Kip::physical(), page_size,
                                          {false, false, true, false, false}, false);
    if (mapped == Page_table::Error::none) {
        mapped = table_.map(kip_area.base() + TERN_KIP_STUBS, Kip::stub_page(kernel_mode_), page_size,
                            {false, true, true, false, false}, false);
        if (mapped != Page_table::Error::none)
            (void)table_.unmap(kip_area.base());  // the space stays as it was
    }
    if (mapped != Page_table::Error::none)
        return mapped == Page_table::Error::out_of_memory ? Error::out_of_memory : Error::already_mapped;
    kip_area_ = kip_area;
    utcb_area_ = utcb_area;
    update_fast_switch_key();
    constexpr uint64_t slot_bytes = uint64_t{Utcb_table::max_slots} * TERN_UTCB_SIZE;
    utcb_slots_base_ = utcb_area.base();
    utcb_slots_bytes_ = utcb_area.size() < slot_bytes ? utcb_area.size() : slot_bytes;
    return Error::none;
}

void *Space::utcb_memory(Virt_addr utcb)
{
    size_t slot = utcb_index(utcb);
    if (utcbs_.prepare(slot, *pages_) != Utcb_table::Error::none)
        return nullptr;
    Virt_addr page = align_down(utcb, page_size);
    if (Phys_addr frame = utcbs_.frame(slot); frame != 0)
        return Memory_layout::direct_map<uint8_t>(frame) + (utcb - page);
    Phys_addr frame = pages_->allocate();
    if (frame == 0)
        return nullptr;
    auto *bytes = Memory_layout::direct_map<uint8_t>(frame);
    fill_words(Memory_layout::direct_map<uint64_t>(frame), page_size / sizeof(uint64_t), 0);
    // A kernel page: mapped without a mapping-database node, so it cannot be mapped on.
    if (table_.map(page, frame, page_size, {true, false, true, false, false}, false) != Page_table::Error::none) {
        (void)pages_->free(frame);
        return nullptr;
    }
    utcbs_.set_frame(slot, frame);
    return bytes + (utcb - page);
}

Phys_addr Space::translate(Virt_addr virt, bool for_write) const
{
    uint64_t page_bytes;
    uint64_t entry = table_.lookup(virt, page_bytes);
    if (entry == 0 || (entry & Page_table::user) == 0 || (for_write && (entry & Page_table::writable) == 0))
        return 0;
    return (entry & Page_table::address_mask & ~(page_bytes - 1)) + (virt & (page_bytes - 1));
}
