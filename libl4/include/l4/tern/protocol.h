// SPDX-License-Identifier: MIT
// libl4, Tern extension: what every Tern server protocol shares (docs/system.md).
//
//   request  MR0 label = the request's label (TERN_*_LABEL), untyped words as each request says
//   reply    MR0 label = a status (TERN_OK or a TERN_ERROR_* code), untyped words with results
//
// A server answers a request it does not understand, or one with the wrong number of
// words or with typed items, with an error status; it never stops for a bad message.
// Strings travel packed into words, eight bytes a word, little-endian, NUL-padded.
//
// The numbers are here, C-compatible; C++ programs build and read the messages with
// tern::Message (<l4/tern/message.hpp>), and the clients of each protocol are in the
// protocol's .hpp (<l4/tern/console.hpp>, names.hpp, system.hpp).
#ifndef L4_TERN_PROTOCOL_H
#define L4_TERN_PROTOCOL_H

#include <l4/kip.h>
#include <l4/types.h>

#define TERN_OK 0
#define TERN_ERROR_MALFORMED 1   // wrong words, typed items, or a string without its end
#define TERN_ERROR_UNKNOWN 2     // no such request
#define TERN_ERROR_NOT_FOUND 3   // no such name, module or task
#define TERN_ERROR_EXISTS 4      // the name is taken
#define TERN_ERROR_FULL 5        // a table of the server is full
#define TERN_ERROR_DENIED 6      // the boot configuration does not grant it
#define TERN_ERROR_FAILED 7      // the kernel or sigma0 refused
#define TERN_ERROR_BUSY 8        // someone else already waits for this
#define TERN_ERROR_INTERRUPTED 9 // ended by Ctrl-C
#define TERN_ERROR_KILLED 10     // ended because it faulted
// Labels below this are statuses: a message with one is a reply (perhaps one that came after
// its call gave up), which a server never answers, so that two servers' loops cannot answer
// each other's errors for ever.
#define TERN_STATUS_LABELS 0x100UL

// The root task: the third user thread (X.2: sigma0, sigma1, root server).
L4_INLINE L4_ThreadId_t tern_root_thread(void)
{
    return L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()) + 2, 1);
}

#endif
