// SPDX-License-Identifier: MIT
// The Linux personality server (module "linux"; docs/linux.md). Its arguments, from the
// boot configuration: [exit] [epoch=SECONDS] PROGRAM ARGUMENTS..., PROGRAM a boot module
// that it runs as the first Linux process.
#include <stdio.h>

#include "linux_server.hpp"
#include "task.hpp"

int main()
{
    static Linux_server server;
    if (!server.start(task::args()))
        return 1;
    server.run();
}
