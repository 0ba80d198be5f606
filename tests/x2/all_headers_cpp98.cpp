// SPDX-License-Identifier: MIT
// Compile-only check: every libl4 header at once in C++98, the language Pistachio's own
// programs (l4test, pingpong) are written in, with the project's warnings as errors.
#include <l4/arch.h>
#include <l4/bootinfo.h>
#include <l4/ipc.h>
#include <l4/kcp.h>
#include <l4/kdebug.h>
#include <l4/kip.h>
#include <l4/message.h>
#include <l4/misc.h>
#include <l4/pagefault.h>
#include <l4/pager.h>
#include <l4/schedule.h>
#include <l4/sigma0.h>
#include <l4/space.h>
#include <l4/thread.h>
#include <l4/tracebuffer.h>
#include <l4/types.h>
#include <l4/amd64/compat.h>
#include <l4io.h>
#include <config.h>

L4_Word_t x2_cpp98_constants(L4_MsgTag_t tag);

// The constants are the header parts that differ by language (see __L4_VALUE).
L4_Word_t x2_cpp98_constants(L4_MsgTag_t tag)
{
    if (L4_IsNilThread(L4_nilthread) == 0)
        L4_KDB_Enter("nilthread is not nil");
    return tern_protocol_label(L4_Label(tag)) + L4_UntypedWords(tag) + L4_anythread.raw + L4_Never.raw +
           L4_ZeroTime.raw + L4_Nilpage.raw + L4_CompleteAddressSpace.raw + L4_Niltag.raw;
}
