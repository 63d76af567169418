/*
 * A minimal test harness for the reference device: every CHECK counts as one
 * test, a failure prints where and why, and main prints "N passed, M failed".
 */
#ifndef LT_TEST_H
#define LT_TEST_H

#include <stddef.h>
#include <stdint.h>

#include "lt_device.h"

extern unsigned lt_tests_passed;
extern unsigned lt_tests_failed;

/* Records one check; `ok` is its outcome. Returns ok. */
int lt_check(int ok, const char *file, int line, const char *what);
int lt_check_uint(unsigned long got, unsigned long want, const char *file, int line, const char *what);
int lt_check_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len,
                   const char *file, int line, const char *what);

#define CHECK(cond) lt_check((cond) != 0, __FILE__, __LINE__, #cond)
#define CHECK_UINT(got, want) \
    lt_check_uint((unsigned long)(got), (unsigned long)(want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_BYTES(got, got_len, want, want_len, what) \
    lt_check_bytes((got), (got_len), (want), (want_len), __FILE__, __LINE__, (what))

/* ---- vector files ---- */

#define LT_TEST_MAX_TOKENS 40
#define LT_TEST_LINE 4096

/* Decodes hex ("-" is no bytes) into out. Returns the byte count, or -1. */
long lt_hex_decode(const char *hex, uint8_t *out, size_t capacity);

/* Calls `fn` for each non-comment line of `dir`/`name`, split on blanks.
 * Returns the number of lines, or -1 when the file cannot be read. */
long lt_for_each_line(const char *dir, const char *name,
                      void (*fn)(void *ctx, int argc, char **argv), void *ctx);

/* ---- test doubles ---- */

/* A NOR-like flash in RAM: erase sets 0xFF, program can only clear bits. */
typedef struct ram_flash {
    uint8_t bytes[LT_CAL_FLASH_SIZE];
    int fail_erase;
    int fail_program;
    int erase_calls;
    int program_calls;
} ram_flash;

void ram_flash_init(ram_flash *flash);
lt_flash_ops ram_flash_ops(ram_flash *flash);

/* What the hooks saw. */
typedef struct test_hooks {
    uint32_t clock_us;
    int stream_calls;
    int last_streaming;
    int rate_calls;
    uint16_t last_rate;
    int identify_calls;
    uint16_t last_identify;
} test_hooks;

/* A valid configuration: the vector device of control.json (serial
 * "LT-VECTOR-01", 2 channels, 80 Hz, all rates) with RAM flash and all hooks. */
lt_device_config test_config(ram_flash *flash, test_hooks *hooks);

/* Control-request shorthands. */
int test_out(lt_device *dev, uint8_t request, uint16_t value, const uint8_t *data, uint16_t len);
int test_in(lt_device *dev, uint8_t request, uint8_t *data, uint16_t len);

/* Pushes `n` ready samples, all channels `value`, at 1 ms steps from `t0`. */
void test_push(lt_device *dev, unsigned n, int32_t value, uint32_t t0);

/* ---- suites ---- */

void test_vectors(const char *vectors_dir);
void test_device(const char *vectors_dir);

#endif /* LT_TEST_H */
