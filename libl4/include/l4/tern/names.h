// SPDX-License-Identifier: MIT
// libl4, Tern extension: the name service, served by the root task (docs/system.md).
// Servers register a name for one of their own threads; clients look names up instead of
// hard-coding thread ids.
//
//   register  label TERN_NAMES_REGISTER, MR1-4 name, MR5 thread id (of the caller's task)
//             -> status (EXISTS, FULL, DENIED for another task's thread, MALFORMED)
//   lookup    label TERN_NAMES_LOOKUP, MR1-4 name, MR5 flags (TERN_NAMES_WAIT: answer only
//             once the name is registered) -> status (NOT_FOUND, FULL), MR1 thread id;
//             a thread has one waiting lookup (a new request drops it), a task at most 4
//
// Names are 1 to 31 bytes. A task's names go away when it ends.
#ifndef L4_TERN_NAMES_H
#define L4_TERN_NAMES_H

#include <l4/tern/protocol.h>

#define TERN_NAMES_REGISTER 0x7e11UL
#define TERN_NAMES_LOOKUP 0x7e12UL
#define TERN_NAME_WORDS 4
#define TERN_NAME_MAX 31
#define TERN_NAMES_WAIT 1UL

L4_INLINE L4_Word_t tern_names_register(const char *name, L4_ThreadId_t thread)
{
    L4_Word_t words[TERN_NAME_WORDS + 1];
    if (tern_pack_string(name, words, TERN_NAME_WORDS) == 0)
        return TERN_ERROR_MALFORMED;
    words[TERN_NAME_WORDS] = thread.raw;
    tern_load(TERN_NAMES_REGISTER, TERN_NAME_WORDS + 1, words);
    return tern_status(L4_Call(tern_root_thread()));
}

// flags 0 or TERN_NAMES_WAIT; *thread is set on TERN_OK.
L4_INLINE L4_Word_t tern_names_lookup(const char *name, L4_Word_t flags, L4_ThreadId_t *thread)
{
    L4_Word_t words[TERN_NAME_WORDS + 1];
    if (tern_pack_string(name, words, TERN_NAME_WORDS) == 0)
        return TERN_ERROR_MALFORMED;
    words[TERN_NAME_WORDS] = flags;
    tern_load(TERN_NAMES_LOOKUP, TERN_NAME_WORDS + 1, words);
    L4_Word_t status = tern_status(L4_Call(tern_root_thread()));
    if (status == TERN_OK)
        L4_StoreMR(1, &thread->raw);
    return status;
}

#endif
