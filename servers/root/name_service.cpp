// SPDX-License-Identifier: MIT
// The name service of the root task (name_service.hpp).
#include <l4/tern/message.hpp>
#include <string.h>

#include "name_service.hpp"

Name_service::Name *Name_service::find(const char *text)
{
    return names_.find([text](const Name &name) { return strcmp(name.text, text) == 0; });
}

tern::Status Name_service::register_name(const char *text, L4_ThreadId_t thread, int owner)
{
    if (text[0] == '\0' || strlen(text) > TERN_NAME_MAX)
        return tern::Status::malformed;
    if (find(text) != nullptr)
        return tern::Status::exists;
    Name *name = names_.allocate();
    if (name == nullptr)
        return tern::Status::full;
    strcpy(name->text, text);
    name->thread = thread;
    name->owner = owner;
    waiters_.for_each([this, text, thread](Waiter &waiter) {
        if (strcmp(waiter.text, text) != 0)
            return;
        tern::Message answer(tern::Status::ok);
        answer.add(thread.raw);
        answer.send_now(waiter.caller);
        waiters_.free(&waiter);
    });
    return tern::Status::ok;
}

tern::Status Name_service::lookup(const char *text, L4_ThreadId_t caller, int caller_task, L4_Word_t flags,
                                  L4_ThreadId_t &thread)
{
    const Name *name = find(text);
    if (name != nullptr) {
        thread = name->thread;
        return tern::Status::ok;
    }
    if ((flags & TERN_NAMES_WAIT) == 0)
        return tern::Status::not_found;
    unsigned held = 0;
    waiters_.for_each([&held, caller, caller_task](const Waiter &waiter) {
        if (caller_task >= 0 ? waiter.owner == caller_task : L4_IsThreadEqual(waiter.caller, caller))
            ++held;
    });
    if (held >= waiters_per_task || strlen(text) > TERN_NAME_MAX)
        return tern::Status::full;
    Waiter *waiter = waiters_.allocate();
    if (waiter == nullptr)
        return tern::Status::full;
    strcpy(waiter->text, text);
    waiter->caller = caller;
    waiter->owner = caller_task;
    return tern::Status::busy;
}

void Name_service::drop_task(int task)
{
    names_.for_each([this, task](Name &name) {
        if (name.owner == task)
            names_.free(&name);
    });
    waiters_.for_each([this, task](Waiter &waiter) {
        if (waiter.owner == task)
            waiters_.free(&waiter);
    });
}

void Name_service::forget(L4_ThreadId_t thread)
{
    waiters_.for_each([this, thread](Waiter &waiter) {
        if (L4_IsThreadEqual(waiter.caller, thread))
            waiters_.free(&waiter);
    });
}
