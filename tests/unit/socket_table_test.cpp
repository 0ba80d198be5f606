// SPDX-License-Identifier: MIT
// The network server's sockets (servers/net/socket_table.cpp) on lwIP, joined through lwIP's
// loopback interface (127.0.0.1): TCP connections made, accepted, carrying bytes both ways,
// ended by close, shutdown and reset; UDP datagrams kept whole; refused connections; bad
// socket numbers, owners and addresses answered with errors; full tables and queues counted.
#include <gtest/gtest.h>

#include <vector>

#include "lwip_once.hpp"
#include "socket_table.hpp"

extern "C" {
#include "lwip/netif.h"
}

namespace {

constexpr uint32_t loopback = 0x0100007f;  // 127.0.0.1 as sockaddr_in holds it
constexpr int64_t eagain = -11, einval = -22, epipe = -32, eopnotsupp = -95, eaddrinuse = -98,
                  eaddrnotavail = -99, econnreset = -104, enotconn = -107, econnrefused = -111, einprogress = -115;
constexpr uint32_t readable = 0x1, writable = 0x4, error_event = 0x8, hangup = 0x10;

class SocketTable : public ::testing::Test {
protected:
    static void SetUpTestSuite() { lwip_init_once(); }
    void TearDown() override
    {
        table_.close_all(0);
        table_.close_all(1);
        pump();
    }
    // Runs the loopback interface until nothing more is queued (the server's loop does).
    static void pump()
    {
        for (int i = 0; i < 64; ++i)
            netif_poll_all();
    }
    // A listening stream socket on 127.0.0.1 and its port.
    unsigned listener(uint16_t &port, unsigned backlog = 4)
    {
        int64_t s = table_.open(Socket_table::Type::stream, 0);
        EXPECT_GE(s, 0);
        EXPECT_EQ(table_.bind(static_cast<unsigned>(s), loopback, 0), 0);
        EXPECT_EQ(table_.listen(static_cast<unsigned>(s), backlog), 0);
        uint32_t address;
        EXPECT_EQ(table_.name(static_cast<unsigned>(s), false, address, port), 0);
        EXPECT_NE(port, 0);
        return static_cast<unsigned>(s);
    }
    // A connected pair: client (owner 1) and the accepted server side (owner 0).
    void connected_pair(unsigned &client, unsigned &server)
    {
        uint16_t port;
        unsigned listening = listener(port);
        int64_t c = table_.open(Socket_table::Type::stream, 1);
        ASSERT_GE(c, 0);
        EXPECT_EQ(table_.connect(static_cast<unsigned>(c), loopback, port), einprogress);
        pump();
        EXPECT_EQ(table_.status(static_cast<unsigned>(c)) & writable, writable);
        uint32_t address;
        uint16_t peer_port;
        int64_t a = table_.accept(listening, address, peer_port);
        ASSERT_GE(a, 0);
        EXPECT_EQ(address, loopback);
        client = static_cast<unsigned>(c);
        server = static_cast<unsigned>(a);
        EXPECT_EQ(table_.close(listening), 0);
    }
    int64_t receive(unsigned s, uint8_t *out, size_t n, bool peek = false)
    {
        uint32_t address;
        uint16_t port;
        size_t whole;
        return table_.receive(s, out, n, peek, address, port, whole);
    }

    Socket_table table_;
};

TEST_F(SocketTable, TcpConnectionCarriesBytesBothWaysAndNamesMatch)
{
    unsigned client, server;
    connected_pair(client, server);
    EXPECT_EQ(table_.take_changes() & 3u, 3u);  // both owners heard of it
    uint32_t client_address, server_peer;
    uint16_t client_port, server_peer_port;
    ASSERT_EQ(table_.name(client, false, client_address, client_port), 0);
    ASSERT_EQ(table_.name(server, true, server_peer, server_peer_port), 0);
    EXPECT_EQ(client_address, server_peer);
    EXPECT_EQ(client_port, server_peer_port);

    uint8_t buffer[64] = {};
    EXPECT_EQ(receive(server, buffer, sizeof buffer), eagain);
    EXPECT_EQ(table_.send(client, reinterpret_cast<const uint8_t *>("hello, tern"), 11, 0, 0, false), 11);
    pump();
    EXPECT_EQ(table_.status(server) & readable, readable);
    EXPECT_EQ(receive(server, buffer, 5, true), 5);  // a peek leaves the bytes
    EXPECT_EQ(receive(server, buffer, 5), 5);
    EXPECT_EQ(std::string(reinterpret_cast<char *>(buffer), 5), "hello");
    EXPECT_EQ(receive(server, buffer, sizeof buffer), 6);
    EXPECT_EQ(std::string(reinterpret_cast<char *>(buffer), 6), ", tern");
    EXPECT_EQ(table_.send(server, reinterpret_cast<const uint8_t *>("back"), 4, 0, 0, false), 4);
    pump();
    EXPECT_EQ(receive(client, buffer, sizeof buffer), 4);
}

TEST_F(SocketTable, LargeTransferKeepsEveryByteAndFlowControls)
{
    unsigned client, server;
    connected_pair(client, server);
    std::vector<uint8_t> out(1 << 20), in;
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<uint8_t>(i * 7 + i / 251);
    size_t sent = 0;
    bool saw_full = false;
    std::vector<uint8_t> buffer(40000);
    while (in.size() < out.size()) {
        // Send until the sender is full (nothing is read meanwhile), then read what came.
        while (sent < out.size()) {
            int64_t n = table_.send(client, out.data() + sent, out.size() - sent, 0, 0, false);
            if (n == eagain) {
                saw_full = true;
                break;
            }
            ASSERT_GT(n, 0);
            sent += static_cast<size_t>(n);
            pump();
        }
        pump();
        int64_t got;
        while ((got = receive(server, buffer.data(), buffer.size())) > 0) {
            in.insert(in.end(), buffer.begin(), buffer.begin() + got);
            pump();
        }
        ASSERT_EQ(got, eagain);
    }
    EXPECT_TRUE(saw_full);  // the sender met the window and its own buffer
    EXPECT_EQ(in, out);
}

TEST_F(SocketTable, ShutdownAndCloseEndTheStream)
{
    unsigned client, server;
    connected_pair(client, server);
    uint8_t buffer[16];
    EXPECT_EQ(table_.shutdown(client, 1), 0);
    pump();
    EXPECT_EQ(receive(server, buffer, sizeof buffer), 0);  // the end of the stream
    EXPECT_EQ(table_.send(client, buffer, 1, 0, 0, false), epipe);
    EXPECT_EQ(table_.send(server, reinterpret_cast<const uint8_t *>("ok"), 2, 0, 0, false), 2);
    pump();
    EXPECT_EQ(receive(client, buffer, sizeof buffer), 2);  // the other way still works
    EXPECT_EQ(table_.close(server), 0);
    pump();
    EXPECT_EQ(receive(client, buffer, sizeof buffer), 0);
    EXPECT_EQ(table_.status(client) & hangup, hangup);
    // Bytes to the closed socket reset the sender, which had the peer's FIN: EPIPE (Linux's).
    EXPECT_EQ(table_.send(server, buffer, 1, 0, 0, false), einval);  // (closed: no such socket)
}

TEST_F(SocketTable, WritingToAPeerThatClosedEndsInEpipe)
{
    unsigned client, server;
    connected_pair(client, server);
    EXPECT_EQ(table_.close(server), 0);
    pump();
    uint8_t buffer[8] = {};
    EXPECT_EQ(receive(client, buffer, sizeof buffer), 0);
    EXPECT_EQ(table_.send(client, buffer, 1, 0, 0, false), 1);  // (the first write goes out)
    pump();
    EXPECT_EQ(table_.send(client, buffer, 1, 0, 0, false), epipe);
}

TEST_F(SocketTable, ClosingWithUnreadBytesResetsThePeer)
{
    unsigned client, server;
    connected_pair(client, server);
    EXPECT_EQ(table_.send(client, reinterpret_cast<const uint8_t *>("unread"), 6, 0, 0, false), 6);
    pump();
    EXPECT_EQ(table_.close(server), 0);
    pump();
    EXPECT_NE(table_.status(client) & error_event, 0u);
    uint8_t buffer[8];
    EXPECT_EQ(receive(client, buffer, sizeof buffer), econnreset);
    EXPECT_EQ(table_.send(client, buffer, 1, 0, 0, false), epipe);
}

TEST_F(SocketTable, ConnectionToAClosedPortIsRefused)
{
    uint16_t port;
    unsigned listening = listener(port);
    ASSERT_EQ(table_.close(listening), 0);
    pump();
    int64_t c = table_.open(Socket_table::Type::stream, 1);
    ASSERT_GE(c, 0);
    EXPECT_EQ(table_.connect(static_cast<unsigned>(c), loopback, port), einprogress);
    pump();
    EXPECT_NE(table_.status(static_cast<unsigned>(c)) & error_event, 0u);
    uint64_t error = 0;
    EXPECT_EQ(table_.option(static_cast<unsigned>(c), 1, 4, false, error), 0);  // SO_ERROR
    EXPECT_EQ(-static_cast<int64_t>(error), econnrefused);
    EXPECT_EQ(table_.option(static_cast<unsigned>(c), 1, 4, false, error), 0);
    EXPECT_EQ(error, 0u);  // read once
}

TEST_F(SocketTable, DatagramsKeepTheirBoundariesAndSenders)
{
    int64_t a = table_.open(Socket_table::Type::datagram, 0), b = table_.open(Socket_table::Type::datagram, 0);
    ASSERT_GE(a, 0);
    ASSERT_GE(b, 0);
    ASSERT_EQ(table_.bind(static_cast<unsigned>(a), loopback, 0), 0);
    ASSERT_EQ(table_.bind(static_cast<unsigned>(b), loopback, 0), 0);
    uint32_t address;
    uint16_t port_a, port_b;
    ASSERT_EQ(table_.name(static_cast<unsigned>(a), false, address, port_a), 0);
    ASSERT_EQ(table_.name(static_cast<unsigned>(b), false, address, port_b), 0);
    EXPECT_EQ(table_.send(static_cast<unsigned>(a), reinterpret_cast<const uint8_t *>("first"), 5, loopback, port_b,
                          false),
              5);
    EXPECT_EQ(table_.send(static_cast<unsigned>(a), reinterpret_cast<const uint8_t *>("second!"), 7, loopback,
                          port_b, false),
              7);
    pump();
    uint8_t buffer[16];
    uint16_t from_port;
    size_t whole;
    EXPECT_EQ(table_.receive(static_cast<unsigned>(b), buffer, sizeof buffer, false, address, from_port, whole), 5);
    EXPECT_EQ(from_port, port_a);
    EXPECT_EQ(address, loopback);
    EXPECT_EQ(table_.receive(static_cast<unsigned>(b), buffer, 3, false, address, from_port, whole), 3);
    EXPECT_EQ(whole, 7u);  // cut to the buffer; the rest is gone, as in Linux
    EXPECT_EQ(table_.receive(static_cast<unsigned>(b), buffer, sizeof buffer, false, address, from_port, whole),
              eagain);
    EXPECT_EQ(table_.send(static_cast<unsigned>(a), buffer, 1, 0, 0, false), -89);  // EDESTADDRREQ
}

TEST_F(SocketTable, BadRequestsGetErrorsAndChangeNothing)
{
    EXPECT_FALSE(table_.owns(0, 0));
    EXPECT_FALSE(table_.owns(0, Socket_table::capacity));
    EXPECT_EQ(table_.open(Socket_table::Type::none, 0), einval);
    EXPECT_EQ(table_.open(Socket_table::Type::stream, Socket_table::max_owners), einval);
    int64_t s = table_.open(Socket_table::Type::stream, 1);
    ASSERT_GE(s, 0);
    EXPECT_TRUE(table_.owns(1, static_cast<uint64_t>(s)));
    EXPECT_FALSE(table_.owns(0, static_cast<uint64_t>(s)));  // another client's
    unsigned socket = static_cast<unsigned>(s);
    EXPECT_EQ(table_.bind(socket, 0x0101010a, 0), eaddrnotavail);  // 10.1.1.1 is not ours
    uint32_t address;
    uint16_t port;
    EXPECT_EQ(table_.accept(socket, address, port), einval);
    EXPECT_EQ(table_.name(socket, true, address, port), enotconn);
    uint8_t buffer[4];
    EXPECT_EQ(receive(socket, buffer, sizeof buffer), enotconn);
    EXPECT_EQ(table_.send(socket, buffer, 1, 0, 0, false), enotconn);
    EXPECT_EQ(table_.shutdown(socket, 3), einval);
    uint64_t value = 0;
    EXPECT_EQ(table_.option(socket, 1, 9999, false, value), -92);  // ENOPROTOOPT
    EXPECT_EQ(table_.bind(Socket_table::capacity, loopback, 0), einval);
    EXPECT_EQ(table_.close(Socket_table::capacity + 5), einval);
    int64_t d = table_.open(Socket_table::Type::datagram, 1);
    ASSERT_GE(d, 0);
    EXPECT_EQ(table_.listen(static_cast<unsigned>(d), 1), eopnotsupp);
    uint16_t used;
    unsigned listening = listener(used);
    int64_t again = table_.open(Socket_table::Type::stream, 1);
    ASSERT_GE(again, 0);
    EXPECT_EQ(table_.bind(static_cast<unsigned>(again), loopback, used), eaddrinuse);
    EXPECT_EQ(table_.bind(listening, loopback, 0), einval);  // bound already
    EXPECT_EQ(table_.close(socket), 0);
    EXPECT_EQ(table_.close(socket), einval);  // closed already
}

TEST_F(SocketTable, FullBacklogAndFullTableAreCountedNotFatal)
{
    uint16_t port;
    unsigned listening = listener(port, 1);
    uint64_t dropped = table_.dropped();
    std::vector<unsigned> clients;
    for (int i = 0; i < 3; ++i) {
        int64_t c = table_.open(Socket_table::Type::stream, 1);
        ASSERT_GE(c, 0);
        EXPECT_EQ(table_.connect(static_cast<unsigned>(c), loopback, port), einprogress);
        clients.push_back(static_cast<unsigned>(c));
        pump();
    }
    EXPECT_EQ(table_.dropped(), dropped + 2);  // one fits the backlog
    uint32_t address;
    uint16_t peer;
    EXPECT_GE(table_.accept(listening, address, peer), 0);
    EXPECT_EQ(table_.accept(listening, address, peer), eagain);
    std::vector<int64_t> opened;
    int64_t s;
    while ((s = table_.open(Socket_table::Type::stream, 0)) >= 0)
        opened.push_back(s);
    EXPECT_EQ(s, -105);  // ENOBUFS
    EXPECT_EQ(table_.open_sockets(), Socket_table::capacity);
    for (int64_t d : opened)
        EXPECT_EQ(table_.close(static_cast<unsigned>(d)), 0);
}

}  // namespace
