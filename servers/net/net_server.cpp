// SPDX-License-Identifier: MIT
#include "net_server.hpp"

#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/tern/nic.h>
#include <string.h>

extern "C" {
#include "lwip/netif.h"
#include "lwip/stats.h"
#include "lwip/timeouts.h"
}

static_assert(Socket_table::capacity == TERN_NET_MAX_SOCKETS, "EVENTS names every socket");

namespace {

// Each client's window: the server's own memory, mapped into the client at ATTACH.
alignas(Net_server::window_bytes) uint8_t windows[Net_server::max_clients][Net_server::window_bytes];

struct Shape {
    L4_Word_t label;
    unsigned words;
};
constexpr Shape shapes[] = {
    {TERN_NET_SOCKET, 1}, {TERN_NET_BIND, 3},     {TERN_NET_LISTEN, 2}, {TERN_NET_ACCEPT, 1},
    {TERN_NET_CONNECT, 3}, {TERN_NET_SEND, 5},    {TERN_NET_RECV, 3},   {TERN_NET_SHUTDOWN, 2},
    {TERN_NET_CLOSE, 1},  {TERN_NET_NAME, 2},     {TERN_NET_OPTION, 5}, {TERN_NET_STATUS, 1},
};

// The words a socket call takes; 0 for a label that is not one.
unsigned words_of(L4_Word_t label)
{
    for (const Shape &shape : shapes)
        if (shape.label == label)
            return shape.words;
    return 0;
}

L4_Word_t result_word(int64_t result) { return static_cast<L4_Word_t>(result); }

}  // namespace

int Net_server::client_of(L4_ThreadId_t thread) const
{
    for (unsigned i = 0; i < max_clients; ++i)
        if (!L4_IsNilThread(clients_[i].thread) && clients_[i].thread.raw == thread.raw)
            return static_cast<int>(i);
    return -1;
}

L4_Word_t Net_server::new_key()
{
    // splitmix64 over the clock: not a secret from a task that can watch, but never 0 and
    // never the same twice.
    uint64_t z = (key_state_ += 0x9e3779b97f4a7c15 + L4_SystemClock().raw);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    z ^= z >> 31;
    return z == 0 ? 1 : z;
}

void Net_server::attach(L4_ThreadId_t from, bool notices, tern::Message &reply)
{
    int index = client_of(from);
    if (index < 0) {
        for (unsigned i = 0; i < max_clients && index < 0; ++i)
            if (L4_IsNilThread(clients_[i].thread))
                index = static_cast<int>(i);
        if (index < 0) {
            reply = tern::Message(tern::Status::full);
            return;
        }
    }
    // Attaching again starts afresh: the sockets of before are closed.
    Client &client = clients_[index];
    sockets_.close_all(static_cast<unsigned>(index));
    if (!L4_IsNilThread(client.waiter)) {
        tern::Message(tern::Status::interrupted).send_now(client.waiter);
        client.waiter = L4_nilthread;
    }
    client.thread = from;
    client.key = new_key();
    client.changes = 0;
    for (uint64_t &word : client.changed)
        word = 0;
    client.notices = notices;
    // The window's pages exist before they are mapped (they come from root on first touch).
    for (L4_Word_t offset = 0; offset < window_bytes; offset += 4096)
        windows[index][offset] = 0;
    __atomic_store_n(&reinterpret_cast<tern_net_push *>(windows[index] + TERN_NET_PUSH_OFFSET)->full, 0u,
                     __ATOMIC_RELEASE);
    client.pushed = -1;
    reply = tern::Message(tern::Status::ok);
    (void)reply.add(client.key);
    L4_Fpage_t window = L4_FpageLog2(reinterpret_cast<L4_Word_t>(windows[index]), TERN_NET_WINDOW_LOG2);
    L4_Set_Rights(&window, L4_Readable | L4_Writable);
    (void)reply.add_map_item(L4_MapItem(window, 0));
}

void Net_server::socket_call(unsigned client, const tern::Message &request, tern::Message &reply)
{
    L4_Word_t label = request.label();
    reply = tern::Message(tern::Status::ok);
    if (label == TERN_NET_SOCKET) {
        L4_Word_t type = request.word(0);
        int64_t s = type == TERN_NET_STREAM     ? sockets_.open(Socket_table::Type::stream, client)
                    : type == TERN_NET_DATAGRAM ? sockets_.open(Socket_table::Type::datagram, client)
                                                : -22;  // EINVAL
        (void)reply.add(result_word(s));
        return;
    }
    L4_Word_t number = request.word(0);
    if (!sockets_.owns(client, number)) {
        reply = tern::Message(tern::Status::not_found);  // another client's, or none
        return;
    }
    unsigned s = static_cast<unsigned>(number);
    uint8_t *window = windows[client];
    uint32_t address = 0;
    uint16_t port = 0;
    int64_t result = 0;
    switch (label) {
    case TERN_NET_BIND:
        result = request.word(2) > 0xffff ? -22
                                          : sockets_.bind(s, static_cast<uint32_t>(request.word(1)),
                                                          static_cast<uint16_t>(request.word(2)));
        break;
    case TERN_NET_LISTEN:
        result = sockets_.listen(s, request.word(1) > 0xffff ? 0xffff : static_cast<unsigned>(request.word(1)));
        break;
    case TERN_NET_ACCEPT:
        result = sockets_.accept(s, address, port);
        (void)reply.add(result_word(result));
        (void)reply.add(address);
        (void)reply.add(port);
        return;
    case TERN_NET_CONNECT:
        result = request.word(2) > 0xffff ? -22
                                          : sockets_.connect(s, static_cast<uint32_t>(request.word(1)),
                                                             static_cast<uint16_t>(request.word(2)));
        break;
    case TERN_NET_SEND:
        result = request.word(1) > TERN_NET_DATA_BYTES || request.word(3) > 0xffff
                     ? -22
                     : sockets_.send(s, window, request.word(1), static_cast<uint32_t>(request.word(2)),
                                     static_cast<uint16_t>(request.word(3)), (request.word(4) & TERN_NET_MORE) != 0);
        break;
    case TERN_NET_RECV: {
        size_t whole = 0;
        if (pushed_unread(client, s)) {
            // Its pushed bytes come first: the client takes them, then asks again.
            sockets_.mark_changed(s);
            (void)reply.add(result_word(-11));  // EAGAIN
            (void)reply.add(0);
            (void)reply.add(0);
            (void)reply.add(0);
            return;
        }
        L4_Word_t most = request.word(1) > TERN_NET_DATA_BYTES ? TERN_NET_DATA_BYTES : request.word(1);
        result = sockets_.receive(s, window, most, (request.word(2) & TERN_NET_PEEK) != 0, address, port, whole);
        (void)reply.add(result_word(result));
        (void)reply.add(address);
        (void)reply.add(port);
        // A datagram's whole length; for a stream, whether the next RECV would say EAGAIN.
        (void)reply.add(sockets_.is_stream(s) ? (sockets_.stream_would_wait(s) ? 1 : 0) : whole);
        return;
    }
    case TERN_NET_SHUTDOWN:
        result = sockets_.shutdown(s, request.word(1) > 2 ? 3 : static_cast<unsigned>(request.word(1)));
        break;
    case TERN_NET_CLOSE:
        result = sockets_.close(s);
        break;
    case TERN_NET_NAME:
        result = sockets_.name(s, request.word(1) != 0, address, port);
        (void)reply.add(result_word(result));
        (void)reply.add(address);
        (void)reply.add(port);
        return;
    case TERN_NET_OPTION: {
        uint64_t value = request.word(4);
        result = sockets_.option(s, static_cast<int>(request.word(1)), static_cast<int>(request.word(2)),
                                 request.word(3) != 0, value);
        (void)reply.add(result_word(result));
        (void)reply.add(value);
        return;
    }
    case TERN_NET_STATUS:
        result = sockets_.status(s);
        break;
    default:
        reply = tern::Message(tern::Status::unknown);
        return;
    }
    (void)reply.add(result_word(result));
}

bool Net_server::handle(L4_ThreadId_t from, const tern::Message &request, tern::Message &reply)
{
    L4_Word_t label = request.label();
    if (request.typed() != 0) {
        reply = tern::Message(tern::Status::malformed);
        return true;
    }
    if (label == TERN_NET_ATTACH) {
        if (request.untyped() > 1 || (request.untyped() == 1 && (request.word(0) & ~TERN_NET_NOTICES) != 0))
            reply = tern::Message(tern::Status::malformed);
        else
            attach(from, request.untyped() == 1 && request.word(0) == TERN_NET_NOTICES, reply);
        return true;
    }
    if (label == TERN_NET_EVENTS) {
        // From any thread that shows a client's key: it waits until a socket changes.
        for (Client &client : clients_) {
            if (L4_IsNilThread(client.thread) || request.untyped() != 1 || request.word(0) != client.key)
                continue;
            if (client.notices && client.thread.raw == from.raw)
                break;  // (denied: a notice could answer its call)
            if (!L4_IsNilThread(client.waiter) && client.waiter.raw != from.raw)
                tern::Message(tern::Status::busy).send_now(client.waiter);  // one waiter a client
            client.waiter = from;
            return false;  // answered by notify_clients
        }
        reply = tern::Message(tern::Status::denied);
        return true;
    }
    if (label == TERN_NET_STATISTICS) {
        reply = tern::Message(tern::Status::ok);
        (void)reply.add(link_.frames_in);
        (void)reply.add(link_.frames_out);
        // What lwIP dropped (bad checksums and lengths, no route, no buffer), what the link
        // did (no pbuf, no transmit buffer, bad buffer numbers), what the sockets did (full queues).
        const stats_proto *layers[] = {&lwip_stats.link, &lwip_stats.etharp, &lwip_stats.ip, &lwip_stats.icmp,
                                       &lwip_stats.udp, &lwip_stats.tcp};
        L4_Word_t dropped = link_.dropped_in + link_.dropped_out + link_.bad_messages + sockets_.dropped();
        for (const stats_proto *layer : layers)
            dropped += layer->drop;
        (void)reply.add(dropped);
        (void)reply.add(sockets_.open_sockets());
        return true;
    }
    unsigned words = words_of(label);
    int client = client_of(from);
    if (words == 0) {
        reply = tern::Message(tern::Status::unknown);
    } else if (client < 0) {
        reply = tern::Message(tern::Status::denied);  // ATTACH first
    } else if (request.untyped() != words) {
        reply = tern::Message(tern::Status::malformed);
    } else {
        socket_call(static_cast<unsigned>(client), request, reply);
    }
    return true;
}

bool Net_server::notify_clients(L4_ThreadId_t replying_to, tern::Message *reply)
{
    bool pushed_any = false;
    uint32_t changes = sockets_.take_changes();
    for (unsigned i = 0; i < max_clients; ++i) {
        Client &client = clients_[i];
        if ((changes & (1u << i)) != 0) {
            ++client.changes;
            uint64_t sockets[Socket_table::capacity / 64];
            sockets_.take_changed_sockets(i, sockets);
            for (unsigned w = 0; w < Socket_table::capacity / 64; ++w)
                client.changed[w] |= sockets[w];
        }
        if (client.changes == 0)
            continue;
        bool told = false;
        if (client.notices && client.thread.raw == replying_to.raw)
            told = tell_on_reply(client, reply);
        else if (client.notices)
            told = tell_by_notice(i, pushed_any);
        if (!told && !L4_IsNilThread(client.waiter)) {
            tern::Message answer(tern::Status::ok);
            add_changes(client, answer);
            (void)answer.send_now(client.waiter);  // (a waiter that went away is forgotten)
            client.waiter = L4_nilthread;
            told = true;
        }
        if (told) {
            client.changes = 0;
            for (uint64_t &word : client.changed)
                word = 0;
        }
    }
    return pushed_any;
}

void Net_server::add_changes(const Client &client, tern::Message &message)
{
    (void)message.add(client.changes);
    for (uint64_t word : client.changed)
        (void)message.add(word);
}

bool Net_server::tell_on_reply(const Client &client, tern::Message *reply)
{
    // Only a socket call's good reply of at most MR1-4 carries them (in MR5-6).
    if (reply == nullptr || reply->status() != tern::Status::ok || reply->typed() != 0 ||
        reply->untyped() > TERN_NET_REPLY_CHANGES_AT)
        return false;
    while (reply->untyped() < TERN_NET_REPLY_CHANGES_AT)
        (void)reply->add(0);
    for (uint64_t word : client.changed)
        (void)reply->add(word);
    return true;
}

bool Net_server::tell_by_notice(unsigned index, bool &pushed_any)
{
    int pushed = push(index);
    pushed_any = pushed_any || pushed >= 0;
    tern::Message notice(TERN_NET_CHANGED);
    add_changes(clients_[index], notice);
    (void)notice.add(pushed < 0 ? 0 : static_cast<L4_Word_t>(pushed) + 1);
    (void)notice.add(pushed >= 0 && sockets_.stream_would_wait(static_cast<unsigned>(pushed)) ? 1 : 0);
    return notice.send_now(clients_[index].thread);  // (fails unless it waits)
}

bool Net_server::pushed_unread(unsigned index, unsigned s) const
{
    const auto *page = reinterpret_cast<const tern_net_push *>(windows[index] + TERN_NET_PUSH_OFFSET);
    return clients_[index].pushed == static_cast<int>(s) && __atomic_load_n(&page->full, __ATOMIC_ACQUIRE) != 0;
}

int Net_server::push(unsigned index)
{
    // The client's part of the page is taken, full, and its fields are not read, before it
    // sets full to 0; the server writes them only then, and sets full last. (The page is
    // the client's memory too: the server trusts nothing on it but full, and writes within it.)
    auto *page = reinterpret_cast<tern_net_push *>(windows[index] + TERN_NET_PUSH_OFFSET);
    if (__atomic_load_n(&page->full, __ATOMIC_ACQUIRE) != 0)
        return -1;
    Client &client = clients_[index];
    client.pushed = -1;
    for (unsigned w = 0; w < Socket_table::capacity / 64; ++w)
        for (uint64_t bits = client.changed[w]; bits != 0; bits &= bits - 1) {
            unsigned s = w * 64 + static_cast<unsigned>(__builtin_ctzll(bits));
            if (!sockets_.owns(index, s) || !sockets_.has_stream_bytes(s))
                continue;
            uint32_t address = 0;
            uint16_t port = 0;
            size_t whole = 0;
            int64_t got = sockets_.receive(s, page->data, TERN_NET_PUSH_BYTES, false, address, port, whole);
            if (got <= 0)
                continue;
            page->socket = s;
            page->length = static_cast<uint32_t>(got);
            page->taken = 0;
            page->address = address;
            page->port = port;
            client.pushed = static_cast<int>(s);
            __atomic_store_n(&page->full, 1u, __ATOMIC_RELEASE);
            return static_cast<int>(s);
        }
    return -1;
}

void Net_server::service(L4_ThreadId_t replying_to, tern::Message *reply)
{
    sys_check_timeouts();
    // A push takes bytes from lwIP, which may then send a window update: a second round
    // sends it and tells what it changed.
    for (unsigned round = 0; round < 2; ++round) {
        netif_poll_all();  // 127.0.0.1: what lwIP sent itself
        if (!L4_IsNilThread(link_.driver()) && link_.should_flush())
            link_.flush();
        if (!notify_clients(replying_to, reply))
            break;
    }
}

void Net_server::run()
{
    L4_ThreadId_t to = L4_nilthread, from;
    tern::Message reply;
    for (;;) {
        u32_t sleep_ms = sys_timeouts_sleeptime();
        L4_Time_t timeout = sleep_ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE ? L4_Never
                            : sleep_ms == 0                            ? L4_ZeroTime
                                                                       : L4_TimePeriod(uint64_t{sleep_ms} * 1000);
        if (!L4_IsNilThread(to))
            reply.load();
        L4_Accept(L4_UntypedWordsAcceptor);
        L4_MsgTag_t tag = L4_Ipc(to, L4_anythread, L4_Timeouts(L4_ZeroTime, timeout), &from);
        to = L4_nilthread;
        if (L4_IpcFailed(tag)) {
            service(L4_nilthread, nullptr);  // a timer is due (or a reply went nowhere)
            continue;
        }
        tern::Message request = tern::Message::received(tag);
        if (from.raw == link_.driver().raw && request.label() == TERN_NIC_FRAMES) {
            link_.take(request, interface_);  // (not answered: the driver waits for no reply)
            service(L4_nilthread, nullptr);
            continue;
        }
        if (request.label() < TERN_STATUS_LABELS) {
            service(L4_nilthread, nullptr);  // a late reply: never answered
            continue;
        }
        if (handle(from, request, reply))
            to = from;
        service(to, &reply);
    }
}
