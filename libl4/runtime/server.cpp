// SPDX-License-Identifier: MIT
// libl4, Tern's C++ server runtime: the server loop (<l4/tern/server.hpp>).
#include <l4/ipc.h>
#include <l4/tern/server.hpp>

namespace tern {

void Server::serve(L4_Time_t receive_timeout)
{
    L4_ThreadId_t to = L4_nilthread, from = L4_nilthread;
    for (;;) {
        L4_Accept(L4_UntypedWordsAcceptor);
        L4_MsgTag_t tag = L4_Ipc(to, L4_anythread, L4_Timeouts(L4_ZeroTime, receive_timeout), &from);
        to = L4_nilthread;
        if (L4_IpcFailed(tag)) {
            idle();
            continue;
        }
        Message reply;
        if (handle(from, Message::received(tag), reply) == Reply::now) {
            reply.load();
            to = from;
        }
    }
}

}  // namespace tern
