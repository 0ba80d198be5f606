// SPDX-License-Identifier: MIT
#include "virtio_net.hpp"

#include <string.h>

namespace {

// The legacy interface's registers in the I/O BAR (virtio 0.9.5, 2.2.2; no MSI-X).
constexpr unsigned device_features = 0x00, driver_features = 0x04, queue_address = 0x08, queue_size = 0x0c,
                   queue_select = 0x0e, queue_notify = 0x10, device_status = 0x12, isr_status = 0x13,
                   device_config = 0x14;
constexpr uint8_t status_acknowledge = 1, status_driver = 2, status_driver_ok = 4, status_failed = 0x80;
constexpr uint32_t feature_mac = 1u << 5;
constexpr uint16_t receive_queue = 0, transmit_queue = 1;
// The header before each frame (struct virtio_net_hdr without num_buffers: no MRG_RXBUF).
constexpr size_t header_bytes = 10;
constexpr size_t ring_bytes = 16 * 1024;  // each queue's rings (a queue of 256: 12 KiB)

}  // namespace

uint8_t Virtio_net::in8(unsigned offset) const
{
    uint8_t value;
    __asm__ __volatile__("inb %1, %0" : "=a"(value) : "Nd"(static_cast<uint16_t>(base_ + offset)) : "memory");
    return value;
}

uint16_t Virtio_net::in16(unsigned offset) const
{
    uint16_t value;
    __asm__ __volatile__("inw %1, %0" : "=a"(value) : "Nd"(static_cast<uint16_t>(base_ + offset)) : "memory");
    return value;
}

uint32_t Virtio_net::in32(unsigned offset) const
{
    uint32_t value;
    __asm__ __volatile__("inl %1, %0" : "=a"(value) : "Nd"(static_cast<uint16_t>(base_ + offset)) : "memory");
    return value;
}

void Virtio_net::out8(unsigned offset, uint8_t value) const
{
    __asm__ __volatile__("outb %0, %1" : : "a"(value), "Nd"(static_cast<uint16_t>(base_ + offset)) : "memory");
}

void Virtio_net::out16(unsigned offset, uint16_t value) const
{
    __asm__ __volatile__("outw %0, %1" : : "a"(value), "Nd"(static_cast<uint16_t>(base_ + offset)) : "memory");
}

void Virtio_net::out32(unsigned offset, uint32_t value) const
{
    __asm__ __volatile__("outl %0, %1" : : "a"(value), "Nd"(static_cast<uint16_t>(base_ + offset)) : "memory");
}

bool Virtio_net::setup_queue(uint16_t index, Virtqueue &queue, size_t offset)
{
    out16(queue_select, index);
    uint16_t size = in16(queue_size);
    if (size == 0 || Virtqueue::bytes(size) > ring_bytes || !queue.init(dma_ + offset, size))
        return false;
    out32(queue_address, static_cast<uint32_t>((physical_ + offset) >> 12));  // (4 KiB aligned, below 16 TiB)
    return true;
}

Virtio_net::Error Virtio_net::start(uint16_t base, uint8_t *dma, uint64_t physical)
{
    base_ = base;
    dma_ = dma;
    physical_ = physical;
    out8(device_status, 0);  // reset
    out8(device_status, status_acknowledge);
    out8(device_status, status_acknowledge | status_driver);
    uint32_t offered = in32(device_features);
    out32(driver_features, offered & feature_mac);
    if (!setup_queue(receive_queue, receive_queue_, 0) || !setup_queue(transmit_queue, transmit_queue_, ring_bytes)) {
        out8(device_status, status_failed);
        return Error::queue_size;
    }
    receive_buffers_at_ = 2 * ring_bytes;
    transmit_buffers_at_ = receive_buffers_at_ + receive_buffers * buffer_bytes;
    if (transmit_buffers_at_ + transmit_buffers * buffer_bytes > dma_bytes) {
        out8(device_status, status_failed);
        return Error::memory;
    }
    if ((offered & feature_mac) != 0)
        for (unsigned i = 0; i < 6; ++i)
            mac_[i] = in8(device_config + i);
    else  // a locally administered address of its own
        memcpy(mac_, "\x02\x00\x00\x00\x00\x01", 6);
    for (unsigned buffer = 0; buffer < receive_buffers && buffer < receive_queue_.size(); ++buffer)
        give_receive_buffer(buffer);
    out8(device_status, status_acknowledge | status_driver | status_driver_ok);
    out16(queue_notify, receive_queue);
    return Error::none;
}

void Virtio_net::give_receive_buffer(unsigned buffer)
{
    int descriptor = receive_queue_.add(physical_ + receive_buffers_at_ + buffer * buffer_bytes, buffer_bytes,
                                        Virtqueue::device_writes);
    if (descriptor >= 0)
        receive_buffer_of_[descriptor] = static_cast<uint16_t>(buffer);
}

Virtio_net::Error Virtio_net::send(const uint8_t *frame, size_t length)
{
    if (length > max_frame)
        return Error::too_long;
    reclaim_sent();
    unsigned buffer = 0;
    while (buffer < transmit_buffers && transmit_busy_[buffer])
        ++buffer;
    if (buffer == transmit_buffers)
        return Error::full;
    uint8_t *at = dma_ + transmit_buffers_at_ + buffer * buffer_bytes;
    memset(at, 0, header_bytes);
    memcpy(at + header_bytes, frame, length);
    int descriptor = transmit_queue_.add(physical_ + transmit_buffers_at_ + buffer * buffer_bytes,
                                         static_cast<uint32_t>(header_bytes + length), 0);
    if (descriptor < 0)
        return Error::full;
    transmit_busy_[buffer] = true;
    transmit_buffer_of_[descriptor] = static_cast<uint16_t>(buffer);
    out16(queue_notify, transmit_queue);
    ++sent;
    return Error::none;
}

void Virtio_net::reclaim_sent()
{
    uint16_t descriptor;
    uint32_t length;
    while (transmit_queue_.take_used(descriptor, length))
        transmit_busy_[transmit_buffer_of_[descriptor]] = false;
}

bool Virtio_net::interrupted()
{
    return (in8(isr_status) & 1) != 0;  // bit 0: a queue was used (reading clears it)
}

const uint8_t *Virtio_net::receive(size_t &length)
{
    if (held_ >= 0)
        return nullptr;  // one at a time: release() first
    uint16_t descriptor;
    uint32_t written;
    while (receive_queue_.take_used(descriptor, written)) {
        unsigned buffer = receive_buffer_of_[descriptor];
        if (written < header_bytes + 14 || written > buffer_bytes) {
            ++dropped;  // not a frame: the buffer goes back at once
            give_receive_buffer(buffer);
            out16(queue_notify, receive_queue);
            continue;
        }
        held_ = static_cast<int>(buffer);
        length = written - header_bytes;
        ++received;
        return dma_ + receive_buffers_at_ + buffer * buffer_bytes + header_bytes;
    }
    return nullptr;
}

void Virtio_net::release()
{
    if (held_ < 0)
        return;
    give_receive_buffer(static_cast<unsigned>(held_));
    held_ = -1;
    out16(queue_notify, receive_queue);
}
