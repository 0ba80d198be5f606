// SPDX-License-Identifier: MIT
// A second thread of the Linux server's own task (the console reader, the network event
// thread): it waits for something outside so that the main thread never does, and calls the
// main thread when it comes. The main thread tells its requests from the processes' by the
// helper's ids, which the helper records itself before its first request: X.2 shows a thread
// of the receiver's own space by its local id, so both are kept.
#ifndef LINUX_HELPER_THREAD_HPP
#define LINUX_HELPER_THREAD_HPP

#include <l4/thread.h>

class Helper_thread {
public:
    // The server's main thread, which the helpers call (set before any helper starts).
    static inline L4_ThreadId_t main = L4_nilthread;

    // The helper's first act (after task::start_thread).
    void record()
    {
        global_ = L4_Myself().raw;
        local_ = L4_MyLocalId().raw;
    }
    bool is(L4_ThreadId_t from) const { return from.raw == global_ || from.raw == local_; }

private:
    volatile L4_Word_t global_ = 0, local_ = 0;
};

#endif
