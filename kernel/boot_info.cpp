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
    command_line[0] = '\0';
    loader_name[0] = '\0';
    info_structures = {};
    strings_truncated = false;
}
