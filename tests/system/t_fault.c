#include "systest.h"
void fault_tests(void) {}
