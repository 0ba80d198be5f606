// SPDX-License-Identifier: MIT
#include "socket_table.hpp"

#include <string.h>

extern "C" {
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
}

namespace {

// Linux's option numbers (asm-generic/socket.h, netinet/tcp.h).
constexpr int sol_socket = 1, ipproto_tcp = 6;
constexpr int so_reuseaddr = 2, so_type = 3, so_error = 4, so_sndbuf = 7, so_rcvbuf = 8, so_keepalive = 9,
              so_broadcast = 6, so_reuseport = 15;
constexpr int tcp_nodelay = 1, tcp_maxseg = 2, tcp_keepidle = 4, tcp_keepintvl = 5, tcp_keepcnt = 6;
constexpr uint32_t readable = 0x1, writable = 0x4, error_event = 0x8, hangup = 0x10, peer_shut_event = 0x2000;
constexpr size_t max_datagram = 65507;  // IPv4's 65535 less its and UDP's headers

ip_addr_t lwip_address(uint32_t address)
{
    ip_addr_t converted;
    ip4_addr_set_u32(ip_2_ip4(&converted), address);
    return converted;
}

uint32_t plain_address(const ip_addr_t &address) { return ip4_addr_get_u32(ip_2_ip4(&address)); }

}  // namespace

// lwIP's callbacks: arg is the Socket (null once the socket is closed).
struct Socket_table::Callbacks {
    static err_t received(void *arg, tcp_pcb *pcb, pbuf *p, err_t)
    {
        auto *socket = static_cast<Socket *>(arg);
        if (socket == nullptr && p != nullptr) {
            // Bytes for a socket that was closed: as in Linux, the sender is reset.
            pbuf_free(p);
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        if (socket == nullptr || (p != nullptr && socket->read_shut))
            return discard(nullptr, pcb, p, ERR_OK);
        if (p == nullptr) {
            socket->peer_shut = true;
            if (socket->write_shut) {
                // Both ways are shut: lwIP ends the pcb by itself (TIME_WAIT), and frees it
                // without a word to us. It is lwIP's from now on.
                tcp_arg(pcb, nullptr);
                tcp_sent(pcb, nullptr);
                tcp_err(pcb, nullptr);
                socket->tcp = nullptr;
            }
        } else if (socket->received == nullptr) {
            socket->received = p;
        } else {
            pbuf_cat(socket->received, p);
        }
        socket->table->changed(*socket);
        return ERR_OK;
    }

    // A closed socket's stream: what still comes is read and dropped.
    static err_t discard(void *, tcp_pcb *pcb, pbuf *p, err_t)
    {
        if (p != nullptr) {
            tcp_recved(pcb, p->tot_len);
            pbuf_free(p);
        }
        return ERR_OK;
    }

    // Acknowledged bytes free the send buffer: the owner hears of it once the socket is
    // writable again (Linux wakes a writer at a third of its buffer free; this, at a quarter),
    // not at every acknowledgement.
    static err_t sent(void *arg, tcp_pcb *, u16_t)
    {
        auto *socket = static_cast<Socket *>(arg);
        if (socket != nullptr && !socket->told_writable && (socket->table->status(static_cast<unsigned>(socket - socket->table->sockets_)) & writable) != 0) {
            socket->told_writable = true;
            socket->table->changed(*socket);
        }
        return ERR_OK;
    }

    // lwIP freed the pcb: the connection is gone (reset, refused, timed out).
    static void failed(void *arg, err_t error)
    {
        auto *socket = static_cast<Socket *>(arg);
        if (socket == nullptr)
            return;
        // As Linux's tcp_reset: refused while connecting, EPIPE once the peer had sent its FIN.
        Error reason = error == ERR_RST ? (socket->connecting  ? Error::connection_refused
                                           : socket->peer_shut ? Error::pipe
                                                               : Error::connection_reset)
                       : error == ERR_ABRT ? Error::timed_out
                                           : Error::connection_aborted;
        if (error != ERR_CLSD)
            socket->error = static_cast<int>(reason);
        socket->tcp = nullptr;
        socket->connecting = socket->connected = false;
        socket->peer_shut = socket->write_shut = true;
        socket->table->changed(*socket);
    }

    static err_t connected(void *arg, tcp_pcb *, err_t)
    {
        auto *socket = static_cast<Socket *>(arg);
        if (socket == nullptr)
            return ERR_OK;
        socket->connecting = false;
        socket->connected = true;
        socket->table->learn_names(*socket);
        socket->table->changed(*socket);
        return ERR_OK;
    }

    // A connection to a listening socket: a socket of its own at once, queued for accept.
    static err_t accepted(void *arg, tcp_pcb *pcb, err_t error)
    {
        auto *listener = static_cast<Socket *>(arg);
        if (listener == nullptr || pcb == nullptr || error != ERR_OK)
            return ERR_VAL;
        Socket_table &table = *listener->table;
        int64_t number = listener->queued < listener->backlog ? table.open_slot(Type::stream, listener->owner) : -1;
        if (number < 0) {
            ++table.dropped_;
            return ERR_MEM;  // lwIP resets the connection
        }
        Socket &socket = table.sockets_[number];
        socket.listener = static_cast<int>(listener - table.sockets_);
        socket.connected = true;
        socket.no_delay = listener->no_delay;
        socket.keepalive = listener->keepalive;
        table.attach(socket, pcb);
        if (socket.no_delay)
            tcp_nagle_disable(pcb);
        if (socket.keepalive)
            ip_set_option(pcb, SOF_KEEPALIVE);
        table.learn_names(socket);
        listener->queue[listener->queued++] = static_cast<uint8_t>(number);
        table.changed(*listener);
        return ERR_OK;
    }

    static void datagram(void *arg, udp_pcb *, pbuf *p, const ip_addr_t *address, u16_t port)
    {
        auto *socket = static_cast<Socket *>(arg);
        if (socket == nullptr || socket->read_shut || socket->datagrams_queued == datagram_queue) {
            if (socket != nullptr)
                ++socket->table->dropped_;
            pbuf_free(p);
            return;
        }
        unsigned slot = (socket->first_datagram + socket->datagrams_queued++) % datagram_queue;
        socket->datagrams[slot] = {p, plain_address(*address), port};
        socket->table->changed(*socket);
    }
};

int64_t Socket_table::from_lwip(int lwip_error)
{
    switch (lwip_error) {
    case ERR_OK: return 0;
    case ERR_MEM: case ERR_BUF: return fail(Error::no_buffers);
    case ERR_RTE: return fail(Error::network_unreachable);
    case ERR_USE: return fail(Error::address_in_use);
    case ERR_ISCONN: return fail(Error::is_connected);
    case ERR_ALREADY: return fail(Error::already);
    case ERR_CONN: return fail(Error::not_connected);
    case ERR_RST: return fail(Error::connection_reset);
    case ERR_ABRT: return fail(Error::connection_aborted);
    default: return fail(Error::invalid);
    }
}

int64_t Socket_table::open_slot(Type type, unsigned owner)
{
    for (unsigned s = 0; s < capacity; ++s) {
        if (sockets_[s].type != Type::none)
            continue;
        Socket &socket = sockets_[s];
        socket = Socket{};
        socket.table = this;
        socket.type = type;
        socket.owner = static_cast<uint8_t>(owner);
        socket.send_buffer = TCP_SND_BUF;
        socket.receive_buffer = TCP_WND;
        return s;
    }
    return fail(Error::no_buffers);
}

int64_t Socket_table::open(Type type, unsigned owner)
{
    if (owner >= max_owners || (type != Type::stream && type != Type::datagram))
        return fail(Error::invalid);
    int64_t s = open_slot(type, owner);
    if (s >= 0 && !make_pcb(sockets_[s])) {
        sockets_[s].type = Type::none;
        return fail(Error::no_buffers);
    }
    return s;
}

bool Socket_table::make_pcb(Socket &socket)
{
    if (socket.type == Type::stream) {
        tcp_pcb *pcb = tcp_new();
        if (pcb == nullptr)
            return false;
        attach(socket, pcb);
        return true;
    }
    socket.udp = udp_new();
    if (socket.udp == nullptr)
        return false;
    udp_recv(socket.udp, Callbacks::datagram, &socket);
    return true;
}

void Socket_table::attach(Socket &socket, tcp_pcb *pcb)
{
    socket.tcp = pcb;
    tcp_arg(pcb, &socket);
    tcp_recv(pcb, Callbacks::received);
    tcp_sent(pcb, Callbacks::sent);
    tcp_err(pcb, Callbacks::failed);
    if (socket.reuse_address)
        ip_set_option(pcb, SOF_REUSEADDR);
}

void Socket_table::learn_names(Socket &socket)
{
    if (socket.tcp != nullptr) {
        socket.local_address = plain_address(socket.tcp->local_ip);
        socket.local_port = socket.tcp->local_port;
        if (!socket.listening) {
            socket.peer_address = plain_address(socket.tcp->remote_ip);
            socket.peer_port = socket.tcp->remote_port;
        }
    } else if (socket.udp != nullptr) {
        socket.local_address = plain_address(socket.udp->local_ip);
        socket.local_port = socket.udp->local_port;
    }
}

bool Socket_table::owns(unsigned owner, uint64_t s) const
{
    return s < capacity && sockets_[s].type != Type::none && sockets_[s].owner == owner && sockets_[s].listener < 0;
}

Socket_table::Socket *Socket_table::socket(unsigned s, Type type)
{
    if (s >= capacity || sockets_[s].type != type)
        return nullptr;
    return &sockets_[s];
}

bool Socket_table::local_address(uint32_t address) const
{
    ip4_addr_t wanted;
    ip4_addr_set_u32(&wanted, address);
    if (ip4_addr_isany_val(wanted) || ip4_addr_isloopback(&wanted))
        return true;
    struct netif *netif;
    NETIF_FOREACH(netif)
    {
        if (ip4_addr_cmp(netif_ip4_addr(netif), &wanted))
            return true;
    }
    return false;
}

int64_t Socket_table::bind(unsigned s, uint32_t address, uint16_t port)
{
    if (s >= capacity || sockets_[s].type == Type::none)
        return fail(Error::invalid);
    Socket &socket = sockets_[s];
    if (!local_address(address))
        return fail(Error::address_not_available);
    ip_addr_t at = lwip_address(address);
    if (socket.type == Type::datagram) {
        if (socket.udp->local_port != 0)
            return fail(Error::invalid);
        if (socket.reuse_address)
            ip_set_option(socket.udp, SOF_REUSEADDR);
        int64_t result = from_lwip(udp_bind(socket.udp, &at, port));
        learn_names(socket);
        return result;
    }
    if (socket.tcp == nullptr && !make_pcb(socket))
        return fail(Error::no_buffers);
    if (socket.listening || socket.connected || socket.connecting || socket.tcp->local_port != 0)
        return fail(Error::invalid);
    int64_t result = from_lwip(tcp_bind(socket.tcp, &at, port));
    learn_names(socket);
    return result;
}

int64_t Socket_table::listen(unsigned s, unsigned backlog)
{
    Socket *socket = this->socket(s, Type::stream);
    if (socket == nullptr)
        return fail(Error::operation_not_supported);  // a datagram socket
    backlog = backlog < 1 ? 1 : backlog > max_backlog ? max_backlog : backlog;
    if (socket->listening) {
        socket->backlog = backlog;
        return 0;
    }
    if (socket->connected || socket->connecting || socket->tcp == nullptr)
        return fail(Error::invalid);
    if (socket->tcp->local_port == 0) {
        ip_addr_t any = lwip_address(0);
        int64_t bound = from_lwip(tcp_bind(socket->tcp, &any, 0));
        if (bound != 0)
            return bound;
    }
    err_t error = ERR_OK;
    tcp_pcb *listening = tcp_listen_with_backlog_and_err(socket->tcp, static_cast<u8_t>(backlog), &error);
    if (listening == nullptr)
        return from_lwip(error);
    socket->tcp = listening;  // (lwIP freed the first pcb)
    socket->listening = true;
    socket->backlog = backlog;
    tcp_arg(listening, socket);
    tcp_accept(listening, Callbacks::accepted);
    learn_names(*socket);
    return 0;
}

int64_t Socket_table::accept(unsigned s, uint32_t &address, uint16_t &port)
{
    Socket *socket = this->socket(s, Type::stream);
    if (socket == nullptr || !socket->listening)
        return fail(Error::invalid);
    if (socket->queued == 0)
        return fail(Error::again);
    unsigned number = socket->queue[0];
    memmove(socket->queue, socket->queue + 1, --socket->queued);
    Socket &connection = sockets_[number];
    connection.listener = -1;
    address = connection.peer_address;
    port = connection.peer_port;
    return number;
}

int64_t Socket_table::connect(unsigned s, uint32_t address, uint16_t port)
{
    if (s >= capacity || sockets_[s].type == Type::none)
        return fail(Error::invalid);
    Socket &socket = sockets_[s];
    ip_addr_t to = lwip_address(address);
    if (socket.type == Type::datagram) {
        if (address == 0 && port == 0) {
            udp_disconnect(socket.udp);
            return 0;
        }
        int64_t result = from_lwip(udp_connect(socket.udp, &to, port));
        learn_names(socket);
        socket.peer_address = address;
        socket.peer_port = port;
        return result;
    }
    if (socket.listening || socket.connected)
        return fail(Error::is_connected);
    if (socket.connecting)
        return fail(Error::already);
    if (socket.tcp == nullptr && !make_pcb(socket))
        return fail(Error::no_buffers);
    if (port == 0)
        return fail(Error::connection_refused);  // (as Linux answers a connection to port 0)
    socket.error = 0;
    socket.peer_shut = socket.write_shut = socket.read_shut = false;
    int64_t result = from_lwip(tcp_connect(socket.tcp, &to, port, Callbacks::connected));
    if (result != 0)
        return result;
    socket.connecting = true;
    learn_names(socket);
    return fail(Error::in_progress);
}

int64_t Socket_table::send(unsigned s, const uint8_t *bytes, size_t n, uint32_t address, uint16_t port, bool more)
{
    if (s >= capacity || sockets_[s].type == Type::none)
        return fail(Error::invalid);
    Socket &socket = sockets_[s];
    if (socket.type == Type::datagram) {
        if (n > max_datagram)
            return fail(Error::message_size);
        if (socket.write_shut)
            return fail(Error::pipe);
        bool connected = !ip_addr_isany_val(socket.udp->remote_ip) || socket.udp->remote_port != 0;
        if (address == 0 && port == 0 && !connected)
            return fail(Error::destination_required);
        pbuf *p = pbuf_alloc(PBUF_TRANSPORT, static_cast<u16_t>(n), PBUF_RAM);
        if (p == nullptr)
            return fail(Error::no_buffers);
        (void)pbuf_take(p, bytes, static_cast<u16_t>(n));
        ip_addr_t to = lwip_address(address);
        err_t error = address == 0 && port == 0 ? udp_send(socket.udp, p) : udp_sendto(socket.udp, p, &to, port);
        pbuf_free(p);
        learn_names(socket);
        return error == ERR_OK ? static_cast<int64_t>(n) : from_lwip(error);
    }
    if (socket.error != 0 && socket.tcp == nullptr) {
        int error = socket.error;
        socket.error = 0;
        return -static_cast<int64_t>(error);
    }
    if (socket.write_shut)
        return fail(Error::pipe);
    if (socket.connecting)
        return fail(Error::again);
    if (!socket.connected || socket.tcp == nullptr)
        return fail(Error::not_connected);
    size_t done = 0;
    while (done < n) {
        size_t room = tcp_sndbuf(socket.tcp);
        size_t chunk = n - done < room ? n - done : room;
        if (chunk > 0xffff)
            chunk = 0xffff;
        if (chunk == 0)
            break;
        u8_t flags = TCP_WRITE_FLAG_COPY | (more || done + chunk < n ? TCP_WRITE_FLAG_MORE : 0);
        if (tcp_write(socket.tcp, bytes + done, static_cast<u16_t>(chunk), flags) != ERR_OK)
            break;  // the segment queue is full: what went so far counts
        done += chunk;
    }
    if (!more || done < n)
        (void)tcp_output(socket.tcp);
    if (done < n)
        socket.told_writable = false;  // full: sent() tells the owner when there is room
    return done > 0 || n == 0 ? static_cast<int64_t>(done) : fail(Error::again);
}

int64_t Socket_table::receive(unsigned s, uint8_t *out, size_t n, bool peek, uint32_t &address, uint16_t &port,
                              size_t &whole)
{
    if (s >= capacity || sockets_[s].type == Type::none)
        return fail(Error::invalid);
    Socket &socket = sockets_[s];
    whole = 0;
    if (socket.type == Type::datagram) {
        if (socket.datagrams_queued == 0) {
            if (socket.read_shut)
                return 0;
            return fail(Error::again);
        }
        Datagram &datagram = socket.datagrams[socket.first_datagram];
        whole = datagram.data->tot_len;
        size_t copied = whole < n ? whole : n;
        (void)pbuf_copy_partial(datagram.data, out, static_cast<u16_t>(copied), 0);
        address = datagram.address;
        port = datagram.port;
        if (!peek) {
            pbuf_free(datagram.data);
            socket.first_datagram = (socket.first_datagram + 1) % datagram_queue;
            --socket.datagrams_queued;
        }
        return static_cast<int64_t>(copied);
    }
    if (socket.listening)
        return fail(Error::not_connected);
    address = socket.peer_address;
    port = socket.peer_port;
    if (socket.received != nullptr && n > 0) {
        size_t available = socket.received->tot_len;
        size_t copied = available < n ? available : n;
        (void)pbuf_copy_partial(socket.received, out, static_cast<u16_t>(copied), 0);
        if (!peek) {
            socket.received = copied == available ? (pbuf_free(socket.received), nullptr)
                                                  : pbuf_free_header(socket.received, static_cast<u16_t>(copied));
            if (socket.tcp != nullptr)
                tcp_recved(socket.tcp, static_cast<u16_t>(copied));  // (copied <= TCP_WND < 64 KiB)
        }
        whole = copied;
        return static_cast<int64_t>(copied);
    }
    if (socket.error != 0) {
        int error = socket.error;
        socket.error = 0;
        return -static_cast<int64_t>(error);
    }
    if (socket.read_shut || socket.peer_shut || n == 0)
        return 0;
    if (socket.connecting)
        return fail(Error::again);
    if (!socket.connected)
        return fail(Error::not_connected);
    return fail(Error::again);
}

int64_t Socket_table::shutdown(unsigned s, unsigned how)
{
    if (s >= capacity || sockets_[s].type == Type::none || how > 2)
        return fail(Error::invalid);
    Socket &socket = sockets_[s];
    bool read = how != 1, write = how != 0;
    if (socket.type == Type::stream && !socket.connected && !socket.listening)
        return fail(Error::not_connected);
    if (read) {
        socket.read_shut = true;
        if (socket.received != nullptr) {
            if (socket.tcp != nullptr)
                tcp_recved(socket.tcp, socket.received->tot_len);
            pbuf_free(socket.received);
            socket.received = nullptr;
        }
    }
    if (write && socket.type == Type::stream && !socket.write_shut && socket.tcp != nullptr && !socket.listening)
        (void)tcp_shutdown(socket.tcp, 0, 1);
    if (write)
        socket.write_shut = true;
    changed(socket);
    return 0;
}

void Socket_table::end_stream(Socket &socket, bool reset)
{
    tcp_pcb *pcb = socket.tcp;
    socket.tcp = nullptr;
    if (pcb == nullptr)
        return;
    tcp_arg(pcb, nullptr);
    if (socket.listening) {
        tcp_close(pcb);  // (a listening pcb always closes)
        return;
    }
    tcp_recv(pcb, Callbacks::received);  // (with no socket: bytes that still come reset the sender)
    tcp_sent(pcb, nullptr);
    tcp_err(pcb, nullptr);
    if (reset || tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb);  // unread data (Linux resets too), or no memory for the FIN
}

void Socket_table::release(Socket &socket)
{
    if (socket.type == Type::stream) {
        if (socket.listening) {
            for (unsigned i = 0; i < socket.queued; ++i) {
                Socket &waiting = sockets_[socket.queue[i]];
                end_stream(waiting, true);
                release(waiting);
            }
            socket.queued = 0;
        }
        end_stream(socket, socket.received != nullptr);
        if (socket.received != nullptr)
            pbuf_free(socket.received);
    } else if (socket.udp != nullptr) {
        udp_recv(socket.udp, nullptr, nullptr);
        udp_remove(socket.udp);
        for (unsigned i = 0; i < socket.datagrams_queued; ++i)
            pbuf_free(socket.datagrams[(socket.first_datagram + i) % datagram_queue].data);
    }
    socket = Socket{};
}

int64_t Socket_table::close(unsigned s)
{
    if (s >= capacity || sockets_[s].type == Type::none)
        return fail(Error::invalid);
    release(sockets_[s]);
    return 0;
}

void Socket_table::close_all(unsigned owner)
{
    for (unsigned s = 0; s < capacity; ++s)
        if (sockets_[s].type != Type::none && sockets_[s].owner == owner && sockets_[s].listener < 0)
            release(sockets_[s]);
}

int64_t Socket_table::name(unsigned s, bool peer, uint32_t &address, uint16_t &port) const
{
    if (s >= capacity || sockets_[s].type == Type::none)
        return fail(Error::invalid);
    const Socket &socket = sockets_[s];
    if (peer) {
        bool has_peer = socket.type == Type::stream ? socket.connected || (socket.peer_port != 0 && !socket.listening)
                                                    : socket.peer_port != 0;
        if (!has_peer)
            return fail(Error::not_connected);
        address = socket.peer_address;
        port = socket.peer_port;
        return 0;
    }
    address = socket.local_address;
    port = socket.local_port;
    return 0;
}

int64_t Socket_table::option(unsigned s, int level, int name, bool set, uint64_t &value)
{
    if (s >= capacity || sockets_[s].type == Type::none)
        return fail(Error::invalid);
    Socket &socket = sockets_[s];
    bool on = value != 0;
    if (level == sol_socket) {
        switch (name) {
        case so_type:
            if (set)
                return fail(Error::not_supported_option);
            value = socket.type == Type::stream ? 1 : 2;  // SOCK_STREAM, SOCK_DGRAM
            return 0;
        case so_error:
            if (set)
                return fail(Error::not_supported_option);
            value = static_cast<uint64_t>(socket.error);
            socket.error = 0;
            return 0;
        case so_reuseaddr:
        case so_reuseport:
            if (set) {
                socket.reuse_address = on;
                if (socket.tcp != nullptr)
                    on ? ip_set_option(socket.tcp, SOF_REUSEADDR) : ip_reset_option(socket.tcp, SOF_REUSEADDR);
                if (socket.udp != nullptr)
                    on ? ip_set_option(socket.udp, SOF_REUSEADDR) : ip_reset_option(socket.udp, SOF_REUSEADDR);
            }
            value = socket.reuse_address;
            return 0;
        case so_keepalive:
            if (set) {
                socket.keepalive = on;
                if (socket.tcp != nullptr && !socket.listening)
                    on ? ip_set_option(socket.tcp, SOF_KEEPALIVE) : ip_reset_option(socket.tcp, SOF_KEEPALIVE);
            }
            value = socket.keepalive;
            return 0;
        case so_broadcast:
            if (set && socket.udp != nullptr)
                on ? ip_set_option(socket.udp, SOF_BROADCAST) : ip_reset_option(socket.udp, SOF_BROADCAST);
            value = socket.udp != nullptr && ip_get_option(socket.udp, SOF_BROADCAST);
            return 0;
        case so_sndbuf:
        case so_rcvbuf: {
            // lwIP's buffers are fixed; what was asked reads back doubled, as Linux does.
            uint32_t &buffer = name == so_sndbuf ? socket.send_buffer : socket.receive_buffer;
            if (set)
                buffer = static_cast<uint32_t>(value > 0x7fffffff / 2 ? 0x7fffffff : value * 2);
            value = buffer;
            return 0;
        }
        default:
            return fail(Error::not_supported_option);
        }
    }
    if (level == ipproto_tcp && socket.type == Type::stream) {
        tcp_pcb *pcb = socket.listening ? nullptr : socket.tcp;
        switch (name) {
        case tcp_nodelay:
            if (set) {
                socket.no_delay = on;
                if (pcb != nullptr && on)
                    tcp_nagle_disable(pcb);
                else if (pcb != nullptr)
                    tcp_nagle_enable(pcb);
            }
            value = socket.no_delay;
            return 0;
        case tcp_maxseg:
            value = pcb != nullptr ? pcb->mss : TCP_MSS;
            return 0;
        case tcp_keepidle:
        case tcp_keepintvl:
        case tcp_keepcnt: {
            if (pcb == nullptr)
                return set ? 0 : (value = name == tcp_keepcnt ? 9 /* lwIP's TCP_KEEPCNT_DEFAULT */ : 0, 0);
            if (set && (value == 0 || value > 32767))
                return fail(Error::invalid);
            u32_t &field = name == tcp_keepidle ? pcb->keep_idle : name == tcp_keepintvl ? pcb->keep_intvl : pcb->keep_cnt;
            if (set)
                field = static_cast<u32_t>(name == tcp_keepcnt ? value : value * 1000);  // seconds, lwIP's ms
            value = name == tcp_keepcnt ? field : field / 1000;
            return 0;
        }
        default:
            return fail(Error::not_supported_option);
        }
    }
    return fail(Error::not_supported_option);
}

uint32_t Socket_table::status(unsigned s) const
{
    if (s >= capacity || sockets_[s].type == Type::none)
        return 0;
    const Socket &socket = sockets_[s];
    uint32_t events = socket.error != 0 ? error_event : 0;
    if (socket.type == Type::datagram)
        return events | writable | (socket.datagrams_queued > 0 ? readable : 0);
    if (socket.listening)
        return events | (socket.queued > 0 ? readable : 0);
    if (socket.received != nullptr || socket.read_shut || socket.peer_shut)
        events |= readable;
    if (socket.peer_shut)
        events |= peer_shut_event;
    bool closed = !socket.connected && !socket.connecting;
    // Linux's tcp_poll: a closed socket, or one shut both ways, hangs up; one that can no
    // longer send is writable (the write fails at once).
    if (closed || (socket.write_shut && (socket.peer_shut || socket.read_shut)))
        events |= hangup;
    if (closed || socket.write_shut)
        events |= writable;
    else if (socket.connected && socket.tcp != nullptr && tcp_sndbuf(socket.tcp) >= TCP_SND_BUF / 4 &&
             tcp_sndqueuelen(socket.tcp) < TCP_SND_QUEUELEN / 2)
        events |= writable;
    return events;
}

bool Socket_table::has_stream_bytes(unsigned s) const
{
    return s < capacity && sockets_[s].type == Type::stream && !sockets_[s].listening &&
           sockets_[s].received != nullptr;
}

bool Socket_table::stream_would_wait(unsigned s) const
{
    if (s >= capacity || sockets_[s].type != Type::stream)
        return false;
    const Socket &socket = sockets_[s];
    return !socket.listening && socket.received == nullptr && socket.error == 0 && !socket.read_shut &&
           !socket.peer_shut && socket.connected && !socket.connecting;
}

uint32_t Socket_table::take_changes()
{
    uint32_t changes = changes_;
    changes_ = 0;
    return changes;
}

void Socket_table::take_changed_sockets(unsigned owner, uint64_t (&words)[capacity / 64])
{
    for (unsigned w = 0; w < capacity / 64; ++w) {
        words[w] = 0;
        for (uint64_t bits = changed_sockets_[w]; bits != 0; bits &= bits - 1) {
            unsigned s = w * 64 + static_cast<unsigned>(__builtin_ctzll(bits));
            if (sockets_[s].type != Type::none && sockets_[s].owner == owner)
                words[w] |= uint64_t{1} << (s % 64);
        }
        // (another owner's bits stay for it; a closed socket's go)
        uint64_t others = 0;
        for (uint64_t bits = changed_sockets_[w] & ~words[w]; bits != 0; bits &= bits - 1) {
            unsigned s = w * 64 + static_cast<unsigned>(__builtin_ctzll(bits));
            if (sockets_[s].type != Type::none)
                others |= uint64_t{1} << (s % 64);
        }
        changed_sockets_[w] = others;
    }
}

unsigned Socket_table::open_sockets() const
{
    unsigned open = 0;
    for (const Socket &socket : sockets_)
        open += socket.type != Type::none;
    return open;
}
