#include "systest.h"
void space_tests(void) {}
