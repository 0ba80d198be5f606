// SPDX-License-Identifier: MIT
// libl4, Tern extension: what every Tern server protocol shares (docs/system.md).
//
//   request  MR0 label = the request's label (TERN_*_LABEL), untyped words as each request says
//   reply    MR0 label = a status (TERN_OK or a TERN_ERROR_* code), untyped words with results
//
// A server answers a request it does not understand, or one with the wrong number of
// words or with typed items, with an error status; it never stops for a bad message.
// Strings travel packed into words, eight bytes a word, little-endian, NUL-padded.
#ifndef L4_TERN_PROTOCOL_H
#define L4_TERN_PROTOCOL_H

#include <l4/ipc.h>
#include <l4/kip.h>
#include <l4/message.h>
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

// The root task: the third user thread (X.2: sigma0, sigma1, root server).
L4_INLINE L4_ThreadId_t tern_root_thread(void)
{
    return L4_GlobalId(L4_ThreadIdUserBase(L4_GetKernelInterface()) + 2, 1);
}

// Loads a request: label, then count words.
L4_INLINE void tern_load(L4_Word_t label, unsigned count, const L4_Word_t *words)
{
    L4_MsgTag_t tag = L4_Niltag;
    L4_Set_Label(&tag, label);
    tag.raw |= count;
    L4_Set_MsgTag(tag);
    for (unsigned i = 0; i < count; ++i)
        L4_LoadMR(__L4_CAST(int, i) + 1, words[i]);
}

// The status of a reply: TERN_OK, a TERN_ERROR_*, or TERN_ERROR_FAILED when the IPC failed.
L4_INLINE L4_Word_t tern_status(L4_MsgTag_t tag)
{
    return L4_IpcFailed(tag) ? TERN_ERROR_FAILED : L4_Label(tag);
}

// Packs the string into words (at most count * 8 - 1 bytes, the rest NUL); returns the
// words used including the terminating NUL, or 0 when it does not fit.
L4_INLINE unsigned tern_pack_string(const char *text, L4_Word_t *words, unsigned count)
{
    unsigned length = 0;
    while (text[length] != '\0')
        ++length;
    if (length >= count * 8)
        return 0;
    for (unsigned w = 0; w < count; ++w)
        words[w] = 0;
    for (unsigned i = 0; i < length; ++i)
        words[i / 8] |= __L4_CAST(L4_Word_t, __L4_CAST(unsigned char, text[i])) << (8 * (i % 8));
    return length / 8 + 1;
}

// Unpacks up to count words into text (capacity bytes); 1 when a NUL ended the string
// within both, 0 when it is not terminated (text is then cut and terminated).
L4_INLINE int tern_unpack_string(const L4_Word_t *words, unsigned count, char *text, unsigned capacity)
{
    for (unsigned i = 0; i < count * 8 && i < capacity; ++i) {
        text[i] = __L4_CAST(char, words[i / 8] >> (8 * (i % 8)));
        if (text[i] == '\0')
            return 1;
    }
    if (capacity > 0)
        text[capacity - 1] = '\0';
    return 0;
}

#endif
