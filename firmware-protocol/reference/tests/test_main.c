/*
 * Runs the reference device's tests against the vectors in argv[1]
 * (default ../vectors) and prints "N passed, M failed".
 */
#include <stdio.h>

#include "lt_test.h"

int main(int argc, char **argv)
{
    const char *vectors = argc > 1 ? argv[1] : "../vectors";

    test_vectors(vectors);
    test_device(vectors);
    printf("%u passed, %u failed\n", lt_tests_passed, lt_tests_failed);
    return lt_tests_failed == 0u && lt_tests_passed > 0u ? 0 : 1;
}
