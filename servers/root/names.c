/* SPDX-License-Identifier: MIT */
/* The name service (<l4/tern/names.h>): a table of names, each owned by the task whose
 * thread it names, and the lookups waiting for a name to appear. A thread has at most one
 * waiting lookup (a new request replaces it: the thread no longer waits for the old one)
 * and a task at most WAITERS_PER_TASK, so no client can fill the table for the others. */
#include "root.h"

#define MAX_NAMES 32
#define MAX_WAITERS 16
#define WAITERS_PER_TASK 4

struct name {
    char text[TERN_NAME_MAX + 1];
    L4_ThreadId_t thread;
    int owner; /* task index; unused when text is empty */
};

struct waiter {
    char text[TERN_NAME_MAX + 1];
    L4_ThreadId_t caller; /* nil: free */
};

static struct name names[MAX_NAMES];
static struct waiter waiters[MAX_WAITERS];

static int same(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b)
        ++a, ++b;
    return *a == *b;
}

static void copy(char *to, const char *from)
{
    unsigned i = 0;
    for (; from[i] != '\0' && i < TERN_NAME_MAX; ++i)
        to[i] = from[i];
    to[i] = '\0';
}

L4_Word_t names_register(const char *text, L4_ThreadId_t thread, int owner)
{
    if (text[0] == '\0')
        return TERN_ERROR_MALFORMED;
    int free_slot = -1;
    for (int i = 0; i < MAX_NAMES; ++i) {
        if (names[i].text[0] == '\0')
            free_slot = free_slot < 0 ? i : free_slot;
        else if (same(names[i].text, text))
            return TERN_ERROR_EXISTS;
    }
    if (free_slot < 0)
        return TERN_ERROR_FULL;
    copy(names[free_slot].text, text);
    names[free_slot].thread = thread;
    names[free_slot].owner = owner;
    for (int w = 0; w < MAX_WAITERS; ++w) {
        if (!L4_IsNilThread(waiters[w].caller) && same(waiters[w].text, text)) {
            reply_later(waiters[w].caller, TERN_OK, 1, &thread.raw);
            waiters[w].caller = L4_nilthread;
        }
    }
    return TERN_OK;
}

L4_Word_t names_lookup(const char *text, L4_ThreadId_t caller, L4_Word_t flags, L4_ThreadId_t *thread)
{
    for (int i = 0; i < MAX_NAMES; ++i) {
        if (names[i].text[0] != '\0' && same(names[i].text, text)) {
            *thread = names[i].thread;
            return TERN_OK;
        }
    }
    if ((flags & TERN_NAMES_WAIT) == 0)
        return TERN_ERROR_NOT_FOUND;
    int task = task_of(caller), held = 0;
    for (int w = 0; w < MAX_WAITERS; ++w)
        if (!L4_IsNilThread(waiters[w].caller) &&
            (task >= 0 ? task_of(waiters[w].caller) == task : L4_IsThreadEqual(waiters[w].caller, caller)))
            ++held;
    if (held >= WAITERS_PER_TASK)
        return TERN_ERROR_FULL;
    for (int w = 0; w < MAX_WAITERS; ++w) {
        if (L4_IsNilThread(waiters[w].caller)) {
            copy(waiters[w].text, text);
            waiters[w].caller = caller;
            return TERN_ERROR_BUSY;
        }
    }
    return TERN_ERROR_FULL;
}

void names_drop_task(int index)
{
    for (int i = 0; i < MAX_NAMES; ++i)
        if (names[i].text[0] != '\0' && names[i].owner == index)
            names[i].text[0] = '\0';
    for (int w = 0; w < MAX_WAITERS; ++w)
        if (!L4_IsNilThread(waiters[w].caller) && task_of(waiters[w].caller) < 0)
            waiters[w].caller = L4_nilthread;
}

void names_forget(L4_ThreadId_t thread)
{
    for (int w = 0; w < MAX_WAITERS; ++w)
        if (L4_IsThreadEqual(waiters[w].caller, thread))
            waiters[w].caller = L4_nilthread;
}
