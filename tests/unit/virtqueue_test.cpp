// SPDX-License-Identifier: MIT
// The network driver's virtqueue (servers/nic/virtqueue.cpp) against a model of the device's
// side: buffers made available appear in the available ring in order, with their address,
// length and flags; the used ones come back with the bytes written and free their
// descriptors; the 16-bit ring indices wrap; a bad id from the device is passed over; the
// driver notifies only while the device has not asked it not to (VRING_USED_F_NO_NOTIFY).
#include "../../servers/nic/virtqueue.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct Device_view {
    uint8_t *memory;
    unsigned size;
    struct Descriptor {
        uint64_t address;
        uint32_t length;
        uint16_t flags, next;
    };
    Descriptor *descriptors() const { return reinterpret_cast<Descriptor *>(memory); }
    uint16_t *available() const { return reinterpret_cast<uint16_t *>(memory + 16 * size); }
    uint16_t *used() const
    {
        size_t at = (16 * size + 6 + 2 * size + 4095) & ~size_t{4095};
        return reinterpret_cast<uint16_t *>(memory + at);
    }
    // The device uses the buffer of descriptor id, writing length bytes.
    void use(uint16_t id, uint32_t length) const
    {
        uint16_t *ring = used();
        auto *elements = reinterpret_cast<uint32_t *>(ring + 2);
        uint16_t at = ring[1];
        elements[2 * (at % size)] = id;
        elements[2 * (at % size) + 1] = length;
        ring[1] = static_cast<uint16_t>(at + 1);
    }
};

uint8_t *aligned_memory(size_t bytes)
{
    void *memory = std::aligned_alloc(4096, (bytes + 4095) & ~size_t{4095});
    std::memset(memory, 0xa5, bytes);  // init must clear it
    return static_cast<uint8_t *>(memory);
}

TEST(Virtqueue, SizesAndLayout)
{
    EXPECT_EQ(Virtqueue::bytes(256), 12288u);  // 4096 + 518 -> 8192, + 2054 -> 12288
    EXPECT_EQ(Virtqueue::bytes(8), 8192u);
    Virtqueue queue;
    uint8_t *memory = aligned_memory(Virtqueue::bytes(1024));
    EXPECT_FALSE(queue.init(memory, 0));
    EXPECT_FALSE(queue.init(memory, 6));
    EXPECT_FALSE(queue.init(memory, 2048));
    ASSERT_TRUE(queue.init(memory, 256));
    EXPECT_EQ(queue.free_descriptors(), 256u);
    Device_view device{memory, 256};
    EXPECT_EQ(device.available()[1], 0);
    EXPECT_EQ(device.used()[1], 0);
    std::free(memory);
}

TEST(Virtqueue, AddTakeAndRun)
{
    Virtqueue queue;
    uint8_t *memory = aligned_memory(Virtqueue::bytes(8));
    ASSERT_TRUE(queue.init(memory, 8));
    Device_view device{memory, 8};
    std::vector<int> ids;
    for (unsigned i = 0; i < 8; ++i)
        ids.push_back(queue.add(0x100000 + 2048 * i, 2048, Virtqueue::device_writes));
    EXPECT_EQ(queue.add(0, 1, 0), -1);  // all eight are out
    EXPECT_EQ(device.available()[1], 8);
    for (unsigned i = 0; i < 8; ++i) {
        uint16_t id = device.available()[2 + i];
        EXPECT_EQ(id, ids[i]);
        EXPECT_EQ(device.descriptors()[id].address, 0x100000u + 2048 * i);
        EXPECT_EQ(device.descriptors()[id].length, 2048u);
        EXPECT_EQ(device.descriptors()[id].flags, Virtqueue::device_writes);
    }
    uint16_t descriptor;
    uint32_t length;
    EXPECT_FALSE(queue.take_used(descriptor, length));
    device.use(static_cast<uint16_t>(ids[3]), 60);
    device.use(static_cast<uint16_t>(ids[0]), 1514);
    ASSERT_TRUE(queue.take_used(descriptor, length));
    EXPECT_EQ(descriptor, ids[3]);
    EXPECT_EQ(length, 60u);
    ASSERT_TRUE(queue.take_used(descriptor, length));
    EXPECT_EQ(descriptor, ids[0]);
    EXPECT_FALSE(queue.take_used(descriptor, length));
    EXPECT_EQ(queue.free_descriptors(), 2u);
    std::free(memory);
}

TEST(Virtqueue, NotifiesOnlyWhenTheDeviceAsks)
{
    Virtqueue queue;
    uint8_t *memory = aligned_memory(Virtqueue::bytes(8));
    ASSERT_TRUE(queue.init(memory, 8));
    Device_view device{memory, 8};
    EXPECT_TRUE(queue.device_wants_notification());  // a new queue: the device has said nothing
    device.used()[0] = Virtqueue::no_notify;
    ASSERT_GE(queue.add(0x1000, 100, 0), 0);
    EXPECT_FALSE(queue.device_wants_notification());
    device.used()[0] = 0;  // (QEMU clears it when it runs out of buffers)
    EXPECT_TRUE(queue.device_wants_notification());
    device.used()[0] = 2;  // other bits are not the flag
    EXPECT_TRUE(queue.device_wants_notification());
    std::free(memory);
}

TEST(Virtqueue, IndicesWrapAndBadIdsArePassedOver)
{
    Virtqueue queue;
    uint8_t *memory = aligned_memory(Virtqueue::bytes(4));
    ASSERT_TRUE(queue.init(memory, 4));
    Device_view device{memory, 4};
    for (unsigned round = 0; round < 70000; ++round) {  // past 65536: both indices wrap
        int id = queue.add(round, 100, 0);
        ASSERT_GE(id, 0);
        ASSERT_EQ(device.available()[2 + (round % 4)], id);
        device.use(static_cast<uint16_t>(id), 0);
        uint16_t descriptor;
        uint32_t length;
        ASSERT_TRUE(queue.take_used(descriptor, length));
        ASSERT_EQ(descriptor, id);
    }
    EXPECT_EQ(queue.free_descriptors(), 4u);
    device.use(9, 0);  // no such descriptor
    uint16_t descriptor;
    uint32_t length;
    EXPECT_FALSE(queue.take_used(descriptor, length));
    EXPECT_EQ(queue.free_descriptors(), 4u);
    std::free(memory);
}

}  // namespace
