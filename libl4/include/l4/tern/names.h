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

#endif
