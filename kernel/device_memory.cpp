// SPDX-License-Identifier: MIT
#include "device_memory.hpp"

#include "console.hpp"
#include "kip.hpp"

// Invariant: not_device_ holds (page-aligned outward) every RAM region of the boot memory
// map and every range given to reserve; limit_ is 2^(physical address bits), 0 before init
// (nothing is device memory then, nor ever once too_fragmented_ is set).

Range_set Device_memory::not_device_;
Phys_addr Device_memory::limit_ = 0;
bool Device_memory::too_fragmented_ = false;

void Device_memory::reserve(Phys_range range)
{
    Phys_range pages{align_down(range.begin, page_size), align_up(range.end, page_size)};
    // The set is full only with a memory map of over a hundred fragments; then everything
    // counts as not device memory (limit_ 0) rather than something wrongly as device memory.
    if (not_device_.insert(pages) != Range_set::Error::none && !too_fragmented_) {
        too_fragmented_ = true;
        Console::print("device memory: memory map too fragmented; none is handed out\n");
    }
}

void Device_memory::init(const Boot_info &info, unsigned physical_address_bits)
{
    if (physical_address_bits < 32 || physical_address_bits > 52)
        physical_address_bits = 36;
    limit_ = Phys_addr{1} << physical_address_bits;
    for (size_t i = 0; i < info.region_count; ++i) {
        const Memory_region &region = info.regions[i];
        if (region.type == Memory_type::reserved || region.size == 0)
            continue;
        Phys_addr end = region.base + region.size < region.base ? ~Phys_addr{0} : region.base + region.size;
        reserve({region.base, end});
    }
}

bool Device_memory::none_in(Phys_range range)
{
    if (limit_ == 0 || too_fragmented_ || range.begin >= limit_)
        return true;
    if (range.end > limit_)
        range.end = limit_;
    return not_device_.contains(range);
}

bool Device_memory::is_device(Phys_addr frame)
{
    return !too_fragmented_ && frame < limit_ && is_aligned(frame, page_size) && !not_device_.overlaps({frame, frame + page_size});
}

void Device_memory::describe_in_kip(const Range_set &owned)
{
    for (size_t i = 0; i < not_device_.count(); ++i) {
        // The parts of this range that sigma0 does not own, in address order.
        Phys_range range = not_device_[i];
        Phys_addr at = range.begin;
        for (size_t j = 0; j < owned.count() && at < range.end; ++j) {
            Phys_range part = owned[j];
            if (part.end <= at || part.begin >= range.end)
                continue;
            if (part.begin > at)
                (void)Kip::add_memory({at, part.begin}, Kip::Memory_kind::reserved);
            at = part.end;
        }
        if (at < range.end)
            (void)Kip::add_memory({at, range.end}, Kip::Memory_kind::reserved);
    }
    if (limit_ != 0)
        (void)Kip::add_memory({limit_, ~Phys_addr{0}}, Kip::Memory_kind::reserved);
}
