#include "systest.h"
void timeout_tests(void) {}
