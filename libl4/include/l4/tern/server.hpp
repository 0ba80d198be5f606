// SPDX-License-Identifier: MIT
// libl4, Tern's C++ server runtime: the loop of a server thread. It receives from
// anyone, copies the message out of the MRs, dispatches it to handle, and sends the
// reply, if one is due now, in the same IPC as the next receive (reply-and-wait). Replies
// go out with a zero send timeout: a client that is not waiting for its answer loses it
// and cannot stop the server. A request answered later (a queued reader, a waiting
// lookup) gets its reply through Message::send_now.
//
//   class Echo final : public tern::Server {
//       tern::Reply handle(L4_ThreadId_t, const tern::Message &request, tern::Message &reply) override
//       { ...; return tern::Reply::now; }
//   };
//   Echo().serve(L4_Never);
#ifndef L4_TERN_SERVER_HPP
#define L4_TERN_SERVER_HPP

#include <l4/tern/message.hpp>

namespace tern {

enum class Reply {
    now,    // the reply is in `reply`: sent to the sender with the next receive
    later,  // no reply now (answered later, or never)
};

class Server
{
public:
    // Serves for ever. A receive that fails or times out (after receive_timeout without a
    // message) calls idle; the acceptor is reset to untyped words before every receive.
    [[noreturn]] void serve(L4_Time_t receive_timeout);

protected:
    Server() = default;
    ~Server() = default;
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // One received message from `from`; request.tag() is the receive's tag.
    virtual Reply handle(L4_ThreadId_t from, const Message &request, Message &reply) = 0;
    // The receive failed or timed out.
    virtual void idle() {}
};

}  // namespace tern

#endif
