// SPDX-License-Identifier: MIT
#include "slab_cache.hpp"

// Invariants:
// - A slab is a block of 2^order_ pages from the page allocator whose header is at the
//   block's direct-map address. That address is aligned to slab_bytes() (new_slab() checks
//   it), so rounding any pointer into the slab down to slab_bytes() finds the header.
// - header.magic == slab_magic ^ header address and header.cache == this for exactly as
//   long as the slab belongs to this cache; reclaim() clears the magic before the pages go.
// - Object i starts at header + first_object_ + i * stride_, for i < objects_per_slab_.
//   Its bit in allocated is set iff it was handed out and not freed since; the free objects
//   below untouched are on free_list exactly once. in_use is the number of set bits, and
//   objects_in_use_ their sum over all slabs.
// - A slab on partial_ or empty_ has a free object: on free_list or at index untouched.
// - Every slab in [lowest_, highest_]; highest_ is inclusive so it cannot wrap.

namespace {

constexpr uint64_t bit(size_t index) { return uint64_t{1} << (index % 64); }

}  // namespace

void Slab_cache::Slab_list::push(Slab *slab)
{
    slab->prev = nullptr;
    slab->next = first;
    if (first != nullptr)
        first->prev = slab;
    first = slab;
}

void Slab_cache::Slab_list::unlink(Slab *slab)
{
    if (slab->prev != nullptr)
        slab->prev->next = slab->next;
    else
        first = slab->next;
    if (slab->next != nullptr)
        slab->next->prev = slab->prev;
    slab->next = nullptr;
    slab->prev = nullptr;
}

Slab_cache::Slab_list &Slab_cache::list_for(const Slab *slab)
{
    if (slab->in_use == 0)
        return empty_;
    return slab->in_use == objects_per_slab_ ? full_ : partial_;
}

Slab_cache::Slab *Slab_cache::new_slab(Page_allocator &pages)
{
    Phys_addr block = pages.allocate(order_);
    if (block == 0)
        return nullptr;
    uintptr_t base = reinterpret_cast<uintptr_t>(pages.virtual_address(block));
    // The kernel's direct map offset is aligned far beyond the largest slab; a test (or a
    // broken setup) with a smaller offset alignment gets no memory rather than a free()
    // that reads the wrong header.
    if (!is_aligned(base, slab_bytes())) {
        static_cast<void>(pages.free(block, order_));
        return nullptr;
    }
    auto *slab = reinterpret_cast<Slab *>(base);
    slab->magic = slab_magic ^ base;
    slab->cache = this;
    slab->next = nullptr;
    slab->prev = nullptr;
    slab->free_list = nullptr;
    slab->in_use = 0;
    slab->untouched = 0;
    for (uint64_t &word : slab->allocated)
        word = 0;
    ++slab_count_;
    if (base < lowest_)
        lowest_ = base;
    if (base + (slab_bytes() - 1) > highest_)
        highest_ = base + (slab_bytes() - 1);
    return slab;
}

void *Slab_cache::allocate(Page_allocator &pages)
{
    if (!usable())
        return nullptr;
    // Partial slabs first, so objects pack into few slabs and empty ones can be reclaimed.
    Slab *slab = partial_.first != nullptr ? partial_.first : empty_.first;
    if (slab == nullptr) {
        slab = new_slab(pages);
        if (slab == nullptr)
            return nullptr;
        empty_.push(slab);
    }

    auto base = reinterpret_cast<uintptr_t>(slab);
    Free_object *object = slab->free_list;
    size_t index = 0;
    if (object != nullptr) {
        slab->free_list = object->next;
        index = (reinterpret_cast<uintptr_t>(object) - base - first_object_) / stride_;
    } else {
        index = slab->untouched++;
        object = reinterpret_cast<Free_object *>(base + first_object_ + index * stride_);
    }

    Slab_list &before = list_for(slab);
    slab->allocated[index / 64] |= bit(index);
    ++slab->in_use;
    ++objects_in_use_;
    Slab_list &after = list_for(slab);
    if (&before != &after) {
        before.unlink(slab);
        after.push(slab);
    }
    return object;
}

Slab_cache::Error Slab_cache::free(void *object)
{
    auto address = reinterpret_cast<uintptr_t>(object);
    if (address < lowest_ || address > highest_)
        return Error::not_from_this_cache;
    // A pointer inside [lowest_, highest_] is in the direct map near our slabs; its header
    // candidate is read, and only a live header of this cache passes.
    uintptr_t base = align_down(address, slab_bytes());
    auto *slab = reinterpret_cast<Slab *>(base);
    if (slab->magic != (slab_magic ^ base) || slab->cache != this)
        return Error::not_from_this_cache;
    uintptr_t offset = address - base;
    if (offset < first_object_ || (offset - first_object_) % stride_ != 0)
        return Error::misaligned;
    size_t index = (offset - first_object_) / stride_;
    if (index >= objects_per_slab_)
        return Error::misaligned;  // in the slack after the last object
    if ((slab->allocated[index / 64] & bit(index)) == 0)
        return Error::double_free;

    Slab_list &before = list_for(slab);
    slab->allocated[index / 64] &= ~bit(index);
    --slab->in_use;
    --objects_in_use_;
    auto *free_object = static_cast<Free_object *>(object);
    free_object->next = slab->free_list;
    slab->free_list = free_object;
    Slab_list &after = list_for(slab);
    if (&before != &after) {
        before.unlink(slab);
        after.push(slab);
    }
    return Error::none;
}

size_t Slab_cache::reclaim(Page_allocator &pages)
{
    size_t released = 0;
    Slab *slab = empty_.first;
    while (slab != nullptr) {
        Slab *next = slab->next;
        auto base = reinterpret_cast<uintptr_t>(slab);
        // Unlinked and unmarked while the memory is still ours: afterwards the page allocator
        // owns it, and a stale header must not let free() accept pointers into it.
        empty_.unlink(slab);
        slab->magic = 0;
        if (pages.free(pages.physical_address(slab), order_) != Page_allocator::Error::none) {
            // Not a block of this allocator: keep the slab rather than lose track of it.
            slab->magic = slab_magic ^ base;
            empty_.push(slab);
        } else {
            --slab_count_;
            released += size_t{1} << order_;
        }
        slab = next;
    }
    return released;
}
