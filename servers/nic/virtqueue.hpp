// SPDX-License-Identifier: MIT
// A virtio split virtqueue as the legacy (0.9.5) interface lays it out in memory the device
// reads by DMA: the descriptor table, the driver's available ring, then, from the next
// 4 KiB boundary, the device's used ring. The driver adds buffers (each one descriptor: a
// physical address and a length, written by the device or read by it), makes them available,
// and takes back those the device used, with the bytes it wrote. No chains: every buffer of
// the network driver is one descriptor. Host-testable: memory is plain memory and the
// physical address is the caller's (tests/unit/virtqueue_test.cpp).
#ifndef NIC_VIRTQUEUE_HPP
#define NIC_VIRTQUEUE_HPP

#include <stddef.h>
#include <stdint.h>

class Virtqueue {
public:
    static constexpr unsigned max_size = 1024;
    static constexpr uint16_t device_writes = 2;  // VIRTQ_DESC_F_WRITE
    static constexpr uint16_t no_notify = 1;      // VRING_USED_F_NO_NOTIFY, in the used ring's flags

    // The bytes a queue of size entries takes (legacy alignment 4096).
    static size_t bytes(unsigned size);
    // Lays the queue out in memory (zeroed, 4 KiB aligned, bytes(size) long); false for a
    // size that is not a power of two of at most max_size.
    bool init(void *memory, unsigned size);
    unsigned size() const { return size_; }
    unsigned free_descriptors() const { return free_count_; }

    // Makes a buffer available to the device: its descriptor's index, or -1 when none is free.
    int add(uint64_t physical, uint32_t length, uint16_t flags);
    // Asks the device not to interrupt when it uses this queue's buffers (VRING_AVAIL_F_NO_INTERRUPT,
    // a hint the device may ignore): the driver takes them back when it looks anyway.
    void quiet() { available_[0] = 1; }
    // Whether the device asks to hear of buffers made available (VRING_USED_F_NO_NOTIFY clear).
    // A notification is an exit to the emulator (QEMU: about 17 us of its time, more than a
    // frame's whole trip through lwIP), so the driver leaves it out when the device says it
    // will look anyway. Read after the new available index is visible to the device (a full
    // fence: x86 may let this load pass the store before it), as virtio 0.9.5 2.4.1 asks.
    bool device_wants_notification() const
    {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        return (used_[0] & no_notify) == 0;
    }
    // Whether the device used a buffer since the last take; then its descriptor and the
    // bytes the device wrote, and its descriptor is free again.
    bool take_used(uint16_t &descriptor, uint32_t &length);

private:
    struct Descriptor {
        uint64_t address;
        uint32_t length;
        uint16_t flags, next;
    };

    Descriptor *descriptors_ = nullptr;
    volatile uint16_t *available_ = nullptr;  // flags, index, ring[size], used_event
    volatile uint16_t *used_ = nullptr;       // flags, index, then ring[size] of Used_element
    unsigned size_ = 0;
    uint16_t free_head_ = 0, free_count_ = 0;
    uint16_t last_used_ = 0;  // the used ring's index the driver has seen up to
};

#endif
