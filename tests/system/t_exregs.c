#include "systest.h"
void exregs_tests(void) {}
