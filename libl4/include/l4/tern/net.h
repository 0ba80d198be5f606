// SPDX-License-Identifier: MIT
// libl4, Tern extension: the network server's socket protocol (servers/net, docs/network.md).
// IPv4 stream (TCP) and datagram (UDP) sockets on lwIP, for clients such as the Linux
// personality. Every call answers at once: none waits for the network. Data goes through a
// window of memory ATTACH maps into the client (TERN_NET_WINDOW_LOG2 bytes): SEND reads
// from its start, RECV writes there.
//
// Addresses are IPv4 addresses as sockaddr_in holds them (network byte order, read as a
// little-endian 32-bit number), ports are numbers. Results are in MR1: a number >= 0, or a
// Linux errno number, negated (-11 EAGAIN: try again after an event). The reply's label is
// TERN_OK; a protocol error (a request not understood, wrong words, a caller that did not
// attach, a socket of another client) is an error label instead, as in every Tern protocol.
//
//   request (label)     words in                              reply MR1 (and more)
//   TERN_NET_ATTACH     - or MR1 TERN_NET_NOTICES             MR1 the client's event key; a map item
//                                                             of its window (accept it where it goes)
//   TERN_NET_EVENTS     MR1 event key (from any thread of     answered when one of the client's
//                       the client but, with notices, the     sockets changed: MR1 changes since the
//                       attaching one; it waits)              last answer, MR2-3 which sockets (bit
//                                                             s of MR2 + s / 64; a listening socket
//                                                             for its connections)
//   TERN_NET_SOCKET     MR1 TERN_NET_STREAM or _DATAGRAM      the socket's number
//   TERN_NET_BIND       MR1 s, MR2 address, MR3 port          0
//   TERN_NET_LISTEN     MR1 s, MR2 backlog                    0
//   TERN_NET_ACCEPT     MR1 s                                 the new socket, MR2 address, MR3 port
//   TERN_NET_CONNECT    MR1 s, MR2 address, MR3 port          0, or -EINPROGRESS (stream): STATUS says
//                                                             when it is done, OPTION SO_ERROR how
//   TERN_NET_SEND       MR1 s, MR2 bytes, MR3 address, MR4    the bytes taken (a datagram: all or
//                       port (datagram, 0 0: the connected    none)
//                       peer), MR5 TERN_NET_MORE (stream:
//                       more follows at once)
//   TERN_NET_RECV       MR1 s, MR2 most bytes, MR3 flags      the bytes written to the window (0: the
//                       (TERN_NET_PEEK)                       end of the stream), MR2 address, MR3
//                                                             port, MR4 a datagram's whole length;
//                                                             a stream's: 1 when it is now empty,
//                                                             open and without an error (the next
//                                                             RECV would say EAGAIN), else 0
//   TERN_NET_SHUTDOWN   MR1 s, MR2 how (0 read, 1 write, 2)   0
//   TERN_NET_CLOSE      MR1 s                                 0 (a stream ends in the background)
//   TERN_NET_NAME       MR1 s, MR2 0 own, 1 peer              0, MR2 address, MR3 port
//   TERN_NET_OPTION     MR1 s, MR2 level, MR3 name (Linux's   the option's value
//                       SOL_SOCKET, IPPROTO_TCP numbers),
//                       MR4 1 set / 0 get, MR5 value
//   TERN_NET_STATUS     MR1 s                                 poll's events (TERN_NET_READABLE ...)
//   TERN_NET_STATISTICS -                                     MR1 frames in, MR2 out, MR3 dropped,
//                                                             MR4 sockets open
//
// Notices (ATTACH with TERN_NET_NOTICES): when sockets change and the thread that attached
// waits for a message from anyone, the server sends it TERN_NET_CHANGED, with MR1-3 as an
// EVENTS answer and MR4-5 about its push (below), and no answer is expected. It is sent with a zero timeout, and never while
// that thread waits for the server's reply, so it cannot stand in for one. Changes that come
// while the server handles that thread's own socket call ride on the reply instead: its
// MR1-4 as in the table (unused ones 0), MR5-6 which sockets changed (the reply then has
// TERN_NET_REPLY_WORDS_WITH_CHANGES words). A notice that cannot be sent goes to the EVENTS
// caller as its answer, as without notices: a client that takes notices keeps its EVENTS
// call waiting as well, and hears of every change one way or another. Notices save the
// event thread's hop and its new EVENTS call (docs/network.md).
//
// Pushed bytes (notices only): the window's last page is a struct tern_net_push. When the
// server sends a notice and the page is free (full == 0), it may move the bytes a changed
// stream socket received into it (at most TERN_NET_PUSH_BYTES; they are the client's from
// then, as if RECV had taken them) and set full. The client takes them before any RECV of
// that socket (reads, MSG_PEEK, FIONREAD and poll count them) and sets full to 0 once it
// took them all (or closed the socket). A read woken by the notice thus needs no RECV call.
// While the page holds a socket's bytes, RECV of that socket says EAGAIN and names it on the
// reply (MR5-6), so that no newer bytes overtake them. One page serves all the client's
// sockets: bytes left unread on it keep the others' bytes on the RECV path.
// The notice that came with a push says so: MR4 the socket + 1 (0: no push), MR5 1 when the
// push left the socket empty, open and without an error (a read after the pushed bytes
// would say EAGAIN, until a later change).
// SEND and RECV move at most TERN_NET_DATA_BYTES, the window below that page.
#ifndef L4_TERN_NET_H
#define L4_TERN_NET_H

#include <l4/tern/protocol.h>

#define TERN_NET_ATTACH 0x7e60UL
#define TERN_NET_EVENTS 0x7e61UL
#define TERN_NET_SOCKET 0x7e62UL
#define TERN_NET_BIND 0x7e63UL
#define TERN_NET_LISTEN 0x7e64UL
#define TERN_NET_ACCEPT 0x7e65UL
#define TERN_NET_CONNECT 0x7e66UL
#define TERN_NET_SEND 0x7e67UL
#define TERN_NET_RECV 0x7e68UL
#define TERN_NET_SHUTDOWN 0x7e69UL
#define TERN_NET_CLOSE 0x7e6aUL
#define TERN_NET_NAME 0x7e6bUL
#define TERN_NET_OPTION 0x7e6cUL
#define TERN_NET_STATUS 0x7e6dUL
#define TERN_NET_STATISTICS 0x7e6eUL
#define TERN_NET_CHANGED 0x7e6fUL // a notice of the server, not a request
#define TERN_NET_NOTICES 1UL      // ATTACH's MR1: send TERN_NET_CHANGED notices
#define TERN_NET_REPLY_WORDS_WITH_CHANGES 6UL // a reply that carries changes (notices)
#define TERN_NET_REPLY_CHANGES_AT 4UL         // their first word's index (MR5)
#define TERN_NET_NOTICE_WORDS 5UL             // a TERN_NET_CHANGED notice's untyped words
#define TERN_NET_MAX_SOCKETS 128 // socket numbers are below this (EVENTS' bits)

#define TERN_NET_WINDOW_LOG2 17 // 128 KiB
#define TERN_NET_PUSH_OFFSET ((1UL << TERN_NET_WINDOW_LOG2) - 4096UL)
#define TERN_NET_DATA_BYTES TERN_NET_PUSH_OFFSET // the most one SEND or RECV moves
#define TERN_NET_PUSH_HEADER 24UL
#define TERN_NET_PUSH_BYTES (4096UL - TERN_NET_PUSH_HEADER)

// The window's last page (TERN_NET_PUSH_OFFSET), shared by the server and its client.
struct tern_net_push {
    volatile L4_Word32_t full; // 1: the server put bytes here; 0: the client took them all
    L4_Word32_t socket;        // whose bytes
    L4_Word32_t length;        // how many, at data
    L4_Word32_t taken;         // the client's: how many it took so far
    L4_Word32_t address;       // the peer's, as RECV's MR2 and MR3
    L4_Word16_t port;
    L4_Word16_t unused;
    L4_Word8_t data[TERN_NET_PUSH_BYTES];
};
#define TERN_NET_STREAM 1UL
#define TERN_NET_DATAGRAM 2UL
#define TERN_NET_MORE 1UL
#define TERN_NET_PEEK 2UL

// TERN_NET_STATUS: poll's bits, as Linux numbers them.
#define TERN_NET_READABLE 0x1UL   // POLLIN: data, the end of the stream, or a connection to accept
#define TERN_NET_WRITABLE 0x4UL   // POLLOUT
#define TERN_NET_ERROR 0x8UL      // POLLERR: OPTION SO_ERROR says which
#define TERN_NET_HANGUP 0x10UL    // POLLHUP: both directions are shut
#define TERN_NET_PEER_SHUT 0x2000UL // POLLRDHUP: the peer will send no more

#endif
