// SPDX-License-Identifier: MIT
// libl4: kernel debugger interface (see <l4/amd64/kdebug.h>) and X.2's old names for it.
#ifndef L4_KDEBUG_H
#define L4_KDEBUG_H

#include <l4/types.h>
#include <l4/amd64/kdebug.h>

#define enter_kdebug(x) L4_KDB_Enter(x)
#define kd_inchar() L4_KDB_ReadChar_Blocked()

#endif
