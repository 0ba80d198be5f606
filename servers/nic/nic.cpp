// SPDX-License-Identifier: MIT
// The network card's driver (module "nic"), a user task: it finds a virtio network card
// among the PCI functions root found, claims it (its ports and interrupt; the boot
// configuration must grant it, pci=1af4:1000), takes DMA memory for its queues and buffers,
// starts the card, and serves its interrupts. At start it asks, by ARP, for the MAC address
// of the gateway of QEMU's user network (10.0.2.2) and reports the answer: the first
// frames out and in. docs/network.md.
#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/tern/protocol.h>
#include <l4/tern/system.h>
#include <l4/tern/system.hpp>
#include <l4/thread.h>
#include <stdio.h>
#include <string.h>

#include "task.hpp"
#include "virtio_net.hpp"

namespace {

constexpr uint16_t virtio_vendor = 0x1af4, virtio_network = 0x1000;
constexpr L4_Word_t dma_window = 0x0000100000000000UL;
constexpr int dma_log2 = 18;  // Virtio_net::dma_bytes
static_assert((size_t{1} << dma_log2) == Virtio_net::dma_bytes);

// QEMU's user network: the guest 10.0.2.15, the gateway 10.0.2.2.
constexpr uint8_t own_ip[4] = {10, 0, 2, 15}, gateway_ip[4] = {10, 0, 2, 2};

struct Card {
    L4_Word_t index = 0;
    uint16_t ports = 0;  // the I/O BAR's base
};

bool find_card(Card &card)
{
    for (L4_Word_t index = 0;; ++index) {
        tern::Message reply;
        if (tern::system::call(TERN_SYSTEM_PCI, index, &reply) != tern::Status::ok ||
            reply.untyped() != TERN_PCI_WORDS)
            return false;
        L4_Word_t ids = reply.word(1), bar0 = reply.word(4);
        if ((ids & 0xffff) != virtio_vendor || (ids >> 16) != virtio_network ||
            (bar0 & TERN_PCI_BAR_KIND_MASK) != TERN_PCI_BAR_IO)
            continue;
        card.index = index;
        card.ports = static_cast<uint16_t>(bar0 & ~L4_Word_t{3});
        return true;
    }
}

void put16(uint8_t *at, uint16_t value)
{
    at[0] = static_cast<uint8_t>(value >> 8);
    at[1] = static_cast<uint8_t>(value);
}

// An ARP request for ip (RFC 826), padded to Ethernet's 60 bytes.
size_t arp_request(uint8_t *frame, const uint8_t *mac, const uint8_t *ip)
{
    memset(frame, 0, 60);
    memset(frame, 0xff, 6);
    memcpy(frame + 6, mac, 6);
    put16(frame + 12, 0x0806);
    put16(frame + 14, 1);       // Ethernet
    put16(frame + 16, 0x0800);  // IPv4
    frame[18] = 6;
    frame[19] = 4;
    put16(frame + 20, 1);       // request
    memcpy(frame + 22, mac, 6);
    memcpy(frame + 28, own_ip, 4);
    memcpy(frame + 38, ip, 4);
    return 60;
}

// Whether frame is an ARP reply from ip; then its sender's MAC.
bool arp_reply_from(const uint8_t *frame, size_t length, const uint8_t *ip, uint8_t *mac)
{
    if (length < 42 || frame[12] != 0x08 || frame[13] != 0x06 || frame[20] != 0 || frame[21] != 2 ||
        memcmp(frame + 28, ip, 4) != 0)
        return false;
    memcpy(mac, frame + 22, 6);
    return true;
}

}  // namespace

int main()
{
    Card card;
    if (!find_card(card)) {
        printf("nic: no virtio network card (%04x:%04x): no network\n", virtio_vendor, virtio_network);
        return 0;
    }
    L4_Accept(L4_MapGrantItems(L4_CompleteAddressSpace));  // its ports
    tern::Message claimed;
    tern::Status status = tern::system::call(TERN_SYSTEM_PCI_CLAIM, card.index, &claimed);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (status != tern::Status::ok || claimed.untyped() != 1) {
        printf("nic: root did not hand over the card (status %lu)\n", tern::raw(status));
        return 1;
    }
    L4_Word_t line = claimed.word(0);
    if (line >= 16) {
        printf("nic: the card has no interrupt line: not driven (no polling)\n");
        return 1;
    }
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(dma_window, dma_log2)));
    tern::Message memory;
    status = tern::system::call(TERN_SYSTEM_DMA, static_cast<L4_Word_t>(dma_log2), &memory);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (status != tern::Status::ok || memory.untyped() != 1 || memory.typed() != 2) {
        printf("nic: no DMA memory (status %lu)\n", tern::raw(status));
        return 1;
    }
    static Virtio_net card_driver;
    Virtio_net::Error started =
        card_driver.start(card.ports, reinterpret_cast<uint8_t *>(dma_window), memory.word(0));
    if (started != Virtio_net::Error::none) {
        printf("nic: the card did not start (error %d)\n", static_cast<int>(started));
        return 1;
    }
    const uint8_t *mac = card_driver.mac();
    printf("nic: virtio-net at ports %#x, interrupt %lu, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", card.ports, line,
           mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    uint8_t frame[60];
    size_t length = arp_request(frame, mac, gateway_ip);
    (void)card_driver.send(frame, length);
    L4_ThreadId_t interrupt = L4_GlobalId(line, 1);
    bool answered = false;
    L4_ThreadId_t to = L4_nilthread;
    for (unsigned rounds = 0;; ++rounds) {
        L4_MsgTag_t tag;
        L4_ThreadId_t from;
        L4_LoadMR(0, 0);
        // Acknowledge the last interrupt (an empty message unmasks the line) and wait for
        // the next; at most 5 s while the gateway's answer is awaited.
        tag = L4_Ipc(to, interrupt, L4_Timeouts(L4_ZeroTime, answered ? L4_Never : L4_TimePeriod(5000000)), &from);
        if (L4_IpcFailed(tag)) {
            if ((L4_ErrorCode() & 1) == 0)
                continue;  // the acknowledgement (send phase) failed: send it again
            to = L4_nilthread;
            if (!answered) {
                printf("nic: no ARP answer from 10.0.2.2 in 5 s (%lu frames in, %lu out)\n",
                       static_cast<unsigned long>(card_driver.received), static_cast<unsigned long>(card_driver.sent));
                answered = true;
            }
            continue;
        }
        to = interrupt;  // acknowledged with the next receive
        if (!card_driver.interrupted())
            continue;  // (the line is shared: another device's)
        card_driver.reclaim_sent();
        size_t got;
        while (const uint8_t *in = card_driver.receive(got)) {
            uint8_t gateway[6];
            if (!answered && arp_reply_from(in, got, gateway_ip, gateway)) {
                printf("nic: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x (ARP, %lu frames in, %lu out)\n",
                       gateway[0], gateway[1], gateway[2], gateway[3], gateway[4], gateway[5],
                       static_cast<unsigned long>(card_driver.received), static_cast<unsigned long>(card_driver.sent));
                answered = true;
            }
            card_driver.release();
        }
        (void)rounds;
    }
}
