// SPDX-License-Identifier: MIT
// The name service (<l4/tern/names.h>): a table of names, each owned by the task whose
// thread it names, and the lookups waiting for a name to appear. A thread has at most one
// waiting lookup (a new request replaces it: the thread no longer waits for the old one)
// and a task at most waiters_per_task, so no client can fill the table for the others.
// Tasks are the root task's table indexes; the service knows nothing else of them.
#ifndef ROOT_NAME_SERVICE_HPP
#define ROOT_NAME_SERVICE_HPP

#include <l4/tern/names.h>
#include <l4/tern/pool.hpp>
#include <l4/tern/status.hpp>

class Name_service
{
public:
    // Registers name for thread, owned by task owner: ok, exists, full or malformed; a
    // registered name answers the lookups waiting for it.
    tern::Status register_name(const char *name, L4_ThreadId_t thread, int owner);
    // ok and thread; not_found; full; or busy meaning "queued: answered when the name is
    // registered". caller_task is the caller's task, -1 for a thread of none.
    tern::Status lookup(const char *name, L4_ThreadId_t caller, int caller_task, L4_Word_t flags,
                        L4_ThreadId_t &thread);
    // Drops the names and waiting lookups of a task that ended.
    void drop_task(int task);
    // Drops the thread's waiting lookup: it sent a new request.
    void forget(L4_ThreadId_t thread);

private:
    static constexpr unsigned max_names = 32;
    static constexpr unsigned max_waiters = 16;
    static constexpr unsigned waiters_per_task = 4;

    struct Name {
        char text[TERN_NAME_MAX + 1];
        L4_ThreadId_t thread;
        int owner;
    };
    struct Waiter {
        char text[TERN_NAME_MAX + 1];
        L4_ThreadId_t caller;
        int owner;  // the caller's task, -1 for none
    };

    Name *find(const char *text);

    tern::Pool<Name, max_names> names_;
    tern::Pool<Waiter, max_waiters> waiters_;
};

#endif
