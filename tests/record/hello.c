/* Built with -static by the tests: a program no preload library can enter. */
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
