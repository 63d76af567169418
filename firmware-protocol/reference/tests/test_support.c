/*
 * Harness, vector-file reading and test doubles shared by the suites.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lt_test.h"

unsigned lt_tests_passed;
unsigned lt_tests_failed;

int lt_check(int ok, const char *file, int line, const char *what)
{
    if (ok) {
        lt_tests_passed++;
    } else {
        lt_tests_failed++;
        printf("FAIL %s:%d: %s\n", file, line, what);
    }
    return ok;
}

int lt_check_uint(unsigned long got, unsigned long want, const char *file, int line, const char *what)
{
    int ok = got == want;
    if (!lt_check(ok, file, line, what)) {
        printf("     got %lu (0x%lX), want %lu (0x%lX)\n", got, got, want, want);
    }
    return ok;
}

static void print_hex(const char *label, const uint8_t *bytes, size_t len)
{
    size_t i;
    printf("     %s (%lu bytes) ", label, (unsigned long)len);
    for (i = 0; i < len; i++) {
        printf("%02x", bytes[i]);
    }
    printf("\n");
}

int lt_check_bytes(const uint8_t *got, size_t got_len, const uint8_t *want, size_t want_len,
                   const char *file, int line, const char *what)
{
    int ok = got_len == want_len && (want_len == 0 || memcmp(got, want, want_len) == 0);
    if (!lt_check(ok, file, line, what)) {
        print_hex("got ", got, got_len);
        print_hex("want", want, want_len);
    }
    return ok;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

long lt_hex_decode(const char *hex, uint8_t *out, size_t capacity)
{
    size_t len = strlen(hex);
    size_t i;

    if (strcmp(hex, "-") == 0) {
        return 0;
    }
    if (len % 2u != 0u || len / 2u > capacity) {
        return -1;
    }
    for (i = 0; i < len / 2u; i++) {
        int hi = hex_digit(hex[2 * i]);
        int lo = hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i] = (uint8_t)(hi * 16 + lo);
    }
    return (long)(len / 2u);
}

long lt_for_each_line(const char *dir, const char *name,
                      void (*fn)(void *ctx, int argc, char **argv), void *ctx)
{
    char path[1024];
    char line[LT_TEST_LINE];
    FILE *f;
    long lines = 0;

    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        return -1;
    }
    f = fopen(path, "r");
    if (f == NULL) {
        printf("cannot open %s\n", path);
        return -1;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char *argv[LT_TEST_MAX_TOKENS];
        int argc = 0;
        char *token;

        if (line[0] == '#' || line[0] == '\n') {
            continue;
        }
        for (token = strtok(line, " \t\r\n"); token != NULL && argc < LT_TEST_MAX_TOKENS;
             token = strtok(NULL, " \t\r\n")) {
            argv[argc++] = token;
        }
        if (argc > 0) {
            fn(ctx, argc, argv);
            lines++;
        }
    }
    fclose(f);
    return lines;
}

/* ---- RAM flash ---- */

static int ram_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    ram_flash *flash = ctx;
    if (offset > LT_CAL_FLASH_SIZE || len > LT_CAL_FLASH_SIZE - offset) {
        return -1;
    }
    memcpy(buf, flash->bytes + offset, len);
    return 0;
}

static int ram_erase(void *ctx)
{
    ram_flash *flash = ctx;
    flash->erase_calls++;
    if (flash->fail_erase) {
        return -1;
    }
    memset(flash->bytes, 0xFF, sizeof flash->bytes);
    return 0;
}

static int ram_program(void *ctx, uint32_t offset, const uint8_t *buf, uint32_t len)
{
    ram_flash *flash = ctx;
    uint32_t i;
    flash->program_calls++;
    if (flash->fail_program || offset > LT_CAL_FLASH_SIZE || len > LT_CAL_FLASH_SIZE - offset) {
        return -1;
    }
    for (i = 0; i < len; i++) {
        flash->bytes[offset + i] &= buf[i]; /* NOR: programming only clears bits */
    }
    return 0;
}

void ram_flash_init(ram_flash *flash)
{
    memset(flash, 0, sizeof *flash);
    memset(flash->bytes, 0xFF, sizeof flash->bytes);
}

lt_flash_ops ram_flash_ops(ram_flash *flash)
{
    lt_flash_ops ops;
    ops.ctx = flash;
    ops.read = ram_read;
    ops.erase = ram_erase;
    ops.program = ram_program;
    return ops;
}

/* ---- hooks ---- */

static uint32_t hook_clock(void *ctx)
{
    return ((test_hooks *)ctx)->clock_us;
}

static void hook_stream(void *ctx, int streaming)
{
    test_hooks *hooks = ctx;
    hooks->stream_calls++;
    hooks->last_streaming = streaming;
}

static void hook_rate(void *ctx, uint16_t rate_hz)
{
    test_hooks *hooks = ctx;
    hooks->rate_calls++;
    hooks->last_rate = rate_hz;
}

static void hook_identify(void *ctx, uint16_t seconds)
{
    test_hooks *hooks = ctx;
    hooks->identify_calls++;
    hooks->last_identify = seconds;
}

lt_device_config test_config(ram_flash *flash, test_hooks *hooks)
{
    lt_device_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.serial = "LT-VECTOR-01";
    cfg.fw_major = 1;
    cfg.fw_minor = 2;
    cfg.fw_patch = 3;
    cfg.adc_model = "ADS1220";
    cfg.channels = 2;
    cfg.supported_rates = LT_RATES_ALL;
    cfg.initial_rate_hz = 80;
    cfg.nominal_offset = 120000;
    cfg.nominal_counts_per_gram = 4000.0f;
    if (flash != NULL) {
        cfg.flash = ram_flash_ops(flash);
    }
    if (hooks != NULL) {
        memset(hooks, 0, sizeof *hooks);
        cfg.hook_ctx = hooks;
        cfg.clock_us = hook_clock;
        cfg.on_stream = hook_stream;
        cfg.on_rate_change = hook_rate;
        cfg.on_identify = hook_identify;
    }
    return cfg;
}

int test_out(lt_device *dev, uint8_t request, uint16_t value, const uint8_t *data, uint16_t len)
{
    uint8_t buf[LT_CAL_FLASH_SIZE + 64];
    if (len > sizeof buf) {
        return LT_CONTROL_STALL;
    }
    if (len > 0u) {
        memcpy(buf, data, len);
    }
    return lt_device_control(dev, LT_REQTYPE_OUT, request, value, 0, len, len > 0u ? buf : NULL);
}

int test_in(lt_device *dev, uint8_t request, uint8_t *data, uint16_t len)
{
    return lt_device_control(dev, LT_REQTYPE_IN, request, 0, 0, len, data);
}

void test_push(lt_device *dev, unsigned n, int32_t value, uint32_t t0)
{
    int32_t counts[LT_MAX_CHANNELS];
    unsigned i;
    unsigned c;
    for (i = 0; i < n; i++) {
        for (c = 0; c < LT_MAX_CHANNELS; c++) {
            counts[c] = value;
        }
        lt_device_push_sample(dev, t0 + 1000u * i, counts, 1);
    }
}
