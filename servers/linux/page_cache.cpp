// SPDX-License-Identifier: MIT
#include "page_cache.hpp"

#include <string.h>

uint8_t *Page_cache::page(const uint8_t *source, size_t n)
{
    if (n > Frame_pool::frame_size)
        n = Frame_pool::frame_size;
    // Open addressing with linear probing; slots are never emptied.
    uint64_t key = reinterpret_cast<uintptr_t>(source);
    unsigned index = static_cast<unsigned>((key * 0x9e3779b97f4a7c15) >> 53) & (slots - 1);
    for (unsigned probe = 0; probe < slots; ++probe, index = (index + 1) & (slots - 1)) {
        Slot &slot = slots_[index];
        if (slot.frame == nullptr)
            break;
        if (slot.source == source && slot.bytes == n) {
            frames_.share(slot.frame);
            return slot.frame;
        }
    }
    auto *frame = static_cast<uint8_t *>(frames_.allocate());  // (zeroed)
    if (frame == nullptr)
        return nullptr;
    memcpy(frame, source, n);
    if (used_ < max_pages && slots_[index].frame == nullptr) {
        slots_[index] = {source, n, frame};
        ++used_;
        frames_.share(frame);  // the cache's own reference
    }
    return frame;
}
