// SPDX-License-Identifier: MIT
// A virtio network card through the legacy PCI interface (QEMU's virtio-net-pci, 1af4:1000):
// its registers in its I/O BAR, a receive and a transmit virtqueue and their buffers in
// one block of DMA memory from the root task. Each buffer holds a virtio-net header, then a
// frame; the driver's client fills and reads the frames in place (<l4/tern/nic.h>), the card
// gets buffer numbers. docs/network.md.
#ifndef NIC_VIRTIO_NET_HPP
#define NIC_VIRTIO_NET_HPP

#include <stddef.h>
#include <stdint.h>

#include <l4/tern/nic.h>

#include "virtqueue.hpp"

class Virtio_net {
public:
    static constexpr size_t max_frame = TERN_NIC_MAX_FRAME;  // Ethernet without its FCS
    static constexpr size_t buffer_bytes = TERN_NIC_BUFFER_BYTES;
    static constexpr unsigned receive_buffers = TERN_NIC_BUFFERS, transmit_buffers = TERN_NIC_BUFFERS;
    // The DMA memory it needs: both rings, then (each area aligned to its size, so that it can
    // be mapped alone as one fpage) the receive buffers and the transmit buffers.
    static constexpr size_t area_bytes = size_t{1} << TERN_NIC_AREA_LOG2;
    static constexpr size_t receive_area = 2 * area_bytes, transmit_area = 3 * area_bytes;
    static constexpr size_t dma_bytes = 4 * area_bytes;

    enum class Error { none, no_device, queue_size, memory, full, too_long, bad_buffer };

    // Resets the card at ports base, negotiates (only the MAC feature), lays out its queues
    // and buffers in dma (dma_bytes, its physical address physical), gives the card every
    // receive buffer and starts it. msix: the function's MSI-X is on (the root task set it
    // up, entry 0 raising the driver's line): the receive queue signals entry 0, the transmit
    // queue nothing; queue_size when the card refuses the vector.
    Error start(uint16_t base, uint8_t *dma, uint64_t physical, bool msix);
    const uint8_t *mac() const { return mac_; }

    // Called on the card's interrupt: with a pin, reads (and so acknowledges) its status;
    // true if the card may have used buffers.
    bool interrupted();
    // The next buffer the card filled with a frame of length bytes (at TERN_NIC_FRAME_OFFSET);
    // the caller has it until give_back. Buffers the card filled with no frame go back at once.
    bool next_received(unsigned &buffer, size_t &length);
    // Gives a received buffer back to the card (kick_receive tells the card).
    Error give_back(unsigned buffer);
    void kick_receive();
    // Sends the frame of length bytes at TERN_NIC_FRAME_OFFSET in transmit buffer buffer
    // (kick_transmit tells the card); the card has the buffer until next_sent names it.
    Error send(unsigned buffer, size_t length);
    void kick_transmit();
    bool next_sent(unsigned &buffer);
    uint8_t *transmit_frame(unsigned buffer) { return dma_ + transmit_area + buffer * buffer_bytes + TERN_NIC_FRAME_OFFSET; }
    const uint8_t *received_frame(unsigned buffer) const
    {
        return dma_ + receive_area + buffer * buffer_bytes + TERN_NIC_FRAME_OFFSET;
    }

    uint64_t received = 0, sent = 0, dropped = 0;  // frames; dropped: malformed lengths from the card

private:
    uint8_t in8(unsigned offset) const;
    uint16_t in16(unsigned offset) const;
    uint32_t in32(unsigned offset) const;
    void out8(unsigned offset, uint8_t value) const;
    void out16(unsigned offset, uint16_t value) const;
    void out32(unsigned offset, uint32_t value) const;
    bool setup_queue(uint16_t index, Virtqueue &queue, size_t offset, uint16_t vector);

    uint16_t base_ = 0;
    bool msix_ = false;
    uint8_t *dma_ = nullptr;
    uint64_t physical_ = 0;
    Virtqueue receive_queue_, transmit_queue_;
    // Which buffer each descriptor carries (descriptor index -> buffer index).
    uint16_t receive_buffer_of_[Virtqueue::max_size] = {};
    uint16_t transmit_buffer_of_[Virtqueue::max_size] = {};
    uint8_t mac_[6] = {};
};

#endif
