// SPDX-License-Identifier: MIT
// The channel to the host of `./tern linux` (tools/linux_run.py): the second serial port
// (COM2), which only the Linux server writes, carrying the first process's standard output
// and standard error and, at its end, its exit status, as frames the host tells apart: a
// kind byte ('O' output, 'E' error, 'X' exit), a 4-byte little-endian length, the bytes.
// COM1 stays the console of the kernel and the servers.
#ifndef LINUX_HOST_CHANNEL_HPP
#define LINUX_HOST_CHANNEL_HPP

#include <stddef.h>
#include <stdint.h>

class Host_channel {
public:
    static constexpr unsigned base = 0x2f8, ports = 8;

    // Asks root for the ports (the configuration grants them); false if refused.
    bool open();
    bool is_open() const { return open_; }
    void write(char kind, const void *bytes, size_t n);
    void exit(int status);

private:
    void put(uint8_t byte);

    bool open_ = false;
};

#endif
