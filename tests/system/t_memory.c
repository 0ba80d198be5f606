/* SPDX-License-Identifier: MIT */
/* MEM: running out of kernel memory is an error for the caller (out of memory, 8), never a
 * crash, and deleting returns the memory. It exhausts the kernel's memory and gives all of it
 * back (MEM0002 checks), so it may run before other groups. */
#include "systest.h"

#define MAX_HOGS 3300

static L4_ThreadId_t hogs[MAX_HOGS];

/* Creates threads, each in a new space, until ThreadControl fails; returns how many. */
static unsigned create_until_full(L4_Word_t *last_result, L4_Word_t *last_error)
{
    unsigned n = 0;
    *last_result = 1;
    *last_error = 0;
    for (L4_Word_t number = 600; number < 600 + MAX_HOGS && n < MAX_HOGS; ++number) {
        L4_ThreadId_t t = L4_GlobalId(number, 3);
        set_error_code(0xee);
        L4_Word_t r = L4_ThreadControl(t, t, main_tid, L4_nilthread, (void *)-1);
        if (r != 1 && L4_ErrorCode() == L4_ERROR_INVALID_THREAD)
            continue; /* number in use (by a thread an earlier test left behind) */
        if (r != 1) {
            *last_result = r;
            *last_error = L4_ErrorCode();
            break;
        }
        hogs[n++] = t;
    }
    return n;
}

static unsigned delete_all(unsigned n)
{
    unsigned failures = 0;
    for (unsigned i = 0; i < n; ++i)
        if (L4_ThreadControl(hogs[i], L4_nilthread, L4_nilthread, L4_nilthread, (void *)-1) != 1)
            ++failures;
    return failures;
}

static void out_of_memory(void)
{
    L4_Word_t result, error;
    unsigned first = create_until_full(&result, &error);
    unsigned failures = delete_all(first);
    CHECK(first < MAX_HOGS, "%u threads with spaces were created without running out of memory", first);
    CHECK(first > 50, "only %u threads with spaces could be created", first);
    CHECK(result == 0 && error == L4_ERROR_NO_MEM, "ThreadControl %u failed with result %lu, ErrorCode %lu; expected 0 "
          "and out of memory (8)", first, result, error);
    CHECK(failures == 0, "%u of the %u threads could not be deleted", failures, first);
}

static void memory_returned(void)
{
    L4_Word_t result, error;
    unsigned first = create_until_full(&result, &error);
    delete_all(first);
    unsigned second = create_until_full(&result, &error);
    delete_all(second);
    CHECK(second + 2 >= first && first + 2 >= second, "first round created %u threads with spaces, the second %u: "
          "deleting did not give the memory back", first, second);
    /* The kernel still works: IPC, a new thread, a new space. */
    L4_ThreadId_t t = spawn_simple((thread_fn)0, 0);
    CHECK(!L4_IsNilThread(t), "no thread after the memory was returned");
    L4_MsgTag_t tag = recv_ms(sigma0_tid, 0, 0);
    CHECK(L4_IpcFailed(tag) && L4_ErrorCode() == IPC_ERR(TERN_IPC_ERROR_TIMEOUT, RECV_PHASE),
          "zero-timeout receive: ErrorCode %lu", L4_ErrorCode());
}

static const struct systest memory_tests[] = {
    {"MEM0001", "creating threads with spaces until kernel memory runs out fails with out of memory (8)",
     out_of_memory},
    {"MEM0002", "deleting them returns all memory; a second round creates as many", memory_returned},
};
SYSTEST_GROUP(memory) = {"memory", memory_tests, SYSTEST_COUNT(memory_tests)};
