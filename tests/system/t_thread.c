#include "systest.h"
void thread_tests(void) {}
