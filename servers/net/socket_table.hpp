// SPDX-License-Identifier: MIT
// BSD sockets, IPv4 stream and datagram, on lwIP's raw API: the network server's sockets
// (TERN_NET_*, <l4/tern/net.h>). No call waits: each answers from what lwIP has done so far,
// with -EAGAIN where a blocking socket would wait, and lwIP's callbacks mark the owner of
// each socket that changed, so that the server can tell its client to try again.
// Invariants:
// * A stream socket's unread bytes are one pbuf chain, at most TCP_WND long, because lwIP's
//   receive window opens (tcp_recved) only as the client reads.
// * lwIP's callbacks find a socket through the pcb's argument; a closed socket's pcb gets a
//   null argument first, so that no callback reaches a reused slot.
// Results are numbers >= 0 or Linux errno numbers, negated: the protocol carries them as they
// are. Host-testable (tests/unit/socket_table_test.cpp): lwIP's loopback interface joins
// two sockets of one table.
#ifndef NET_SOCKET_TABLE_HPP
#define NET_SOCKET_TABLE_HPP

#include <stddef.h>
#include <stdint.h>

struct tcp_pcb;
struct udp_pcb;
struct pbuf;

class Socket_table {
public:
    static constexpr unsigned capacity = 128;  // TERN_NET_MAX_SOCKETS
    static constexpr unsigned max_owners = 32;
    static constexpr unsigned datagram_queue = 32;  // a datagram socket's unread datagrams
    static constexpr unsigned max_backlog = 16;

    enum class Type : uint8_t { none, stream, datagram };

    // Linux's errno numbers for what sockets answer.
    enum class Error : int {
        again = 11, no_memory = 12, fault = 14, invalid = 22, pipe = 32, message_size = 90,
        not_supported_option = 92, address_family = 97, address_in_use = 98, address_not_available = 99,
        network_unreachable = 101, connection_aborted = 103, connection_reset = 104, no_buffers = 105,
        is_connected = 106, not_connected = 107, timed_out = 110, connection_refused = 111, already = 114,
        in_progress = 115, destination_required = 89, operation_not_supported = 95
    };

    // Opens a socket for owner (< max_owners): its number, or -ENOBUFS when the table is full.
    int64_t open(Type type, unsigned owner);
    // Whether s is a socket of owner.
    bool owns(unsigned owner, uint64_t s) const;
    int64_t bind(unsigned s, uint32_t address, uint16_t port);
    int64_t listen(unsigned s, unsigned backlog);
    int64_t accept(unsigned s, uint32_t &address, uint16_t &port);
    int64_t connect(unsigned s, uint32_t address, uint16_t port);
    // address 0 and port 0: the connected peer.
    int64_t send(unsigned s, const uint8_t *bytes, size_t n, uint32_t address, uint16_t port, bool more);
    // whole: a datagram's length (more than n when it was cut).
    int64_t receive(unsigned s, uint8_t *out, size_t n, bool peek, uint32_t &address, uint16_t &port,
                    size_t &whole);
    int64_t shutdown(unsigned s, unsigned how);
    int64_t close(unsigned s);
    int64_t name(unsigned s, bool peer, uint32_t &address, uint16_t &port) const;
    // Linux's levels and names (SOL_SOCKET, IPPROTO_TCP); set: value in, else value out.
    int64_t option(unsigned s, int level, int name, bool set, uint64_t &value);
    // poll's events (TERN_NET_READABLE ...).
    uint32_t status(unsigned s) const;
    // Whether s is a connected stream socket with received bytes (what a push may take).
    bool has_stream_bytes(unsigned s) const;
    bool is_stream(unsigned s) const { return s < capacity && sockets_[s].type == Type::stream; }
    // Whether a receive of stream socket s would say EAGAIN now: no bytes, open, no error.
    bool stream_would_wait(unsigned s) const;
    // Counts s as changed (its owner hears of it), as lwIP's callbacks do.
    void mark_changed(unsigned s)
    {
        if (s < capacity && sockets_[s].type != Type::none)
            changed(sockets_[s]);
    }
    // Closes every socket of owner (a client that went away).
    void close_all(unsigned owner);

    // The owners whose sockets changed since the last call (bit n: owner n).
    uint32_t take_changes();
    // Which of owner's sockets changed since the last call: bit s of words[s / 64].
    void take_changed_sockets(unsigned owner, uint64_t (&words)[capacity / 64]);
    unsigned open_sockets() const;
    uint64_t dropped() const { return dropped_; }  // datagrams and connections refused for want of room

private:
    struct Datagram {
        pbuf *data;
        uint32_t address;
        uint16_t port;
    };
    struct Socket {
        Socket_table *table = nullptr;
        Type type = Type::none;
        uint8_t owner = 0;
        bool listening = false, connecting = false, connected = false;
        bool peer_shut = false, read_shut = false, write_shut = false;
        bool reuse_address = false, keepalive = false, no_delay = false;
        bool told_writable = false;  // the owner heard it may send (changed) since it last filled the buffer
        int error = 0;           // pending (SO_ERROR), positive
        int listener = -1;       // a connection not yet accepted: its listening socket
        tcp_pcb *tcp = nullptr;  // stream (a listening one's is lwIP's listening pcb)
        udp_pcb *udp = nullptr;  // datagram
        pbuf *received = nullptr;
        uint32_t local_address = 0, peer_address = 0;
        uint16_t local_port = 0, peer_port = 0;
        uint8_t queue[max_backlog];  // listening: connections to accept, oldest first
        unsigned queued = 0, backlog = 0;
        Datagram datagrams[datagram_queue];
        unsigned first_datagram = 0, datagrams_queued = 0;
        uint32_t send_buffer = 0, receive_buffer = 0;  // what SO_SNDBUF and SO_RCVBUF read back
    };

    static int64_t fail(Error error) { return -static_cast<int64_t>(error); }
    static int64_t from_lwip(int lwip_error);
    struct Callbacks;  // lwIP calls these (socket_table.cpp)
    friend struct Callbacks;

    int64_t open_slot(Type type, unsigned owner);  // a socket without a pcb
    Socket *socket(unsigned s, Type type);
    bool make_pcb(Socket &socket);
    void attach(Socket &socket, tcp_pcb *pcb);
    void learn_names(Socket &socket);
    void release(Socket &socket);
    void end_stream(Socket &socket, bool reset);
    void changed(const Socket &socket)
    {
        changes_ |= 1u << socket.owner;
        // (a connection not yet accepted counts as its listener, which its owner waits on)
        unsigned s = static_cast<unsigned>(socket.listener >= 0 ? socket.listener : &socket - sockets_);
        changed_sockets_[s / 64] |= uint64_t{1} << (s % 64);
    }
    bool local_address(uint32_t address) const;

    Socket sockets_[capacity];
    uint32_t changes_ = 0;
    uint64_t changed_sockets_[capacity / 64] = {};
    uint64_t dropped_ = 0;
};

#endif
