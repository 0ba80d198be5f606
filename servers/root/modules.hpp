// SPDX-License-Identifier: MIT
// The boot modules, found through X.2's boot information (modules.cpp).
#ifndef ROOT_MODULES_HPP
#define ROOT_MODULES_HPP

#include <l4/types.h>

namespace modules {

// The image of the module called name (the file's name, without directories).
bool find(const char *name, const char *&image, L4_Word_t &size);
// The loader's arguments of the module, "" if none.
const char *arguments(const char *name);

}  // namespace modules

#endif
