#include "systest.h"
void schedule_tests(void) {}
