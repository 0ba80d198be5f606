#include "systest.h"
void sigma0_tests(void) {}
