#include "systest.h"
void delete_tests(void) {}
