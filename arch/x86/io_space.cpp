// SPDX-License-Identifier: MIT
#include "io_space.hpp"

// Invariants:
// - bitmap_ and directory_ are both nullptr or both allocated; slot pages exist only with
//   them. Every bit of the bitmap is set (denied) unless its port has a node in its slot.
// - port_count_ is the number of ports with a node; key_ == bitmap_ when it is not 0, else
//   nullptr.
// - extent_begin_ and extent_end_ are multiples of 8; every bitmap byte with a clear bit lies
//   in [extent_begin_, extent_end_), which is empty (both 0) until the first insert.

Io_space::Error Io_space::reserve(Page_allocator &pages, unsigned first, unsigned end)
{
    if (first >= end)
        return Error::none;
    if (end > ports)
        return Error::bad_port;
    if (directory_ == nullptr) {
        Phys_addr bitmap = pages.allocate(bitmap_order);
        Phys_addr directory = pages.allocate();
        if (bitmap == 0 || directory == 0) {
            if (bitmap != 0)
                (void)pages.free(bitmap, bitmap_order);
            if (directory != 0)
                (void)pages.free(directory);
            return Error::out_of_memory;
        }
        bitmap_ = static_cast<uint8_t *>(pages.virtual_address(bitmap));
        auto *words = static_cast<uint64_t *>(pages.virtual_address(bitmap));
        for (unsigned i = 0; i < bitmap_bytes / 8; ++i)
            words[i] = ~uint64_t{0};
        directory_ = static_cast<Mapping ***>(pages.virtual_address(directory));
        for (unsigned i = 0; i < slot_pages; ++i)
            directory_[i] = nullptr;
    }
    // Empty slot pages change no answer, so those installed before a failure just stay.
    for (unsigned i = first / slots_per_page; i <= (end - 1) / slots_per_page; ++i) {
        if (directory_[i] != nullptr)
            continue;
        Phys_addr page = pages.allocate();
        if (page == 0)
            return Error::out_of_memory;
        auto **slots = static_cast<Mapping **>(pages.virtual_address(page));
        for (unsigned j = 0; j < slots_per_page; ++j)
            slots[j] = nullptr;
        directory_[i] = slots;
    }
    return Error::none;
}

void Io_space::insert(unsigned port, Mapping *node)
{
    directory_[port / slots_per_page][port % slots_per_page] = node;
    bitmap_[port / 8] &= static_cast<uint8_t>(~(1u << (port % 8)));
    auto begin = static_cast<unsigned>(align_down(port / 8, 8)), end = static_cast<unsigned>(align_up(port / 8 + 1, 8));
    if (extent_end_ == 0 || begin < extent_begin_)
        extent_begin_ = begin;
    if (end > extent_end_)
        extent_end_ = end;
    ++port_count_;
    key_ = bitmap_;
}

void Io_space::remove(unsigned port)
{
    directory_[port / slots_per_page][port % slots_per_page] = nullptr;
    bitmap_[port / 8] |= static_cast<uint8_t>(1u << (port % 8));
    if (--port_count_ == 0)
        key_ = nullptr;
}

void Io_space::release(Page_allocator &pages)
{
    if (directory_ != nullptr) {
        for (unsigned i = 0; i < slot_pages; ++i)
            if (directory_[i] != nullptr)
                (void)pages.free(pages.physical_address(directory_[i]));
        (void)pages.free(pages.physical_address(directory_));
        (void)pages.free(pages.physical_address(bitmap_), bitmap_order);
    }
    bitmap_ = nullptr;
    directory_ = nullptr;
    key_ = nullptr;
    port_count_ = 0;
    extent_begin_ = extent_end_ = 0;
}
