// SPDX-License-Identifier: MIT
// What an address space holds besides memory, in the names generic code uses (Space,
// Mapper, the IPC item transfer): on x86 its I/O ports. Space_resources is the per-space
// state (activated on every switch, forgotten and released with the space);
// Resource_mapper maps, grants and unmaps the fpages that name such resources and are not
// memory. An architecture without any would supply empty ones.
#pragma once

#include "io_mapper.hpp"
#include "io_space.hpp"

using Space_resources = Io_space;
using Resource_mapper = Io_mapper;
