// SPDX-License-Identifier: MIT
#include "usable_memory.hpp"

namespace {

// A region reaching past the top of the address space is cut at the top.
Phys_range range_of(const Memory_region &region)
{
    Phys_addr end = region.base + region.size;
    if (end < region.base)
        end = ~Phys_addr{0};
    return {region.base, end};
}

}  // namespace

Usable_memory::Error Usable_memory::compute(const Boot_info &info, Phys_range kernel_image, Range_set &usable)
{
    usable.clear();
    for (size_t i = 0; i < info.region_count; ++i)
        if (info.regions[i].type == Memory_type::usable && usable.insert(range_of(info.regions[i])) != Range_set::Error::none)
            return Error::too_many_ranges;

    auto take_out = [&usable](Phys_range range) { return usable.remove(range) == Range_set::Error::none; };

    for (size_t i = 0; i < info.region_count; ++i)
        if (info.regions[i].type != Memory_type::usable && !take_out(range_of(info.regions[i])))
            return Error::too_many_ranges;
    if (!take_out(firmware_area) || !take_out(kernel_image))
        return Error::too_many_ranges;
    auto take_out_pages = [&take_out](Phys_range range) {
        return take_out({align_down(range.begin, page_size), align_up(range.end, page_size)});
    };
    if (!info.command_line_memory.empty() && !take_out_pages(info.command_line_memory))
        return Error::too_many_ranges;
    for (size_t i = 0; i < info.module_count; ++i)
        if (!take_out_pages(info.modules[i].image) || !take_out_pages(info.modules[i].line_memory))
            return Error::too_many_ranges;
    return Error::none;
}

Usable_memory::Error Usable_memory::split_whole_frames(const Range_set &usable, uint64_t frame_bytes, Range_set &whole,
                                                      Range_set &edges)
{
    whole.clear();
    edges.clear();
    for (size_t i = 0; i < usable.count(); ++i) {
        Phys_range range = usable[i];
        Phys_addr begin = align_up(range.begin, frame_bytes);
        Phys_addr end = align_down(range.end, frame_bytes);
        if (begin < range.begin || begin >= end) {  // (align_up wraps at the top)
            if (edges.insert(range) != Range_set::Error::none)
                return Error::too_many_ranges;
            continue;
        }
        if (whole.insert({begin, end}) != Range_set::Error::none ||
            (range.begin < begin && edges.insert({range.begin, begin}) != Range_set::Error::none) ||
            (end < range.end && edges.insert({end, range.end}) != Range_set::Error::none))
            return Error::too_many_ranges;
    }
    return Error::none;
}
