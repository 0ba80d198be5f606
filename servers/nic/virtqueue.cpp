// SPDX-License-Identifier: MIT
#include "virtqueue.hpp"

namespace {

constexpr size_t alignment = 4096;

size_t align_up(size_t n) { return (n + alignment - 1) & ~(alignment - 1); }

}  // namespace

size_t Virtqueue::bytes(unsigned size)
{
    return align_up(16 * size_t{size} + 6 + 2 * size_t{size}) + align_up(6 + 8 * size_t{size});
}

bool Virtqueue::init(void *memory, unsigned size)
{
    if (size == 0 || size > max_size || (size & (size - 1)) != 0)
        return false;
    auto *bytes_at = static_cast<uint8_t *>(memory);
    for (size_t i = 0; i < bytes(size); ++i)
        bytes_at[i] = 0;
    size_ = size;
    descriptors_ = reinterpret_cast<Descriptor *>(bytes_at);
    available_ = reinterpret_cast<volatile uint16_t *>(bytes_at + 16 * size_t{size});
    used_ = reinterpret_cast<volatile uint16_t *>(bytes_at + align_up(16 * size_t{size} + 6 + 2 * size_t{size}));
    // The free descriptors, a list through next.
    for (unsigned i = 0; i < size; ++i)
        descriptors_[i].next = static_cast<uint16_t>(i + 1);
    free_head_ = 0;
    free_count_ = static_cast<uint16_t>(size);
    last_used_ = 0;
    return true;
}

int Virtqueue::add(uint64_t physical, uint32_t length, uint16_t flags)
{
    if (free_count_ == 0)
        return -1;
    uint16_t index = free_head_;
    Descriptor &descriptor = descriptors_[index];
    free_head_ = descriptor.next;
    --free_count_;
    descriptor.address = physical;
    descriptor.length = length;
    descriptor.flags = flags;
    descriptor.next = 0;
    uint16_t at = available_[1];
    available_[2 + at % size_] = index;
    // The entry before the index that publishes it (x86 keeps stores in order; the compiler
    // must too).
    __atomic_thread_fence(__ATOMIC_RELEASE);
    available_[1] = static_cast<uint16_t>(at + 1);
    return index;
}

bool Virtqueue::take_used(uint16_t &descriptor, uint32_t &length)
{
    const volatile uint32_t *ring = reinterpret_cast<const volatile uint32_t *>(used_ + 2);
    uint32_t id, written;
    do {
        if (used_[1] == last_used_)
            return false;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        unsigned slot = last_used_ % size_;
        id = ring[2 * slot];
        written = ring[2 * slot + 1];
        ++last_used_;
    } while (id >= size_);  // a device's bad id is passed over
    descriptor = static_cast<uint16_t>(id);
    length = written;
    descriptors_[id].next = free_head_;
    free_head_ = static_cast<uint16_t>(id);
    ++free_count_;
    return true;
}
