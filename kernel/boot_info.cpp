// SPDX-License-Identifier: MIT
#include "boot_info.hpp"

const char *Boot_info::type_name(Memory_type type)
{
    switch (type) {
    case Memory_type::usable: return "usable";
    case Memory_type::reserved: return "reserved";
    case Memory_type::acpi_reclaimable: return "ACPI reclaimable";
    case Memory_type::acpi_nvs: return "ACPI NVS";
    case Memory_type::defective: return "defective";
    }
    return "unknown";
}

void Boot_info::clear()
{
    region_count = 0;
    module_count = 0;
    command_line = "";
    command_line_memory = {};
    loader_name[0] = '\0';
    info_structures = {};
    strings_truncated = false;
}

const char *Boot_module::path() const
{
    const char *c = line;
    while (*c == ' ')
        ++c;
    return c;
}

size_t Boot_module::path_length() const
{
    const char *start = path();
    const char *c = start;
    while (*c != '\0' && *c != ' ')
        ++c;
    return static_cast<size_t>(c - start);
}

const char *Boot_module::arguments() const
{
    const char *c = path() + path_length();
    while (*c == ' ')
        ++c;
    return c;
}

bool Boot_module::is_called(const char *name) const
{
    const char *file = path();
    const char *end = file + path_length();
    for (const char *c = file; c != end; ++c)
        if (*c == '/')
            file = c + 1;
    while (file != end && *name != '\0' && *file == *name)
        ++file, ++name;
    return file == end && *name == '\0';
}
