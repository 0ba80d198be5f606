// SPDX-License-Identifier: MIT
// The network server's side of the driver's protocol (<l4/tern/nic.h>): the driver's
// buffers mapped into the server, frames received handed to lwIP (copied once, into a pbuf,
// so that the buffer goes back to the card at once), frames lwIP sends copied into a free
// transmit buffer and queued until a message to the driver carries them.
// Invariants: the server owns a receive buffer from the message that named it until the
// release goes out; it owns a transmit buffer while tx_owned_ says so. Whatever the driver
// names that breaks these is dropped and counted, never trusted.
#ifndef NET_NIC_LINK_HPP
#define NET_NIC_LINK_HPP

#include <l4/tern/message.hpp>
#include <l4/tern/nic.h>
#include <stdint.h>

struct netif;
struct pbuf;

class Nic_link {
public:
    // Where the driver's areas are mapped in the server: receive, then transmit.
    static constexpr L4_Word_t area_base = 0x0000100000000000UL;

    // Attaches to the driver: its buffers mapped, its MAC learnt.
    bool attach(L4_ThreadId_t driver);
    L4_ThreadId_t driver() const { return driver_; }
    const uint8_t *mac() const { return mac_; }

    // lwIP's linkoutput: the frame into a free transmit buffer, queued for the driver.
    bool transmit(const pbuf *p);
    // A FRAMES message from the driver: received frames go to lwIP (through netif->input),
    // finished transmit buffers are free again.
    void take(const tern::Message &message, netif *interface);
    // Hands what is queued to the driver in EXCHANGE messages, which it does not answer.
    // The driver is of a lower priority and never waits for the server (its FRAMES have a
    // zero send timeout), so a send that finds it busy waits only until it next receives;
    // the driver then runs when the server waits, before the server's clients (one address
    // space switch fewer than a call). A driver that takes nothing for a second leaves the
    // rest queued.
    void flush();
    // Whether to flush now: frames to send, or a batch of receive buffers to give back.
    // Releases alone wait for a frame to send or for a quarter of the buffers: the card
    // keeps the rest, and a received frame's way to its reader has no call to the driver.
    bool should_flush() const { return sends_ > 0 || releases_ >= TERN_NIC_BUFFERS / 4; }

    uint64_t frames_in = 0, frames_out = 0, dropped_in = 0, dropped_out = 0, bad_messages = 0;

private:
    void load(tern::Message &message, unsigned &releases, unsigned &sends) const;
    void consume(unsigned releases, unsigned sends);

    L4_ThreadId_t driver_ = L4_nilthread;
    uint8_t mac_[6] = {};
    unsigned receive_count_ = 0, transmit_count_ = 0;
    bool rx_owned_[TERN_NIC_BUFFERS] = {}, tx_owned_[TERN_NIC_BUFFERS] = {};
    uint16_t release_queue_[TERN_NIC_BUFFERS];
    L4_Word_t send_queue_[TERN_NIC_BUFFERS];  // buffer | length << 16
    unsigned releases_ = 0, sends_ = 0;
};

#endif
