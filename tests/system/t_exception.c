#include "systest.h"
void exception_tests(void) {}
