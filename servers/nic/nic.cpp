// SPDX-License-Identifier: MIT
// The network card's driver (module "nic"), a user task: it finds a virtio network card
// among the PCI functions root found, claims it (its ports and interrupt; the boot
// configuration must grant it, pci=1af4:1000), takes DMA memory for its queues and buffers,
// starts the card, registers the name "nic" and serves one client, the network server, by
// the protocol of <l4/tern/nic.h>: the buffers are shared, frames travel as buffer numbers.
// docs/network.md.
#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/tern/protocol.h>
#include <l4/tern/names.hpp>
#include <l4/tern/nic.h>
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
constexpr int dma_log2 = 19;
static_assert((size_t{1} << dma_log2) == Virtio_net::dma_bytes);

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

// The driver's one client and who holds each buffer. Invariant: a buffer is the client's
// (client_has_) or the card's or queued for the client (received_, finished_), never two.
class Driver {
public:
    explicit Driver(Virtio_net &card) : card_(card) {}

    void attach(L4_ThreadId_t from, tern::Message &reply);
    // The client is gone: every receive buffer goes back to the card, a new client may attach.
    void detach();
    // An EXCHANGE message: releases and frames to send; then what the card is done with.
    void take(const tern::Message &message);
    // What the client has not heard of yet into a FRAMES message; the items put in are the
    // client's from now.
    void give(tern::Message &message);
    // A FRAMES message that never reached the client: its items are queued again.
    void take_back(const tern::Message &message);
    // After an interrupt: what the card used, queued for the client.
    void collect();
    // Frames received, half the transmit buffers done, or any done while the client is short
    // of them (it sends no EXCHANGE without a buffer, and the transmit queue does not interrupt).
    bool owes_client() const
    {
        return received_count_ > 0 || finished_count_ > Virtio_net::transmit_buffers / 2 ||
               (finished_count_ > 0 && client_short_of_transmit_buffers());
    }
    // The client is short of transmit buffers and some are on the card: the driver looks at
    // the card again after a while, since nothing else would make it.
    bool awaits_card() const;
    bool client_short_of_transmit_buffers() const;
    L4_ThreadId_t client() const { return client_; }
    uint64_t bad_items = 0;

private:
    Virtio_net &card_;
    L4_ThreadId_t client_ = L4_nilthread;
    bool client_has_rx_[Virtio_net::receive_buffers] = {}, client_has_tx_[Virtio_net::transmit_buffers] = {};
    bool tx_on_card_[Virtio_net::transmit_buffers] = {};  // given to the card, not yet back
    unsigned client_tx_count_ = 0, tx_on_card_count_ = 0;  // how many of each flag are set
    L4_Word_t received_[Virtio_net::receive_buffers];  // buffer | length << 16
    uint16_t finished_[Virtio_net::transmit_buffers];
    unsigned received_count_ = 0, finished_count_ = 0;
};

void Driver::attach(L4_ThreadId_t from, tern::Message &reply)
{
    if (!L4_IsNilThread(client_) && client_.raw != from.raw) {
        reply = tern::Message(tern::Status::busy);  // one client
        return;
    }
    client_ = from;
    // (Again from the same client: it starts afresh, every transmit buffer its own, the
    // receive buffers it held back with the card.)
    for (unsigned buffer = 0; buffer < Virtio_net::receive_buffers; ++buffer)
        if (client_has_rx_[buffer]) {
            client_has_rx_[buffer] = false;
            (void)card_.give_back(buffer);
        }
    card_.kick_receive();
    finished_count_ = 0;  // (finished: no longer on the card)
    for (unsigned buffer = 0; buffer < Virtio_net::transmit_buffers; ++buffer)
        client_has_tx_[buffer] = !tx_on_card_[buffer];
    client_tx_count_ = Virtio_net::transmit_buffers - tx_on_card_count_;
    const uint8_t *mac = card_.mac();
    L4_Word_t mac_word = 0;
    for (unsigned i = 0; i < 6; ++i)
        mac_word |= L4_Word_t{mac[i]} << (8 * i);
    reply = tern::Message(tern::Status::ok);
    (void)reply.add(mac_word);
    (void)reply.add(Virtio_net::receive_buffers);
    (void)reply.add(Virtio_net::transmit_buffers);
    L4_Fpage_t receive = L4_FpageLog2(dma_window + Virtio_net::receive_area, TERN_NIC_AREA_LOG2);
    L4_Set_Rights(&receive, L4_Readable);
    L4_Fpage_t transmit = L4_FpageLog2(dma_window + Virtio_net::transmit_area, TERN_NIC_AREA_LOG2);
    L4_Set_Rights(&transmit, L4_Readable | L4_Writable);
    (void)reply.add_map_item(L4_MapItem(receive, 0));
    (void)reply.add_map_item(L4_MapItem(transmit, Virtio_net::area_bytes));
}

void Driver::take(const tern::Message &message)
{
    L4_Word_t releases = message.word(0), sends = message.word(1);
    if (message.untyped() < 2 || message.typed() != 0 || releases > TERN_NIC_MAX_ITEMS ||
        sends > TERN_NIC_MAX_ITEMS - releases || message.untyped() != 2 + releases + sends) {
        ++bad_items;
        return;
    }
    unsigned i = 2;
    for (L4_Word_t n = 0; n < releases; ++n, ++i) {
        L4_Word_t buffer = message.word(i);
        if (buffer >= Virtio_net::receive_buffers || !client_has_rx_[buffer]) {
            ++bad_items;
            continue;
        }
        client_has_rx_[buffer] = false;
        (void)card_.give_back(static_cast<unsigned>(buffer));
    }
    if (releases > 0)
        card_.kick_receive();
    bool sent = false;
    for (L4_Word_t n = 0; n < sends; ++n, ++i) {
        L4_Word_t item = message.word(i), buffer = item & 0xffff, length = item >> 16;
        if (buffer >= Virtio_net::transmit_buffers || !client_has_tx_[buffer] ||
            card_.send(static_cast<unsigned>(buffer), length) != Virtio_net::Error::none) {
            ++bad_items;  // not the client's buffer, or not a frame's length: the buffer stays its own
            continue;
        }
        client_has_tx_[buffer] = false;
        tx_on_card_[buffer] = true;
        --client_tx_count_;
        ++tx_on_card_count_;
        sent = true;
    }
    if (sent)
        card_.kick_transmit();
    collect();  // (the transmit queue does not interrupt: its finished buffers are found here)
}

bool Driver::client_short_of_transmit_buffers() const { return client_tx_count_ < Virtio_net::transmit_buffers / 4; }

bool Driver::awaits_card() const
{
    return tx_on_card_count_ > 0 && !L4_IsNilThread(client_) && client_short_of_transmit_buffers();
}

void Driver::detach()
{
    for (unsigned buffer = 0; buffer < Virtio_net::receive_buffers; ++buffer)
        if (client_has_rx_[buffer]) {
            client_has_rx_[buffer] = false;
            (void)card_.give_back(buffer);
        }
    for (unsigned i = 0; i < received_count_; ++i)
        (void)card_.give_back(static_cast<unsigned>(received_[i] & 0xffff));
    received_count_ = finished_count_ = 0;
    client_ = L4_nilthread;
    card_.kick_receive();
}

void Driver::collect()
{
    unsigned buffer;
    while (finished_count_ < Virtio_net::transmit_buffers && card_.next_sent(buffer)) {
        tx_on_card_[buffer] = false;
        --tx_on_card_count_;
        finished_[finished_count_++] = static_cast<uint16_t>(buffer);
    }
    size_t length;
    while (received_count_ < Virtio_net::receive_buffers && card_.next_received(buffer, length))
        received_[received_count_++] = buffer | L4_Word_t{length} << 16;
}

void Driver::give(tern::Message &message)
{
    collect();
    unsigned received = received_count_ < TERN_NIC_MAX_ITEMS ? received_count_ : static_cast<unsigned>(TERN_NIC_MAX_ITEMS);
    unsigned finished = finished_count_ < TERN_NIC_MAX_ITEMS - received ? finished_count_
                                                                        : static_cast<unsigned>(TERN_NIC_MAX_ITEMS) - received;
    (void)message.add(received);
    (void)message.add(finished);
    for (unsigned i = 0; i < received; ++i) {
        (void)message.add(received_[i]);
        client_has_rx_[received_[i] & 0xffff] = true;
    }
    for (unsigned i = 0; i < finished; ++i) {
        (void)message.add(finished_[i]);
        client_has_tx_[finished_[i]] = true;
        ++client_tx_count_;
    }
    memmove(received_, received_ + received, (received_count_ - received) * sizeof received_[0]);
    received_count_ -= received;
    memmove(finished_, finished_ + finished, (finished_count_ - finished) * sizeof finished_[0]);
    finished_count_ -= finished;
}

void Driver::take_back(const tern::Message &message)
{
    unsigned received = static_cast<unsigned>(message.word(0)), finished = static_cast<unsigned>(message.word(1));
    memmove(received_ + received, received_, received_count_ * sizeof received_[0]);
    memmove(finished_ + finished, finished_, finished_count_ * sizeof finished_[0]);
    for (unsigned i = 0; i < received; ++i) {
        received_[i] = message.word(2 + i);
        client_has_rx_[received_[i] & 0xffff] = false;
    }
    for (unsigned i = 0; i < finished; ++i) {
        finished_[i] = static_cast<uint16_t>(message.word(2 + received + i));
        client_has_tx_[finished_[i]] = false;
        --client_tx_count_;
    }
    received_count_ += received;
    finished_count_ += finished;
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
    if (status != tern::Status::ok || claimed.untyped() != 2) {
        printf("nic: root did not hand over the card (status %lu)\n", tern::raw(status));
        return 1;
    }
    L4_Word_t line = claimed.word(0);
    bool msix = claimed.word(1) == TERN_PCI_INTERRUPT_MSIX;
    if (line == ~L4_Word_t{0}) {
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
        card_driver.start(card.ports, reinterpret_cast<uint8_t *>(dma_window), memory.word(0), msix);
    if (started != Virtio_net::Error::none) {
        printf("nic: the card did not start (error %d)\n", static_cast<int>(started));
        return 1;
    }
    const uint8_t *mac = card_driver.mac();
    printf("nic: virtio-net at ports %#x, interrupt %lu%s, MAC %02x:%02x:%02x:%02x:%02x:%02x\n", card.ports, line,
           msix ? " (MSI-X)" : "", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    static Driver driver(card_driver);
    if (tern::names::register_name("nic", L4_Myself()) != tern::Status::ok)
        printf("nic: the name \"nic\" is taken: no client will find this driver\n");
    L4_ThreadId_t interrupt = L4_GlobalId(line, 1);
    // Each pass sends what is due, a reply or FRAMES, and waits, in one IPC. FRAMES goes
    // with a zero send timeout: the client, of a higher priority, is either waiting for
    // messages or blocked sending EXCHANGE here (then FRAMES fails, the next pass receives
    // the EXCHANGE, and FRAMES goes after it). Frames owed but not sent in a pass (the
    // client busy elsewhere, or a reply went instead) are offered again after the next
    // message or 10 ms, whichever comes first: with all receive buffers queued here, no
    // interrupt would come.
    L4_ThreadId_t to = L4_nilthread;
    tern::Message outgoing;
    bool sending_frames = false, frames_waiting = false;
    for (;;) {
        if (L4_IsNilThread(to) && !frames_waiting && !L4_IsNilThread(driver.client()) && driver.owes_client()) {
            outgoing = tern::Message(TERN_NIC_FRAMES);
            driver.give(outgoing);
            to = driver.client();
            sending_frames = true;
        }
        L4_ThreadId_t from;
        if (!L4_IsNilThread(to))
            outgoing.load();
        L4_Accept(L4_UntypedWordsAcceptor);
        bool owed = !L4_IsNilThread(driver.client()) && driver.owes_client();  // (beyond what goes now)
        L4_Time_t patience = frames_waiting || owed || driver.awaits_card() ? L4_TimePeriod(10000) : L4_Never;
        L4_MsgTag_t tag = L4_Ipc(to, L4_anythread, L4_Timeouts(L4_ZeroTime, patience), &from);
        to = L4_nilthread;
        if (L4_IpcFailed(tag)) {
            // (X.2's error code: bit 0 the receive phase, bits 3..1 the reason, 1 a timeout)
            bool send_phase = (L4_ErrorCode() & 1) == 0;
            if (send_phase && sending_frames) {
                driver.take_back(outgoing);  // not sent: the client never had them
                if ((L4_ErrorCode() >> 1 & 7) == 2)
                    driver.detach();  // no such thread: the client is gone, its buffers go back to the card
                else
                    frames_waiting = true;  // busy (or the IPC was cancelled): offered again
            }
            sending_frames = false;
            if (!send_phase) {  // a receive timeout: the card is looked at, what is owed offered again
                frames_waiting = false;
                driver.collect();
            }
            continue;
        }
        sending_frames = frames_waiting = false;
        if (from.raw == interrupt.raw) {
            // (false: the line is shared, and this was another device's)
            if (card_driver.interrupted())
                driver.collect();
            // Acknowledged (a pin's line unmasked) before the frames go: the status read
            // lowered the line, so a frame that came meanwhile raises it again (a message
            // comes anyway), and its interrupt waits for this thread's next receive. Sending
            // to the interrupt thread never waits.
            L4_LoadMR(0, 0);
            (void)L4_Send_Timeout(interrupt, L4_ZeroTime);
            continue;
        }
        tern::Message request = tern::Message::received(tag);
        if (request.label() < TERN_STATUS_LABELS)
            continue;  // a late reply (this driver calls no one): never answered
        if (request.label() == TERN_NIC_EXCHANGE && from.raw == driver.client().raw) {
            driver.take(request);  // a message, never answered: what the driver owes goes in FRAMES
            continue;
        }
        if (request.label() == TERN_NIC_ATTACH && request.untyped() == 0 && request.typed() == 0)
            driver.attach(from, outgoing);
        else  // (a reply with a zero timeout: a sender that waits for none does not get it)
            outgoing = tern::Message(request.label() == TERN_NIC_EXCHANGE ? tern::Status::denied : tern::Status::unknown);
        to = from;
    }
}
