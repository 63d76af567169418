/*
 * Device behaviour (PROTOCOL.md §2.1, §4, §5) through the public API only.
 */
#include <stdio.h>
#include <string.h>

#include "lt_test.h"

static uint32_t rd_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static int32_t rd_i24(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16);
    return (u & 0x800000u) ? (int32_t)u - 0x1000000 : (int32_t)u;
}

static uint32_t frame_seq(const uint8_t *f) { return rd_u32(f + 4); }
static uint32_t frame_ts(const uint8_t *f) { return rd_u32(f + 8); }
static int32_t frame_count(const uint8_t *f, unsigned channel, unsigned sample)
{
    return rd_i24(f + 16 + 3u * (channel * f[13] + sample));
}

static int frame_crc_ok(const uint8_t *f, size_t len)
{
    return len >= 20u && lt_crc32(f, len - 4u) == rd_u32(f + len - 4u);
}

static int init_default(lt_device *dev, ram_flash *flash, test_hooks *hooks)
{
    lt_device_config cfg;
    if (flash != NULL) {
        ram_flash_init(flash);
    }
    cfg = test_config(flash, hooks);
    return lt_device_init(dev, &cfg);
}

static uint16_t status_rate(lt_device *dev)
{
    uint8_t st[LT_STATUS_SIZE];
    if (test_in(dev, LT_REQ_GET_STATUS, st, sizeof st) != LT_STATUS_SIZE) {
        return 0;
    }
    return (uint16_t)(st[2] | (st[3] << 8));
}

/* ---- lt_device_init ---- */

static void test_init_validation(void)
{
    lt_device dev;
    lt_device_config cfg;
    ram_flash flash;
    test_hooks hooks;
    float zero = 0.0f;

    ram_flash_init(&flash);
    cfg = test_config(&flash, &hooks);
    CHECK(lt_device_init(&dev, &cfg) == 0);
    CHECK(lt_device_init(NULL, &cfg) == -1);
    CHECK(lt_device_init(&dev, NULL) == -1);

#define EXPECT_INIT(field, value, result)            \
    do {                                              \
        cfg = test_config(&flash, &hooks);            \
        cfg.field = (value);                          \
        CHECK_UINT(lt_device_init(&dev, &cfg) == 0 ? 0u : 1u, (result) == 0 ? 0u : 1u); \
    } while (0)

    EXPECT_INIT(serial, NULL, -1);
    EXPECT_INIT(serial, "", -1);
    EXPECT_INIT(serial, "A", 0);
    EXPECT_INIT(serial, "abcdefghijklmnopqrstuvw", 0);  /* 23 */
    EXPECT_INIT(serial, "abcdefghijklmnopqrstuvwx", -1); /* 24 */
    EXPECT_INIT(serial, "Az09._-", 0);
    EXPECT_INIT(serial, "LT 01", -1);
    EXPECT_INIT(serial, "LT/01", -1);
    EXPECT_INIT(serial, "LT\xc3\xa9", -1);
    EXPECT_INIT(adc_model, NULL, 0);
    EXPECT_INIT(adc_model, "123456789012345", 0);
    EXPECT_INIT(adc_model, "1234567890123456", -1);
    EXPECT_INIT(channels, 0, -1);
    EXPECT_INIT(channels, 1, 0);
    EXPECT_INIT(channels, 4, 0);
    EXPECT_INIT(channels, 5, -1);
    EXPECT_INIT(supported_rates, 0, -1);
    EXPECT_INIT(supported_rates, 0x1F, -1);
    EXPECT_INIT(supported_rates, LT_RATE_80HZ, 0);
    EXPECT_INIT(supported_rates, LT_RATE_10HZ, -1); /* initial 80 Hz not supported */
    EXPECT_INIT(initial_rate_hz, 50, -1);
    EXPECT_INIT(initial_rate_hz, 0, -1);
    EXPECT_INIT(initial_rate_hz, 1000, 0);
    EXPECT_INIT(nominal_counts_per_gram, 0.0f, -1);
    EXPECT_INIT(nominal_counts_per_gram, -4000.0f, -1);
    EXPECT_INIT(nominal_counts_per_gram, 1.0f / zero, -1);
    EXPECT_INIT(nominal_counts_per_gram, zero / zero, -1);
    EXPECT_INIT(nominal_counts_per_gram, 1e-40f, 0); /* subnormal, but finite and positive */
    EXPECT_INIT(flash.erase, NULL, -1);
    EXPECT_INIT(flash.program, NULL, -1);
#undef EXPECT_INIT

    /* Re-initialising from the device's own configuration returns to power-up. */
    {
        uint8_t info[LT_INFO_SIZE];
        cfg = test_config(&flash, &hooks);
        CHECK(lt_device_init(&dev, &cfg) == 0);
        CHECK(test_out(&dev, LT_REQ_SET_RATE, 1000, NULL, 0) == 0);
        CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
        CHECK(lt_device_init(&dev, &dev.cfg) == 0);
        CHECK(test_in(&dev, LT_REQ_GET_INFO, info, sizeof info) == LT_INFO_SIZE);
        CHECK_UINT(info[8] | (info[9] << 8), 80);
        CHECK(memcmp(info + 24, "ADS1220\0", 8) == 0);
        CHECK(memcmp(info + 40, "LT-VECTOR-01\0", 13) == 0);
        CHECK_UINT(status_rate(&dev), 80);
    }

    /* Hooks and flash are optional. */
    cfg = test_config(NULL, NULL);
    CHECK(lt_device_init(&dev, &cfg) == 0);

    /* The device keeps its own copy of the strings. */
    {
        char serial[8] = "LT-7";
        uint8_t info[LT_INFO_SIZE];
        cfg = test_config(NULL, NULL);
        cfg.serial = serial;
        CHECK(lt_device_init(&dev, &cfg) == 0);
        strcpy(serial, "XX");
        CHECK(test_in(&dev, LT_REQ_GET_INFO, info, sizeof info) == LT_INFO_SIZE);
        CHECK(memcmp(info + 40, "LT-7\0\0\0\0", 8) == 0);
    }
}

/* ---- samples per frame ---- */

static void test_samples_per_frame(void)
{
    static const uint16_t rates[4] = {10, 80, 320, 1000};
    /* PROTOCOL.md §2.1: min(Nmax(C), max(1, R / 100)). */
    static const uint8_t want[4][4] = {
        {1, 1, 1, 1},   /* 10 Hz */
        {1, 1, 1, 1},   /* 80 Hz */
        {3, 3, 3, 3},   /* 320 Hz */
        {10, 7, 4, 3},  /* 1000 Hz */
    };
    unsigned r;
    unsigned c;

    for (r = 0; r < 4; r++) {
        for (c = 1; c <= 4; c++) {
            lt_device dev;
            lt_device_config cfg = test_config(NULL, NULL);
            uint8_t info[LT_INFO_SIZE];
            uint8_t frame[LT_PACKET_SIZE];
            unsigned k;
            int completed = 0;
            size_t len;

            CHECK_UINT(lt_samples_per_frame(rates[r], (uint8_t)c), want[r][c - 1]);
            cfg.channels = (uint8_t)c;
            if (!CHECK(lt_device_init(&dev, &cfg) == 0)) {
                continue;
            }
            CHECK(test_out(&dev, LT_REQ_SET_RATE, rates[r], NULL, 0) == 0);
            CHECK(test_in(&dev, LT_REQ_GET_INFO, info, sizeof info) == LT_INFO_SIZE);
            CHECK_UINT(info[21], want[r][c - 1]);
            CHECK_UINT(info[8] | (info[9] << 8), rates[r]);
            CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
            for (k = 0; k < want[r][c - 1]; k++) {
                int32_t counts[4] = {1, 2, 3, 4};
                completed = lt_device_push_sample(&dev, 100u * k, counts, 1);
                if (k + 1u < want[r][c - 1]) {
                    CHECK(completed == 0);
                }
            }
            CHECK(completed == 1);
            len = lt_device_poll_in(&dev, frame);
            CHECK_UINT(len, 20u + 3u * c * want[r][c - 1]);
            CHECK_UINT(frame[12], c);
            CHECK_UINT(frame[13], want[r][c - 1]);
            CHECK(frame_crc_ok(frame, len));
        }
    }
    CHECK_UINT(lt_samples_per_frame(0, 1), 1);
    CHECK_UINT(lt_samples_per_frame(199, 1), 1);
    CHECK_UINT(lt_samples_per_frame(200, 1), 2);
    CHECK_UINT(lt_samples_per_frame(2000, 1), 14);
    CHECK_UINT(lt_samples_per_frame(65535, 2), 7);
    CHECK_UINT(lt_samples_per_frame(1000, 0), 0);
    CHECK_UINT(lt_samples_per_frame(1000, 5), 0);
}

/* ---- streaming ---- */

static void test_start_stop(void)
{
    lt_device dev;
    test_hooks hooks;
    uint8_t frame[LT_PACKET_SIZE];
    uint8_t st[LT_STATUS_SIZE];
    int32_t counts[2] = {1000, -1000};
    size_t len;
    unsigned i;

    if (!CHECK(init_default(&dev, NULL, &hooks) == 0)) {
        return;
    }
    /* Not streaming: samples are ignored, nothing to send. */
    CHECK(lt_device_push_sample(&dev, 0, counts, 1) == 0);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 0);

    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    CHECK_UINT(hooks.stream_calls, 1);
    CHECK_UINT(hooks.last_streaming, 1);
    for (i = 0; i < 3; i++) {
        counts[0] = (int32_t)(1000 + i);
        counts[1] = -(int32_t)(1000 + i);
        CHECK(lt_device_push_sample(&dev, 7000000u + 12500u * i, counts, 1) == 1);
    }
    for (i = 0; i < 3; i++) {
        len = lt_device_poll_in(&dev, frame);
        CHECK_UINT(len, 26);
        CHECK(frame_crc_ok(frame, len));
        CHECK_UINT(frame_seq(frame), i);
        CHECK_UINT(frame_ts(frame), 7000000u + 12500u * i);
        CHECK_UINT(frame[2], LT_PROTOCOL_MAJOR);
        CHECK_UINT(frame[3], LT_PROTOCOL_MINOR);
        CHECK_UINT(frame[14], 0);
        CHECK(frame_count(frame, 0, 0) == (int32_t)(1000 + i));
        CHECK(frame_count(frame, 1, 0) == -(int32_t)(1000 + i));
    }
    CHECK_UINT(lt_device_poll_in(&dev, frame), 0);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(st[0], 1);
    CHECK_UINT(rd_u32(st + 4), 3);

    /* STOP: frames already queued are still sent (§4.3); the counters stay
     * for the host to read. */
    test_push(&dev, 2, 5, 0);
    CHECK(test_out(&dev, LT_REQ_STOP_STREAM, 0, NULL, 0) == 0);
    CHECK_UINT(hooks.stream_calls, 2);
    CHECK_UINT(hooks.last_streaming, 0);
    CHECK(lt_device_push_sample(&dev, 0, counts, 1) == 0);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(st[0], 0);
    CHECK_UINT(rd_u32(st + 4), 5);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 26);
    CHECK_UINT(frame_seq(frame), 3);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 26);
    CHECK_UINT(frame_seq(frame), 4);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 0);
    CHECK(test_out(&dev, LT_REQ_STOP_STREAM, 0, NULL, 0) == 0); /* stopping a stopped device */

    /* START again: sequence 0. */
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    test_push(&dev, 1, 5, 0);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 26);
    CHECK_UINT(frame_seq(frame), 0);

    /* START while streaming restarts: the FIFO is cleared. */
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 80, NULL, 0) == LT_CONTROL_STALL);
    test_push(&dev, 4, 5, 0);
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 0);
    test_push(&dev, 1, 9, 424242);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 26);
    CHECK_UINT(frame_seq(frame), 0);
    CHECK_UINT(frame_ts(frame), 424242);
    CHECK(frame_count(frame, 0, 0) == 9);

    /* Requests without data refuse a data stage. */
    {
        uint8_t one = 0;
        CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, &one, 1) == LT_CONTROL_STALL);
        CHECK(test_out(&dev, LT_REQ_STOP_STREAM, 0, &one, 1) == LT_CONTROL_STALL);
    }
}

/* A partly filled frame has no sequence number: STOP and START drop it. */
static void test_partial_frame_dropped(void)
{
    lt_device dev;
    uint8_t frame[LT_PACKET_SIZE];
    uint8_t st[LT_STATUS_SIZE];

    if (!CHECK(init_default(&dev, NULL, NULL) == 0)) {
        return;
    }
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 320, NULL, 0) == 0); /* 3 samples a frame */
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    test_push(&dev, 4, 1, 1000); /* one frame and one sample */
    CHECK(test_out(&dev, LT_REQ_STOP_STREAM, 0, NULL, 0) == 0);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(rd_u32(st + 4), 1);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 38);
    CHECK_UINT(frame_seq(frame), 0);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 0);
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    test_push(&dev, 2, 2, 50000);
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0); /* restart mid-frame */
    test_push(&dev, 3, 3, 90000);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 38);
    CHECK_UINT(frame_seq(frame), 0);
    CHECK_UINT(frame_ts(frame), 90000);
    CHECK(frame_count(frame, 0, 0) == 3 && frame_count(frame, 1, 2) == 3);
    CHECK_UINT(lt_device_poll_in(&dev, frame), 0);
}

static void test_partial_frames_and_timestamps(void)
{
    lt_device dev;
    uint8_t frame[LT_PACKET_SIZE];
    unsigned k;
    size_t len;

    if (!CHECK(init_default(&dev, NULL, NULL) == 0)) {
        return;
    }
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 1000, NULL, 0) == 0);  /* 7 samples on 2 channels */
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    for (k = 0; k < 14; k++) {
        int32_t counts[2];
        int done;
        counts[0] = (int32_t)(100 + k);
        counts[1] = -(int32_t)(200 + k);
        done = lt_device_push_sample(&dev, 0xFFFFF000u + 1000u * k, counts, 1); /* wraps */
        CHECK(done == (k == 6 || k == 13));
    }
    len = lt_device_poll_in(&dev, frame);
    CHECK_UINT(len, 20u + 3u * 14u);
    CHECK_UINT(frame_ts(frame), 0xFFFFF000u);
    for (k = 0; k < 7; k++) { /* channel-major */
        CHECK(frame_count(frame, 0, k) == (int32_t)(100 + k));
        CHECK(frame_count(frame, 1, k) == -(int32_t)(200 + k));
    }
    len = lt_device_poll_in(&dev, frame);
    CHECK_UINT(frame_seq(frame), 1);
    CHECK_UINT(frame_ts(frame), (uint32_t)(0xFFFFF000u + 7000u)); /* after the wrap */
    CHECK(frame_count(frame, 1, 6) == -213);
}

static void test_sequence_wrap(void)
{
    lt_device dev;
    uint8_t frame[LT_PACKET_SIZE];
    uint8_t st[LT_STATUS_SIZE];

    if (!CHECK(init_default(&dev, NULL, NULL) == 0)) {
        return;
    }
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    dev.next_sequence = 0xFFFFFFFEu; /* white box: two frames before the wrap */
    test_push(&dev, 3, 1, 0);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame_seq(frame), 0xFFFFFFFEu);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame_seq(frame), 0xFFFFFFFFu);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame_seq(frame), 0);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(rd_u32(st + 4), 1);
}

static void test_fifo_overflow(void)
{
    lt_device dev;
    test_hooks hooks;
    uint8_t frame[LT_PACKET_SIZE];
    uint8_t st[LT_STATUS_SIZE];
    unsigned i;

    if (!CHECK(init_default(&dev, NULL, &hooks) == 0)) {
        return;
    }
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    /* 10 frames, nobody polls: frames 0 and 1 are dropped; frame 8 is queued
     * by dropping 0, so frame 9 (the next built) carries FIFO_OVERFLOW. */
    test_push(&dev, 10, 77, 0);
    hooks.clock_us = 31337;
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(rd_u32(st + 4), 10);
    CHECK_UINT(rd_u32(st + 8), 2);
    CHECK_UINT(rd_u32(st + 12), 31337);
    for (i = 2; i < 10; i++) {
        size_t len = lt_device_poll_in(&dev, frame);
        CHECK_UINT(len, 26);
        CHECK(frame_crc_ok(frame, len));
        CHECK_UINT(frame_seq(frame), i);
        CHECK_UINT(frame[14], i == 9 ? LT_FLAG_FIFO_OVERFLOW : 0u);
    }
    CHECK_UINT(lt_device_poll_in(&dev, frame), 0);
    /* Queuing frame 9 dropped frame 1: frame 10 is flagged too, frame 11 not. */
    test_push(&dev, 2, 77, 0);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame_seq(frame), 10);
    CHECK_UINT(frame[14], LT_FLAG_FIFO_OVERFLOW);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame_seq(frame), 11);
    CHECK_UINT(frame[14], 0);
    /* Exactly 8 queued frames fit. */
    test_push(&dev, 8, 1, 0);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(rd_u32(st + 8), 2);
    for (i = 0; i < 8; i++) {
        CHECK(lt_device_poll_in(&dev, frame) > 0);
        CHECK_UINT(frame_seq(frame), 12u + i);
        CHECK_UINT(frame[14], 0);
    }
    /* START_STREAM resets the drop count and forgets a pending overflow flag. */
    test_push(&dev, 9, 1, 0);
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(rd_u32(st + 4), 0);
    CHECK_UINT(rd_u32(st + 8), 0);
    test_push(&dev, 1, 1, 0);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], 0);
}

static void test_not_ready(void)
{
    lt_device dev;
    uint8_t frame[LT_PACKET_SIZE];
    int32_t a[2] = {111, -111};
    int32_t b[2] = {222, -222};
    int32_t junk[2] = {999, 999};

    if (!CHECK(init_default(&dev, NULL, NULL) == 0)) {
        return;
    }
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    /* Before any conversion, a missed one repeats the nominal offset. */
    CHECK(lt_device_push_sample(&dev, 10, junk, 0) == 1);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], LT_FLAG_ADC_NOT_READY);
    CHECK(frame_count(frame, 0, 0) == 120000 && frame_count(frame, 1, 0) == 120000);

    CHECK(lt_device_push_sample(&dev, 20, a, 1) == 1);
    CHECK(lt_device_push_sample(&dev, 30, junk, 0) == 1);
    CHECK(lt_device_push_sample(&dev, 40, NULL, 0) == 1);
    CHECK(lt_device_push_sample(&dev, 50, b, 1) == 1);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], 0);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], LT_FLAG_ADC_NOT_READY);
    CHECK(frame_count(frame, 0, 0) == 111 && frame_count(frame, 1, 0) == -111);
    CHECK_UINT(frame_ts(frame), 30);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], LT_FLAG_ADC_NOT_READY);
    CHECK(frame_count(frame, 0, 0) == 111);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], 0);
    CHECK(frame_count(frame, 0, 0) == 222 && frame_count(frame, 1, 0) == -222);

    /* Several samples a frame: one miss flags the whole frame, the next is clean. */
    CHECK(test_out(&dev, LT_REQ_STOP_STREAM, 0, NULL, 0) == 0);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 320, NULL, 0) == 0); /* 3 samples */
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    CHECK(lt_device_push_sample(&dev, 0, a, 1) == 0);
    CHECK(lt_device_push_sample(&dev, 3125, junk, 0) == 0);
    CHECK(lt_device_push_sample(&dev, 6250, b, 1) == 1);
    test_push(&dev, 3, 5, 9375);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], LT_FLAG_ADC_NOT_READY);
    CHECK(frame_count(frame, 0, 0) == 111 && frame_count(frame, 0, 1) == 111 && frame_count(frame, 0, 2) == 222);
    CHECK(frame_count(frame, 1, 0) == -111 && frame_count(frame, 1, 1) == -111 && frame_count(frame, 1, 2) == -222);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], 0);
    CHECK_UINT(frame_ts(frame), 9375);
}

static void test_saturation(void)
{
    lt_device dev;
    uint8_t frame[LT_PACKET_SIZE];
    int32_t high[2] = {9000000, 5};
    int32_t low[2] = {0, -8388608};
    int32_t fine[2] = {8388606, -8388607};

    if (!CHECK(init_default(&dev, NULL, NULL) == 0)) {
        return;
    }
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    lt_device_push_sample(&dev, 0, high, 1);
    lt_device_push_sample(&dev, 1, low, 1);
    lt_device_push_sample(&dev, 2, fine, 1);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], LT_FLAG_ADC_SATURATED);
    CHECK_UINT(frame[15], 0x01);
    CHECK(frame_count(frame, 0, 0) == LT_ADC_MAX);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], LT_FLAG_ADC_SATURATED);
    CHECK_UINT(frame[15], 0x02);
    CHECK(lt_device_poll_in(&dev, frame) > 0);
    CHECK_UINT(frame[14], 0);
    CHECK_UINT(frame[15], 0);
}

/* ---- control requests ---- */

static void test_set_rate(void)
{
    lt_device dev;
    lt_device_config cfg;
    test_hooks hooks;

    if (!CHECK(init_default(&dev, NULL, &hooks) == 0)) {
        return;
    }
    CHECK_UINT(status_rate(&dev), 80);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 50, NULL, 0) == LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 0, NULL, 0) == LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 100, NULL, 0) == LT_CONTROL_STALL);
    CHECK(lt_device_control(&dev, LT_REQTYPE_IN, LT_REQ_SET_RATE, 320, 0, 0, NULL) == LT_CONTROL_STALL);
    CHECK(lt_device_control(&dev, LT_REQTYPE_OUT, LT_REQ_SET_RATE, 320, 1, 0, NULL) == LT_CONTROL_STALL);
    CHECK_UINT(hooks.rate_calls, 0);
    CHECK_UINT(status_rate(&dev), 80);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 320, NULL, 0) == 0);
    CHECK_UINT(hooks.rate_calls, 1);
    CHECK_UINT(hooks.last_rate, 320);
    CHECK_UINT(status_rate(&dev), 320);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 10, NULL, 0) == 0);
    CHECK_UINT(status_rate(&dev), 10);
    /* Refused while streaming, even a supported rate; accepted after STOP. */
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 1000, NULL, 0) == LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 10, NULL, 0) == LT_CONTROL_STALL);
    CHECK_UINT(status_rate(&dev), 10);
    CHECK(test_out(&dev, LT_REQ_STOP_STREAM, 0, NULL, 0) == 0);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 1000, NULL, 0) == 0);
    CHECK_UINT(status_rate(&dev), 1000);

    /* A rate the device does not list. */
    cfg = test_config(NULL, NULL);
    cfg.supported_rates = LT_RATE_10HZ | LT_RATE_80HZ;
    CHECK(lt_device_init(&dev, &cfg) == 0);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 320, NULL, 0) == LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 1000, NULL, 0) == LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_SET_RATE, 10, NULL, 0) == 0);
}

static void test_info_and_status(void)
{
    lt_device dev;
    lt_device_config cfg;
    test_hooks hooks;
    ram_flash flash;
    uint8_t buf[256];

    if (!CHECK(init_default(&dev, &flash, &hooks) == 0)) {
        return;
    }
    memset(buf, 0xEE, sizeof buf);
    CHECK(test_in(&dev, LT_REQ_GET_INFO, buf, 255) == LT_INFO_SIZE);
    CHECK_UINT(buf[64], 0xEE);
    CHECK_UINT(buf[7], LT_CAP_CALIBRATION_STORAGE | LT_CAP_IDENTIFY);
    CHECK_UINT(buf[20], 24);
    CHECK(memcmp(buf + 24, "ADS1220\0\0\0\0\0\0\0\0\0", 16) == 0);
    memset(buf, 0xEE, sizeof buf);
    CHECK(test_in(&dev, LT_REQ_GET_INFO, buf, 10) == 10);
    CHECK_UINT(buf[10], 0xEE);
    CHECK(test_in(&dev, LT_REQ_GET_INFO, NULL, 0) == 0);
    CHECK(test_in(&dev, LT_REQ_GET_INFO, NULL, 64) == LT_CONTROL_STALL);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, buf, 4) == 4);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, buf, 64) == LT_STATUS_SIZE);

    /* No clock hook: the status clock reads 0. No flash, no IDENTIFY: not offered. */
    cfg = test_config(NULL, NULL);
    CHECK(lt_device_init(&dev, &cfg) == 0);
    memset(buf, 0xEE, sizeof buf);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, buf, LT_STATUS_SIZE) == LT_STATUS_SIZE);
    CHECK_UINT(rd_u32(buf + 12), 0);
    CHECK_UINT(buf[1], 0);
    CHECK(test_in(&dev, LT_REQ_GET_INFO, buf, LT_INFO_SIZE) == LT_INFO_SIZE);
    CHECK_UINT(buf[7], 0);
}

static void test_identify(void)
{
    lt_device dev;
    lt_device_config cfg;
    test_hooks hooks;

    if (!CHECK(init_default(&dev, NULL, &hooks) == 0)) {
        return;
    }
    CHECK(test_out(&dev, LT_REQ_IDENTIFY, 5, NULL, 0) == 0);
    CHECK_UINT(hooks.identify_calls, 1);
    CHECK_UINT(hooks.last_identify, 5);
    CHECK(test_out(&dev, LT_REQ_IDENTIFY, 0, NULL, 0) == 0);
    CHECK_UINT(hooks.last_identify, 0);
    CHECK(lt_device_control(&dev, LT_REQTYPE_IN, LT_REQ_IDENTIFY, 5, 0, 0, NULL) == LT_CONTROL_STALL);
    CHECK_UINT(hooks.identify_calls, 2);

    cfg = test_config(NULL, &hooks);
    cfg.on_identify = NULL;
    CHECK(lt_device_init(&dev, &cfg) == 0);
    CHECK(test_out(&dev, LT_REQ_IDENTIFY, 5, NULL, 0) == LT_CONTROL_STALL);
}

static void test_bad_requests(void)
{
    lt_device dev;
    uint8_t buf[LT_INFO_SIZE];
    unsigned request;

    if (!CHECK(init_default(&dev, NULL, NULL) == 0)) {
        return;
    }
    /* Unknown requests, either direction. */
    CHECK(lt_device_control(&dev, LT_REQTYPE_IN, 0x00, 0, 0, sizeof buf, buf) == LT_CONTROL_STALL);
    CHECK(lt_device_control(&dev, LT_REQTYPE_IN, 0x0A, 0, 0, sizeof buf, buf) == LT_CONTROL_STALL);
    CHECK(lt_device_control(&dev, LT_REQTYPE_OUT, 0x0A, 0, 0, 0, NULL) == LT_CONTROL_STALL);
    CHECK(lt_device_control(&dev, LT_REQTYPE_OUT, 0xFF, 0, 0, 0, NULL) == LT_CONTROL_STALL);
    /* Every known request refuses the wrong direction, a class or standard
     * type, another recipient, and a nonzero wIndex. */
    for (request = LT_REQ_GET_INFO; request <= LT_REQ_IDENTIFY; request++) {
        int is_in = request == LT_REQ_GET_INFO || request == LT_REQ_GET_STATUS ||
                    request == LT_REQ_READ_CALIBRATION;
        uint8_t wrong = is_in ? LT_REQTYPE_OUT : LT_REQTYPE_IN;
        uint8_t right = is_in ? LT_REQTYPE_IN : LT_REQTYPE_OUT;
        uint16_t value = request == LT_REQ_SET_RATE ? 80u : 0u;
        CHECK(lt_device_control(&dev, wrong, (uint8_t)request, value, 0, 0, NULL) == LT_CONTROL_STALL);
        CHECK(lt_device_control(&dev, (uint8_t)(right | 0x01u), (uint8_t)request, value, 0, 0, NULL) ==
              LT_CONTROL_STALL);
        CHECK(lt_device_control(&dev, (uint8_t)(right & 0x80u), (uint8_t)request, value, 0, 0, NULL) ==
              LT_CONTROL_STALL);
        CHECK(lt_device_control(&dev, (uint8_t)(right | 0x20u), (uint8_t)request, value, 0, 0, NULL) ==
              LT_CONTROL_STALL);
        CHECK(lt_device_control(&dev, right, (uint8_t)request, value, 1, 0, NULL) == LT_CONTROL_STALL);
    }
    CHECK(lt_device_control(NULL, LT_REQTYPE_IN, LT_REQ_GET_INFO, 0, 0, sizeof buf, buf) == LT_CONTROL_STALL);
    /* Nothing above changed the state. */
    CHECK_UINT(status_rate(&dev), 80);
}

/* ---- calibration storage ---- */

static void make_blob(uint8_t *blob, const char *serial, double c1)
{
    uint32_t crc;
    uint64_t bits;
    unsigned i;

    memset(blob, 0, LT_CAL_BLOB_SIZE);
    memcpy(blob, "LTCL", 4);
    blob[4] = 1;  /* version */
    blob[5] = 1;  /* degree */
    blob[6] = 2;  /* channels */
    blob[8] = LT_CAL_BLOB_SIZE & 0xFF;
    blob[9] = LT_CAL_BLOB_SIZE >> 8;
    memcpy(blob + 12, serial, strlen(serial));
    memcpy(&bits, &c1, sizeof bits);
    for (i = 0; i < 8; i++) {
        blob[68 + 8 + i] = (uint8_t)(bits >> (8 * i));   /* channel 0, c1 */
        blob[100 + 8 + i] = (uint8_t)(bits >> (8 * i));  /* channel 1, c1 */
    }
    crc = lt_crc32(blob, 196);
    for (i = 0; i < 4; i++) {
        blob[196 + i] = (uint8_t)(crc >> (8 * i));
    }
}

static void test_calibration_storage(void)
{
    lt_device dev;
    lt_device_config cfg;
    ram_flash flash;
    test_hooks hooks;
    uint8_t blob_a[LT_CAL_BLOB_SIZE];
    uint8_t blob_b[LT_CAL_BLOB_SIZE];
    uint8_t bad[LT_CAL_BLOB_SIZE];
    uint8_t back[LT_CAL_FLASH_SIZE];
    uint8_t st[LT_STATUS_SIZE];

    if (!CHECK(init_default(&dev, &flash, &hooks) == 0)) {
        return;
    }
    make_blob(blob_a, "LT-VECTOR-01", 4000.0);
    make_blob(blob_b, "LT-VECTOR-01", 4100.0);
    CHECK_UINT(lt_cal_blob_validate(blob_a, sizeof blob_a, "LT-VECTOR-01"), LT_CAL_OK);

    /* Erased: READ returns nothing, status says nothing stored. */
    CHECK(test_in(&dev, LT_REQ_READ_CALIBRATION, back, sizeof back) == 0);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(st[1], 0);

    /* WRITE then READ returns exactly the bytes written. */
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, blob_a, sizeof blob_a) == 0);
    CHECK(test_in(&dev, LT_REQ_READ_CALIBRATION, back, sizeof back) == LT_CAL_BLOB_SIZE);
    CHECK(memcmp(back, blob_a, sizeof blob_a) == 0);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(st[1], 1);
    CHECK(test_in(&dev, LT_REQ_READ_CALIBRATION, back, 100) == 100);
    /* Overwrite: the flash is erased first (NOR program only clears bits). */
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, blob_b, sizeof blob_b) == 0);
    CHECK(test_in(&dev, LT_REQ_READ_CALIBRATION, back, sizeof back) == LT_CAL_BLOB_SIZE);
    CHECK(memcmp(back, blob_b, sizeof blob_b) == 0);

    /* Refused writes keep blob_b. */
    memcpy(bad, blob_a, sizeof bad);
    bad[120] ^= 0x01; /* CRC no longer matches */
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, bad, sizeof bad) == LT_CONTROL_STALL);
    make_blob(bad, "LT-VECTOR-02", 4000.0);
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, bad, sizeof bad) == LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, blob_a, LT_CAL_BLOB_SIZE - 1) == LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, NULL, 0) == LT_CONTROL_STALL);
    CHECK(lt_device_control(&dev, LT_REQTYPE_IN, LT_REQ_WRITE_CALIBRATION, 0, 0, sizeof blob_a, blob_a) ==
          LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_START_STREAM, 0, NULL, 0) == 0);
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, blob_a, sizeof blob_a) == LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_ERASE_CALIBRATION, 0, NULL, 0) == LT_CONTROL_STALL);
    /* READ works while streaming. */
    CHECK(test_in(&dev, LT_REQ_READ_CALIBRATION, back, sizeof back) == LT_CAL_BLOB_SIZE);
    CHECK(memcmp(back, blob_b, sizeof blob_b) == 0);
    CHECK(test_out(&dev, LT_REQ_STOP_STREAM, 0, NULL, 0) == 0);
    CHECK(flash.erase_calls == 2 && flash.program_calls == 2);

    /* A flash that fails to program: STALL. */
    flash.fail_program = 1;
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, blob_a, sizeof blob_a) == LT_CONTROL_STALL);
    flash.fail_program = 0;
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, blob_a, sizeof blob_a) == 0);

    /* ERASE. */
    CHECK(test_out(&dev, LT_REQ_ERASE_CALIBRATION, 0, NULL, 0) == 0);
    CHECK(test_in(&dev, LT_REQ_READ_CALIBRATION, back, sizeof back) == 0);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(st[1], 0);
    CHECK(lt_device_control(&dev, LT_REQTYPE_IN, LT_REQ_ERASE_CALIBRATION, 0, 0, 0, NULL) == LT_CONTROL_STALL);
    CHECK(lt_device_control(&dev, LT_REQTYPE_OUT, LT_REQ_READ_CALIBRATION, 0, 0, 0, NULL) == LT_CONTROL_STALL);

    /* Corrupt flash is returned as stored so that the host can say why. */
    memcpy(flash.bytes, blob_a, sizeof blob_a);
    flash.bytes[8] = 0xFF; /* length field 0xFFFF: not a possible length */
    flash.bytes[9] = 0xFF;
    CHECK(test_in(&dev, LT_REQ_READ_CALIBRATION, back, sizeof back) == LT_CAL_BLOB_SIZE);
    CHECK(memcmp(back, flash.bytes, LT_CAL_BLOB_SIZE) == 0);
    flash.bytes[8] = 150;
    flash.bytes[9] = 0;
    CHECK(test_in(&dev, LT_REQ_READ_CALIBRATION, back, sizeof back) == 150);
    CHECK(test_in(&dev, LT_REQ_GET_STATUS, st, sizeof st) == LT_STATUS_SIZE);
    CHECK_UINT(st[1], 1);

    /* No calibration storage: READ, WRITE and ERASE stall. */
    cfg = test_config(NULL, &hooks);
    CHECK(lt_device_init(&dev, &cfg) == 0);
    CHECK(test_in(&dev, LT_REQ_READ_CALIBRATION, back, sizeof back) == LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, blob_a, sizeof blob_a) == LT_CONTROL_STALL);
    CHECK(test_out(&dev, LT_REQ_ERASE_CALIBRATION, 0, NULL, 0) == LT_CONTROL_STALL);
}

void test_device(const char *vectors_dir)
{
    (void)vectors_dir;
    test_init_validation();
    test_samples_per_frame();
    test_start_stop();
    test_partial_frame_dropped();
    test_partial_frames_and_timestamps();
    test_sequence_wrap();
    test_fifo_overflow();
    test_not_ready();
    test_saturation();
    test_set_rate();
    test_info_and_status();
    test_identify();
    test_bad_requests();
    test_calibration_storage();
}
