// SPDX-License-Identifier: MIT
// An open file description: what a file descriptor names, shared by the descriptors dup
// and fork make (so they share its offset and status flags, as in Linux).
#ifndef LINUX_OPEN_FILE_HPP
#define LINUX_OPEN_FILE_HPP

#include <stdint.h>

class Pipe;

struct Open_file {
    enum class Kind : uint8_t { none, console, null, zero, urandom, pipe_read, pipe_write, inode, proc_directory, inet_socket };

    Kind kind = Kind::none;
    unsigned references = 0;   // descriptors naming it, in every process
    uint32_t flags = 0;        // open's flags: access mode, O_APPEND, O_NONBLOCK
    uint64_t offset = 0;
    Pipe *pipe = nullptr;      // pipe_read, pipe_write
    uint32_t inode = 0;        // inode (Vfs), held while the description lives
    int proc_pid = 0;          // proc_directory: /proc/PID, or /proc/PID/fd if proc_fds
    bool proc_fds = false;
    uint32_t socket = 0;         // inet_socket: the network server's number for it
    bool connecting = false;     // inet_socket: a blocking connect waits for it
    char stream = 'O';         // console: 'O' standard output, 'E' error (./tern linux keeps them apart)
};

#endif
