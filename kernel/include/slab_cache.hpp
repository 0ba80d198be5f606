// SPDX-License-Identifier: MIT
// Typed object caches over the buddy Page_allocator: the kernel's only source of memory for
// its own objects (threads, address spaces, ...). There is no general heap.
//
// A cache hands out objects of one size and alignment from slabs: blocks of 2^order pages
// from the page allocator, naturally aligned, each starting with a header (magic, owner,
// allocation bitmap) and holding at least min_objects_per_slab objects. Free objects are
// linked through themselves. free() finds the slab by rounding the pointer down to the slab
// size, so it needs no search, and refuses foreign, interior and already free pointers
// without changing anything. Emptied slabs stay cached until reclaim() returns them.
//
// Caches are meant to be constinit globals: the constructor computes the slab geometry and
// allocates nothing. Object memory is not cleared; callers construct their objects in it.
#pragma once

#include "page_allocator.hpp"
#include "types.hpp"

class Slab_cache {
public:
    static constexpr size_t min_objects_per_slab = 8;
    static constexpr size_t max_objects_per_slab = 512;  // bitmap capacity; more never fit a 4 KiB slab

    // An object size of 0, an alignment that is not a power of two, or an object that does
    // not fit min_objects_per_slab times into the largest block the page allocator has
    // makes the cache unusable: usable() is false and allocate() always returns nullptr.
    constexpr Slab_cache(const char *name, size_t object_size, size_t alignment)
        : name_(name), object_size_(object_size)
    {
        if (object_size == 0 || alignment == 0 || (alignment & (alignment - 1)) != 0)
            return;
        if (object_size > max_slab_bytes || alignment > max_slab_bytes)
            return;
        // Free objects hold the free-list link, so they are at least that big and aligned.
        size_t object_alignment = alignment > alignof(Free_object) ? alignment : alignof(Free_object);
        size_t stride = align_up(object_size > sizeof(Free_object) ? object_size : sizeof(Free_object),
                                 object_alignment);
        size_t first_object = align_up(sizeof(Slab), object_alignment);
        unsigned order = 0;
        while (order < Page_allocator::max_order && first_object + min_objects_per_slab * stride > page_size << order)
            ++order;
        size_t bytes = page_size << order;
        if (first_object + min_objects_per_slab * stride > bytes)
            return;
        order_ = order;
        stride_ = stride;
        first_object_ = first_object;
        objects_per_slab_ = (bytes - first_object) / stride;
        if (objects_per_slab_ > max_objects_per_slab)
            objects_per_slab_ = max_objects_per_slab;
    }

    Slab_cache(const Slab_cache &) = delete;
    Slab_cache &operator=(const Slab_cache &) = delete;

    // An object of object_size() bytes at the requested alignment, or nullptr when the
    // cache is unusable or the page allocator has no block for a new slab.
    [[nodiscard]] void *allocate(Page_allocator &pages);

    // not_from_this_cache: not inside any slab of this cache (including nullptr);
    // misaligned: inside a slab but not at the start of an object;
    // double_free: the start of an object that is not allocated.
    // Pointers outside the span of this cache's slabs are refused without a memory access;
    // inside it, the slab-aligned address below the pointer is read as a header, so such a
    // pointer must at least point into mapped memory (the direct map, where slabs live).
    enum class Error { none, not_from_this_cache, misaligned, double_free };
    [[nodiscard]] Error free(void *object);

    // Returns every slab without allocated objects to pages (which must be the allocator
    // the slabs came from); the result is the number of pages released.
    size_t reclaim(Page_allocator &pages);

    const char *name() const { return name_; }
    constexpr bool usable() const { return objects_per_slab_ != 0; }
    constexpr size_t object_size() const { return object_size_; }
    constexpr size_t object_stride() const { return stride_; }         // distance between objects in a slab
    constexpr size_t first_object_offset() const { return first_object_; }  // the header and padding before it
    constexpr size_t objects_per_slab() const { return objects_per_slab_; }
    constexpr unsigned slab_order() const { return order_; }
    constexpr size_t slab_bytes() const { return usable() ? page_size << order_ : 0; }  // one slab
    size_t objects_in_use() const { return objects_in_use_; }
    size_t slab_count() const { return slab_count_; }
    size_t pages_in_use() const { return slab_count_ << order_; }

private:
    static constexpr size_t max_slab_bytes = page_size << Page_allocator::max_order;
    static constexpr uint64_t slab_magic = 0x7e4e'51ab'c0de'5eb1;
    static constexpr size_t bitmap_words = max_objects_per_slab / 64;

    struct Free_object {
        Free_object *next;
    };

    // At the start of every slab. Objects [0, untouched) have been handed out at least once
    // and are either allocated (their bit set) or on free_list; objects from untouched on
    // were never handed out, so a new slab needs no free list built through its pages.
    struct Slab {
        uint64_t magic;  // slab_magic ^ the header's own address: stale copies elsewhere fail
        const Slab_cache *cache;
        Slab *next;
        Slab *prev;
        Free_object *free_list;
        uint32_t in_use;
        uint32_t untouched;
        uint64_t allocated[bitmap_words];
    };
    static_assert((page_size - sizeof(Slab)) / sizeof(Free_object) <= max_objects_per_slab,
                  "the bitmap covers every object a one-page slab can hold");

    // Every slab is on exactly one list, chosen by its in_use count.
    struct Slab_list {
        Slab *first = nullptr;
        void push(Slab *slab);
        void unlink(Slab *slab);
    };

    Slab *new_slab(Page_allocator &pages);
    Slab_list &list_for(const Slab *slab);

    const char *name_;
    size_t object_size_;
    size_t stride_ = 0;
    size_t first_object_ = 0;
    size_t objects_per_slab_ = 0;  // 0: unusable
    unsigned order_ = 0;

    Slab_list partial_;  // 0 < in_use < objects_per_slab_
    Slab_list full_;     // in_use == objects_per_slab_
    Slab_list empty_;    // in_use == 0
    size_t objects_in_use_ = 0;
    size_t slab_count_ = 0;
    // Virtual range covering every slab this cache has ever had. free() reads a slab header
    // only for pointers inside it, so nullptr, stack and image pointers never cause a read.
    uintptr_t lowest_ = ~uintptr_t{0};
    uintptr_t highest_ = 0;
};
