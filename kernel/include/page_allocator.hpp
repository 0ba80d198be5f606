// SPDX-License-Identifier: MIT
// Physical page allocator: a binary buddy system over the frames the kernel may hand out.
//
// It is given the usable memory as a Range_set (RAM minus kernel, modules, firmware and
// anything else reserved) and never returns a frame outside it. Free blocks are linked
// through the free memory itself, reached via the kernel's direct map, so the only
// bookkeeping is one state byte per frame of the managed span, carved from usable memory.
#pragma once

#include "range_set.hpp"
#include "types.hpp"

class Page_allocator {
public:
    static constexpr unsigned max_order = 10;  // blocks of up to 2^10 pages (4 MiB)

    enum class Error { none, nothing_usable, no_room_for_state, not_managed, misaligned,
                       not_allocated, bad_order, outside_span, already_managed };

    // direct_map_offset: virtual = physical + offset for every managed frame. Only memory
    // below reachable_limit is touched (the state bytes and the free memory added now);
    // the rest of usable memory joins later through add() once it can be reached.
    [[nodiscard]] Error init(const Range_set &usable, uintptr_t direct_map_offset,
                             Phys_addr reachable_limit = ~Phys_addr{0});

    // Adds the frames of range (page-aligned inward) that init() left out. Frames outside
    // the span given to init(), already managed, or holding the state bytes are refused
    // before anything changes.
    [[nodiscard]] Error add(Phys_range range);

    // Returns the physical address of 2^order contiguous, naturally aligned pages, or 0
    // when none is free (frame 0 is never managed, so 0 is never a valid result).
    [[nodiscard]] Phys_addr allocate(unsigned order = 0);
    // The same, but the block at the highest address that any free block holds (splitting
    // a larger one from the top). For boot-time policy only: it walks the free lists.
    [[nodiscard]] Phys_addr allocate_highest(unsigned order);

    // Frees a block exactly as allocated; anything else is refused and changes nothing.
    [[nodiscard]] Error free(Phys_addr address, unsigned order = 0);

    // Where the kernel sees a managed frame (the direct map), and back.
    void *virtual_address(Phys_addr address) const { return reinterpret_cast<void *>(address + direct_map_offset_); }
    Phys_addr physical_address(const void *pointer) const
    {
        return reinterpret_cast<uintptr_t>(pointer) - direct_map_offset_;
    }

    uint64_t free_pages() const { return free_pages_; }
    uint64_t managed_pages() const { return managed_pages_; }
    Phys_range state_range() const { return state_range_; }

private:
    struct Free_block {
        Free_block *next;
        Free_block *prev;
    };

    // Per-frame state byte.
    static constexpr uint8_t state_unmanaged = 0xff;
    static constexpr uint8_t state_interior = 0x00;     // inside a block, not its first frame
    static constexpr uint8_t state_free_head = 0x80;    // | order
    static constexpr uint8_t state_used_head = 0x40;    // | order

    bool manages(Phys_addr address) const;
    uint8_t &state_of(Phys_addr address);
    Free_block *block_at(Phys_addr address) const;
    Phys_addr address_of(const Free_block *block) const;
    void push_free(Phys_addr address, unsigned order);
    void unlink_free(Phys_addr address, unsigned order);
    void release(Phys_addr address, unsigned order);
    void add_frames(Phys_addr first, Phys_addr last);

    Free_block *free_lists_[max_order + 1] = {};
    uint8_t *frame_state_ = nullptr;
    Phys_addr span_begin_ = 0;
    Phys_addr span_end_ = 0;
    uintptr_t direct_map_offset_ = 0;
    uint64_t free_pages_ = 0;
    uint64_t managed_pages_ = 0;
    Phys_range state_range_ = {};
};
