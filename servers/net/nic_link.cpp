// SPDX-License-Identifier: MIT
#include "nic_link.hpp"

#include <l4/ipc.h>
#include <string.h>

extern "C" {
#include "lwip/netif.h"
#include "lwip/pbuf.h"
}

namespace {

constexpr L4_Word_t area_bytes = 1UL << TERN_NIC_AREA_LOG2;

uint8_t *receive_buffer(unsigned buffer)
{
    return reinterpret_cast<uint8_t *>(Nic_link::area_base + buffer * TERN_NIC_BUFFER_BYTES + TERN_NIC_FRAME_OFFSET);
}

uint8_t *transmit_buffer(unsigned buffer)
{
    return reinterpret_cast<uint8_t *>(Nic_link::area_base + area_bytes + buffer * TERN_NIC_BUFFER_BYTES +
                                       TERN_NIC_FRAME_OFFSET);
}

}  // namespace

bool Nic_link::attach(L4_ThreadId_t driver)
{
    L4_Accept(L4_MapGrantItems(L4_FpageLog2(area_base, TERN_NIC_AREA_LOG2 + 1)));
    tern::Message request(TERN_NIC_ATTACH);
    tern::Status status = request.call(driver);
    L4_Accept(L4_UntypedWordsAcceptor);
    if (status != tern::Status::ok || request.untyped() != 3 || request.typed() != 4 ||
        request.word(1) > TERN_NIC_BUFFERS || request.word(2) > TERN_NIC_BUFFERS)
        return false;
    driver_ = driver;
    for (unsigned i = 0; i < 6; ++i)
        mac_[i] = static_cast<uint8_t>(request.word(0) >> (8 * i));
    receive_count_ = static_cast<unsigned>(request.word(1));
    transmit_count_ = static_cast<unsigned>(request.word(2));
    for (unsigned buffer = 0; buffer < transmit_count_; ++buffer)
        tx_owned_[buffer] = true;
    return true;
}

bool Nic_link::transmit(const pbuf *p)
{
    unsigned buffer = 0;
    while (buffer < transmit_count_ && !tx_owned_[buffer])
        ++buffer;
    if (buffer == transmit_count_ || p->tot_len > TERN_NIC_MAX_FRAME || sends_ == TERN_NIC_BUFFERS) {
        ++dropped_out;  // every buffer is on its way: TCP sends again
        return false;
    }
    (void)pbuf_copy_partial(p, transmit_buffer(buffer), p->tot_len, 0);
    tx_owned_[buffer] = false;
    send_queue_[sends_++] = buffer | L4_Word_t{p->tot_len} << 16;
    ++frames_out;
    return true;
}

void Nic_link::take(const tern::Message &message, netif *interface)
{
    L4_Word_t received = message.word(0), finished = message.word(1);
    if (message.untyped() < 2 || received > TERN_NIC_BUFFERS || finished > TERN_NIC_BUFFERS ||
        message.untyped() != 2 + received + finished) {
        ++bad_messages;
        return;
    }
    // Finished transmit buffers first: the frames received next may be answered at once.
    for (unsigned i = 0; i < finished; ++i) {
        L4_Word_t buffer = message.word(2 + static_cast<unsigned>(received) + i);
        if (buffer >= transmit_count_ || tx_owned_[buffer]) {
            ++bad_messages;
            continue;
        }
        tx_owned_[buffer] = true;
    }
    for (unsigned i = 0; i < received; ++i) {
        L4_Word_t item = message.word(2 + i);
        unsigned buffer = static_cast<unsigned>(item & 0xffff), length = static_cast<unsigned>(item >> 16);
        if (buffer >= receive_count_ || rx_owned_[buffer] || releases_ == TERN_NIC_BUFFERS) {
            ++bad_messages;  // not a buffer the card could have filled for us
            continue;
        }
        rx_owned_[buffer] = true;
        release_queue_[releases_++] = static_cast<uint16_t>(buffer);
        if (length < 14 || length > TERN_NIC_MAX_FRAME) {
            ++dropped_in;
            continue;
        }
        pbuf *p = pbuf_alloc(PBUF_RAW, static_cast<u16_t>(length), PBUF_POOL);
        if (p == nullptr) {
            ++dropped_in;  // lwIP is out of buffers: the frame is lost, as on a full ring
            continue;
        }
        (void)pbuf_take(p, receive_buffer(buffer), static_cast<u16_t>(length));
        ++frames_in;
        if (interface->input(p, interface) != ERR_OK) {
            pbuf_free(p);
            ++dropped_in;
        }
    }
}

void Nic_link::load(tern::Message &message, unsigned &releases, unsigned &sends) const
{
    releases = releases_ < TERN_NIC_MAX_ITEMS ? releases_ : static_cast<unsigned>(TERN_NIC_MAX_ITEMS);
    sends = sends_ < TERN_NIC_MAX_ITEMS - releases ? sends_ : static_cast<unsigned>(TERN_NIC_MAX_ITEMS) - releases;
    (void)message.add(releases);
    (void)message.add(sends);
    for (unsigned i = 0; i < releases; ++i)
        (void)message.add(release_queue_[i]);
    for (unsigned i = 0; i < sends; ++i)
        (void)message.add(send_queue_[i]);
}

void Nic_link::consume(unsigned releases, unsigned sends)
{
    for (unsigned i = 0; i < releases; ++i)
        rx_owned_[release_queue_[i]] = false;
    memmove(release_queue_, release_queue_ + releases, (releases_ - releases) * sizeof release_queue_[0]);
    releases_ -= releases;
    memmove(send_queue_, send_queue_ + sends, (sends_ - sends) * sizeof send_queue_[0]);
    sends_ -= sends;
}

void Nic_link::flush()
{
    for (unsigned rounds = 0; (releases_ > 0 || sends_ > 0) && rounds < 4; ++rounds) {
        tern::Message request(TERN_NIC_EXCHANGE);
        unsigned releases, sends;
        load(request, releases, sends);
        request.load();
        if (L4_IpcFailed(L4_Send_Timeout(driver_, L4_TimePeriod(1000000))))
            return;  // a driver that took nothing for a second: what is queued goes next time
        consume(releases, sends);
    }
}
