// SPDX-License-Identifier: MIT
// A virtio network card through the legacy PCI interface (QEMU's virtio-net-pci, 1af4:1000):
// its registers in its I/O BAR, a receive and a transmit virtqueue and their buffers in
// one block of DMA memory from the root task. Frames go out one buffer each (a virtio-net
// header, then the frame); received frames come back in the buffers the driver keeps
// available, which it gives again once read. docs/network.md.
#ifndef NIC_VIRTIO_NET_HPP
#define NIC_VIRTIO_NET_HPP

#include <stddef.h>
#include <stdint.h>

#include "virtqueue.hpp"

class Virtio_net {
public:
    static constexpr size_t max_frame = 1514;  // Ethernet without its FCS
    static constexpr size_t buffer_bytes = 2048;
    static constexpr unsigned receive_buffers = 64, transmit_buffers = 32;
    // The DMA memory it needs: both rings and every buffer.
    static constexpr size_t dma_bytes = 256 * 1024;

    enum class Error { none, no_device, queue_size, memory, full, too_long };

    // Resets the card at ports base, negotiates (only the MAC feature), lays out its queues
    // and buffers in dma (dma_bytes, its physical address physical), fills the receive queue
    // and starts the card.
    Error start(uint16_t base, uint8_t *dma, uint64_t physical);
    const uint8_t *mac() const { return mac_; }
    // Sends one frame (copied into a transmit buffer).
    Error send(const uint8_t *frame, size_t length);
    // Called on the card's interrupt: reads (and so acknowledges) its status; true if the
    // card may have used buffers.
    bool interrupted();
    // The next received frame, or nullptr; it stays valid until release().
    const uint8_t *receive(size_t &length);
    void release();
    // Transmit buffers the card has sent become free again.
    void reclaim_sent();

    uint64_t received = 0, sent = 0, dropped = 0;  // frames; dropped: malformed lengths from the card

private:
    uint8_t in8(unsigned offset) const;
    uint16_t in16(unsigned offset) const;
    uint32_t in32(unsigned offset) const;
    void out8(unsigned offset, uint8_t value) const;
    void out16(unsigned offset, uint16_t value) const;
    void out32(unsigned offset, uint32_t value) const;
    bool setup_queue(uint16_t index, Virtqueue &queue, size_t offset);
    void give_receive_buffer(unsigned buffer);

    uint16_t base_ = 0;
    uint8_t *dma_ = nullptr;
    uint64_t physical_ = 0;
    Virtqueue receive_queue_, transmit_queue_;
    size_t receive_buffers_at_ = 0, transmit_buffers_at_ = 0;  // offsets in dma_
    // Which buffer each descriptor carries (descriptor index -> buffer index).
    uint16_t receive_buffer_of_[Virtqueue::max_size] = {};
    uint16_t transmit_buffer_of_[Virtqueue::max_size] = {};
    bool transmit_busy_[transmit_buffers] = {};
    int held_ = -1;  // the receive buffer receive() returned, until release()
    uint8_t mac_[6] = {};
};

#endif
