// SPDX-License-Identifier: MIT
// The network server's loop and socket protocol (<l4/tern/net.h>, docs/network.md): one
// thread, lwIP without an operating system (NO_SYS), so nothing in it waits but the loop's
// receive. It answers clients' socket calls at once, takes the driver's frames, runs lwIP's
// timers from the kernel clock and its loopback interface, and answers each client's
// waiting EVENTS call when one of its sockets changed.
#ifndef NET_NET_SERVER_HPP
#define NET_NET_SERVER_HPP

#include <l4/tern/message.hpp>
#include <l4/tern/net.h>

#include "nic_link.hpp"
#include "socket_table.hpp"

struct netif;

class Net_server {
public:
    static constexpr unsigned max_clients = 4;
    static constexpr L4_Word_t window_bytes = 1UL << TERN_NET_WINDOW_LOG2;

    Net_server(Nic_link &link, netif *interface) : link_(link), interface_(interface) {}
    [[noreturn]] void run();

private:
    struct Client {
        L4_ThreadId_t thread = L4_nilthread;  // the one that attached, which alone calls
        L4_Word_t key = 0;                    // what its EVENTS caller shows
        L4_ThreadId_t waiter = L4_nilthread;  // its EVENTS call, unanswered
        L4_Word_t changes = 0;                // since the last answer or notice
        uint64_t changed[Socket_table::capacity / 64] = {};  // which sockets, likewise
        bool notices = false;                 // TERN_NET_NOTICES: try thread first
        int pushed = -1;                      // whose bytes the push page holds (while full)
    };

    // A request: its reply in reply; false when the caller waits (EVENTS).
    bool handle(L4_ThreadId_t from, const tern::Message &request, tern::Message &reply);
    void attach(L4_ThreadId_t from, bool notices, tern::Message &reply);
    void socket_call(unsigned client, const tern::Message &request, tern::Message &reply);
    // lwIP's timers, the loopback interface, the driver's queue, the clients' events.
    // replying_to: the thread the loop answers next (no notice may go to it now), or nil.
    void service(L4_ThreadId_t replying_to, tern::Message *reply);
    // Each client whose sockets changed hears of it, if it takes notices, on reply (the
    // answer the loop sends next, to replying_to) or by a notice when its thread waits;
    // else by the answer to its EVENTS call; else the changes wait for one of them.
    // True when it pushed bytes (lwIP may have a window update to send).
    bool notify_clients(L4_ThreadId_t replying_to, tern::Message *reply);
    // The client's changes as an EVENTS answer's MR1-3 (count, then which sockets).
    static void add_changes(const Client &client, tern::Message &message);
    // Onto the reply about to go to the client's thread; false when that reply cannot carry them.
    static bool tell_on_reply(const Client &client, tern::Message *reply);
    // A notice (with a push, if the page is free) to the client's thread; false unless it waits.
    bool tell_by_notice(unsigned index, bool &pushed_any);
    // Whether client index's push page still holds bytes of socket s.
    bool pushed_unread(unsigned index, unsigned s) const;
    // Before a notice: a changed stream socket's bytes into the client's push page, if free;
    // which socket (-1: none).
    int push(unsigned index);
    int client_of(L4_ThreadId_t thread) const;
    L4_Word_t new_key();

    Nic_link &link_;
    netif *interface_;
    Socket_table sockets_;
    Client clients_[max_clients];
    uint64_t key_state_ = 0;
};

#endif
