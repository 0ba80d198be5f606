// SPDX-License-Identifier: MIT
#include "virtio_net.hpp"

#include <string.h>

namespace {

// The legacy interface's registers in the I/O BAR (virtio 0.9.5, 2.2.2). With the
// function's MSI-X on, two vector registers come first and the device's configuration
// moves from 0x14 to 0x18.
constexpr unsigned device_features = 0x00, driver_features = 0x04, queue_address = 0x08, queue_size = 0x0c,
                   queue_select = 0x0e, queue_notify = 0x10, device_status = 0x12, isr_status = 0x13,
                   config_vector = 0x14, queue_vector = 0x16, device_config = 0x14, device_config_msix = 0x18;
constexpr uint16_t no_vector = 0xffff;
constexpr uint8_t status_acknowledge = 1, status_driver = 2, status_driver_ok = 4, status_failed = 0x80;
constexpr uint32_t feature_mac = 1u << 5;
constexpr uint16_t receive_queue = 0, transmit_queue = 1;
// The header before each frame (struct virtio_net_hdr without num_buffers: no MRG_RXBUF).
constexpr size_t header_bytes = 10;
static_assert(header_bytes == TERN_NIC_FRAME_OFFSET, "the client finds frames after the header");
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

bool Virtio_net::setup_queue(uint16_t index, Virtqueue &queue, size_t offset, uint16_t vector)
{
    out16(queue_select, index);
    uint16_t size = in16(queue_size);
    if (size == 0 || Virtqueue::bytes(size) > ring_bytes || !queue.init(dma_ + offset, size))
        return false;
    if (msix_) {
        out16(queue_vector, vector);
        if (in16(queue_vector) != vector)  // (the card could not take it)
            return false;
    }
    out32(queue_address, static_cast<uint32_t>((physical_ + offset) >> 12));  // (4 KiB aligned, below 16 TiB)
    return true;
}

Virtio_net::Error Virtio_net::start(uint16_t base, uint8_t *dma, uint64_t physical, bool msix)
{
    base_ = base;
    dma_ = dma;
    physical_ = physical;
    msix_ = msix;
    out8(device_status, 0);  // reset
    out8(device_status, status_acknowledge);
    out8(device_status, status_acknowledge | status_driver);
    uint32_t offered = in32(device_features);
    out32(driver_features, offered & feature_mac);
    static_assert(2 * ring_bytes <= receive_area, "the rings fit before the buffers");
    // With MSI-X: the receive queue raises the table's entry 0, the transmit queue and
    // configuration changes nothing.
    if (msix_)
        out16(config_vector, no_vector);
    if (!setup_queue(receive_queue, receive_queue_, 0, 0) ||
        !setup_queue(transmit_queue, transmit_queue_, ring_bytes, no_vector) ||
        receive_queue_.size() < receive_buffers || transmit_queue_.size() < transmit_buffers) {
        out8(device_status, status_failed);
        return Error::queue_size;
    }
    // Sent buffers come back without an interrupt each: the driver collects them on the next
    // receive interrupt or client message (Driver::collect), which is when the client needs them.
    transmit_queue_.quiet();
    if ((offered & feature_mac) != 0)
        for (unsigned i = 0; i < 6; ++i)
            mac_[i] = in8((msix_ ? device_config_msix : device_config) + i);
    else  // a locally administered address of its own
        memcpy(mac_, "\x02\x00\x00\x00\x00\x01", 6);
    for (unsigned buffer = 0; buffer < receive_buffers; ++buffer)
        (void)give_back(buffer);
    out8(device_status, status_acknowledge | status_driver | status_driver_ok);
    kick_receive();
    return Error::none;
}

Virtio_net::Error Virtio_net::give_back(unsigned buffer)
{
    if (buffer >= receive_buffers)
        return Error::bad_buffer;
    int descriptor = receive_queue_.add(physical_ + receive_area + buffer * buffer_bytes, buffer_bytes,
                                        Virtqueue::device_writes);
    if (descriptor < 0)
        return Error::full;
    receive_buffer_of_[descriptor] = static_cast<uint16_t>(buffer);
    return Error::none;
}

void Virtio_net::kick_receive()
{
    if (receive_queue_.device_wants_notification())  // (QEMU asks only when it ran out of buffers)
        out16(queue_notify, receive_queue);
}

Virtio_net::Error Virtio_net::send(unsigned buffer, size_t length)
{
    if (buffer >= transmit_buffers)
        return Error::bad_buffer;
    if (length > max_frame || length < 14)
        return Error::too_long;
    uint8_t *at = dma_ + transmit_area + buffer * buffer_bytes;
    memset(at, 0, header_bytes);  // no offloads: the header is the driver's, never the client's
    int descriptor = transmit_queue_.add(physical_ + transmit_area + buffer * buffer_bytes,
                                         static_cast<uint32_t>(header_bytes + length), 0);
    if (descriptor < 0)
        return Error::full;
    transmit_buffer_of_[descriptor] = static_cast<uint16_t>(buffer);
    ++sent;
    return Error::none;
}

void Virtio_net::kick_transmit()
{
    if (transmit_queue_.device_wants_notification())  // (QEMU asks except while it sends)
        out16(queue_notify, transmit_queue);
}

bool Virtio_net::next_sent(unsigned &buffer)
{
    uint16_t descriptor;
    uint32_t length;
    if (!transmit_queue_.take_used(descriptor, length))
        return false;
    buffer = transmit_buffer_of_[descriptor];
    return true;
}

bool Virtio_net::interrupted()
{
    // A message says the receive queue was used, and the card has no status to lower; a
    // pin's interrupt is the card's only if bit 0 of its status (which reading clears) says so.
    return msix_ || (in8(isr_status) & 1) != 0;
}

bool Virtio_net::next_received(unsigned &buffer, size_t &length)
{
    uint16_t descriptor;
    uint32_t written;
    while (receive_queue_.take_used(descriptor, written)) {
        buffer = receive_buffer_of_[descriptor];
        if (written < header_bytes + 14 || written > buffer_bytes) {
            ++dropped;  // not a frame: the buffer goes back at once
            (void)give_back(buffer);
            kick_receive();
            continue;
        }
        length = written - header_bytes;
        ++received;
        return true;
    }
    return false;
}
