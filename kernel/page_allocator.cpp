// SPDX-License-Identifier: MIT
#include "page_allocator.hpp"

// Invariants:
// - A free block of order k starts at a frame whose state is state_free_head | k, is
//   aligned to 2^k pages, lies wholly inside usable memory and is on free_lists_[k].
// - An allocated block's first frame has state state_used_head | k; that is the only way
//   free() accepts it, which catches double and mismatched frees.
// - Two free buddies of the same order never coexist: release() merges them.

namespace {

constexpr uint64_t block_bytes(unsigned order) { return page_size << order; }

// The frames of range the allocator may manage: whole pages, never frame 0.
Phys_range manageable(Phys_range range)
{
    Phys_range pages = whole_pages(range);
    if (!pages.empty() && pages.begin < page_size)
        pages.begin = page_size;
    return pages.empty() ? Phys_range{} : pages;
}

}  // namespace

bool Page_allocator::manages(Phys_addr address) const
{
    return address >= span_begin_ && address < span_end_ &&
           frame_state_[(address - span_begin_) >> page_shift] != state_unmanaged;
}

uint8_t &Page_allocator::state_of(Phys_addr address)
{
    return frame_state_[(address - span_begin_) >> page_shift];
}

Page_allocator::Free_block *Page_allocator::block_at(Phys_addr address) const
{
    return reinterpret_cast<Free_block *>(address + direct_map_offset_);
}

Phys_addr Page_allocator::address_of(const Free_block *block) const
{
    return reinterpret_cast<uintptr_t>(block) - direct_map_offset_;
}

void Page_allocator::push_free(Phys_addr address, unsigned order)
{
    Free_block *block = block_at(address);
    block->prev = nullptr;
    block->next = free_lists_[order];
    if (block->next != nullptr)
        block->next->prev = block;
    free_lists_[order] = block;
    state_of(address) = static_cast<uint8_t>(state_free_head | order);
}

void Page_allocator::unlink_free(Phys_addr address, unsigned order)
{
    Free_block *block = block_at(address);
    if (block->prev != nullptr)
        block->prev->next = block->next;
    else
        free_lists_[order] = block->next;
    if (block->next != nullptr)
        block->next->prev = block->prev;
    state_of(address) = state_interior;
}

void Page_allocator::release(Phys_addr address, unsigned order)
{
    state_of(address) = state_interior;
    while (order < max_order) {
        Phys_addr buddy = address ^ block_bytes(order);
        if (!manages(buddy) || state_of(buddy) != (state_free_head | order))
            break;
        unlink_free(buddy, order);
        if (buddy < address)
            address = buddy;
        ++order;
    }
    push_free(address, order);
}

Page_allocator::Error Page_allocator::init(const Range_set &usable, uintptr_t direct_map_offset,
                                           Phys_addr reachable_limit)
{
    *this = Page_allocator();
    direct_map_offset_ = direct_map_offset;

    Phys_addr begin = ~Phys_addr{0};
    Phys_addr end = 0;
    for (size_t i = 0; i < usable.count(); ++i) {
        Phys_range range = manageable(usable[i]);
        if (range.empty())
            continue;
        begin = range.begin < begin ? range.begin : begin;
        end = range.end > end ? range.end : end;
    }
    if (begin >= end)
        return Error::nothing_usable;

    // Reachable part of a usable range (what init may touch now).
    auto reachable = [reachable_limit](Phys_range range) {
        range = manageable(range);
        Phys_addr limit = align_down(reachable_limit, page_size);
        if (range.end > limit)
            range.end = limit;
        return range.empty() ? Phys_range{} : range;
    };

    uint64_t state_bytes = align_up((end - begin) >> page_shift, page_size);
    Phys_range state = {};
    for (size_t i = 0; i < usable.count() && state.empty(); ++i) {
        Phys_range range = reachable(usable[i]);
        if (range.size() >= state_bytes)
            state = {range.begin, range.begin + state_bytes};
    }
    if (state.empty())
        return Error::no_room_for_state;

    span_begin_ = begin;
    span_end_ = end;
    state_range_ = state;
    frame_state_ = reinterpret_cast<uint8_t *>(state.begin + direct_map_offset);
    for (uint64_t i = 0; i < state_bytes; ++i)
        frame_state_[i] = state_unmanaged;

    for (size_t i = 0; i < usable.count(); ++i) {
        Phys_range range = reachable(usable[i]);
        if (range.empty())
            continue;
        // The state bytes start a usable range (see above), so they cut off at most a head.
        if (range.begin < state.end && range.end > state.begin)
            range.begin = state.end;
        if (range.begin < range.end)
            add_frames(range.begin, range.end);
    }
    return Error::none;
}

void Page_allocator::add_frames(Phys_addr first, Phys_addr last)
{
    for (Phys_addr frame = first; frame < last; frame += page_size) {
        state_of(frame) = state_interior;
        release(frame, 0);
        ++managed_pages_;
        ++free_pages_;
    }
}

Page_allocator::Error Page_allocator::add(Phys_range range)
{
    range = manageable(range);
    if (range.empty())
        return Error::none;
    Phys_addr first = range.begin;
    Phys_addr last = range.end;
    if (first < span_begin_ || last > span_end_)
        return Error::outside_span;
    if (Phys_range{first, last}.overlaps(state_range_))
        return Error::already_managed;
    for (Phys_addr frame = first; frame < last; frame += page_size)
        if (state_of(frame) != state_unmanaged)
            return Error::already_managed;
    add_frames(first, last);
    return Error::none;
}

Phys_addr Page_allocator::allocate(unsigned order)
{
    if (order > max_order)
        return 0;
    unsigned found = order;
    while (found <= max_order && free_lists_[found] == nullptr)
        ++found;
    if (found > max_order)
        return 0;

    Phys_addr address = address_of(free_lists_[found]);
    unlink_free(address, found);
    while (found > order) {
        --found;
        push_free(address + block_bytes(found), found);
    }
    state_of(address) = static_cast<uint8_t>(state_used_head | order);
    free_pages_ -= uint64_t{1} << order;
    return address;
}

Phys_addr Page_allocator::allocate_highest(unsigned order)
{
    if (order > max_order)
        return 0;
    Phys_addr best = 0;  // the chosen free block, of order best_order
    unsigned best_order = 0;
    for (unsigned found = order; found <= max_order; ++found)
        for (Free_block *block = free_lists_[found]; block != nullptr; block = block->next) {
            Phys_addr address = address_of(block);
            if (best == 0 || address + block_bytes(found) > best + block_bytes(best_order)) {
                best = address;
                best_order = found;
            }
        }
    if (best == 0)
        return 0;

    // Split from the top: the lower half of each split stays free.
    unlink_free(best, best_order);
    while (best_order > order) {
        --best_order;
        push_free(best, best_order);
        best += block_bytes(best_order);
    }
    state_of(best) = static_cast<uint8_t>(state_used_head | order);
    free_pages_ -= uint64_t{1} << order;
    return best;
}

Page_allocator::Error Page_allocator::free(Phys_addr address, unsigned order)
{
    if (order > max_order)
        return Error::bad_order;
    if (!is_aligned(address, block_bytes(order)))
        return Error::misaligned;
    if (!manages(address))
        return Error::not_managed;
    if (state_of(address) != (state_used_head | order))
        return Error::not_allocated;
    release(address, order);
    free_pages_ += uint64_t{1} << order;
    return Error::none;
}
