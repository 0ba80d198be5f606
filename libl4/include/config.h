// SPDX-License-Identifier: MIT
// libl4: stands in for the config.h that Pistachio's user-level build generates with
// autoconf, which X.2 programs include (<config.h>). Nothing needs configuring on Tern.
#ifndef L4_TERN_CONFIG_H
#define L4_TERN_CONFIG_H
#endif
