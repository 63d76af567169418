/*
 * The reference against the generated vectors (../vectors/c-*.txt), which
 * generate.py writes from PROTOCOL.md alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lt_test.h"

/* ---- CRC-32 ---- */

static void test_crc32(void)
{
    const uint8_t check[] = "123456789";
    const uint8_t zero[4] = {0, 0, 0, 0};

    CHECK_UINT(lt_crc32(check, 9), 0xCBF43926u);
    CHECK_UINT(lt_crc32(check, 0), 0x00000000u);
    CHECK_UINT(lt_crc32(zero, 4), 0x2144DF1Cu); /* zlib.crc32(b"\0" * 4) */
}

/* ---- frames ---- */

static void frame_line(void *ctx, int argc, char **argv)
{
    uint8_t want[LT_FRAME_MAX_SIZE + 8];
    uint8_t got[LT_FRAME_MAX_SIZE + 8];
    int32_t counts[LT_FRAME_MAX_COUNTS];
    long n;
    long want_len;
    long i;
    size_t len;
    char what[160];

    (*(int *)ctx)++;
    n = argc >= 7 ? strtol(argv[6], NULL, 10) : -1;
    if (!CHECK(n >= 1 && n <= LT_FRAME_MAX_COUNTS && argc == 8 + n)) {
        return;
    }
    for (i = 0; i < n; i++) {
        counts[i] = (int32_t)strtoll(argv[7 + i], NULL, 10);
    }
    want_len = lt_hex_decode(argv[argc - 1], want, sizeof want);
    memset(got, 0xEE, sizeof got);
    len = lt_frame_encode(got, (uint32_t)strtoul(argv[1], NULL, 10), (uint32_t)strtoul(argv[2], NULL, 10),
                          (uint8_t)atoi(argv[3]), (uint8_t)atoi(argv[4]), (uint8_t)atoi(argv[5]), counts);
    snprintf(what, sizeof what, "frame vector %s", argv[0]);
    CHECK_BYTES(got, len, want, want_len > 0 ? (size_t)want_len : 0u, what);
    CHECK_UINT(got[len], 0xEEu); /* nothing written past the frame */
}

static void test_frame_vectors(const char *dir)
{
    int count = 0;
    CHECK(lt_for_each_line(dir, "c-frames.txt", frame_line, &count) > 0);
    CHECK(count >= 12);
}

static void test_frame_encode_limits(void)
{
    uint8_t out[LT_FRAME_MAX_SIZE];
    int32_t counts[LT_FRAME_MAX_COUNTS];
    unsigned c;
    unsigned n;

    memset(counts, 0, sizeof counts);
    CHECK_UINT(lt_frame_encode(out, 0, 0, 0, 1, 0, counts), 0);
    CHECK_UINT(lt_frame_encode(out, 0, 0, 5, 1, 0, counts), 0);
    CHECK_UINT(lt_frame_encode(NULL, 0, 0, 1, 1, 0, counts), 0);
    CHECK_UINT(lt_frame_encode(out, 0, 0, 1, 1, 0, NULL), 0);
    for (c = 1; c <= LT_MAX_CHANNELS; c++) {
        unsigned nmax = LT_FRAME_MAX_COUNTS / c;
        CHECK_UINT(lt_frame_encode(out, 0, 0, (uint8_t)c, 0, 0, counts), 0);
        CHECK_UINT(lt_frame_encode(out, 0, 0, (uint8_t)c, (uint8_t)(nmax + 1u), 0, counts), 0);
        for (n = 1; n <= nmax; n++) {
            size_t len = lt_frame_encode(out, 0, 0, (uint8_t)c, (uint8_t)n, 0, counts);
            CHECK_UINT(len, 20u + 3u * c * n);
            CHECK(len <= LT_FRAME_MAX_SIZE);
        }
    }
}

/* ---- calibration ---- */

#define MAX_BLOBS 32

typedef struct blob_record {
    char name[64];
    char serial[32];
    char status[32];
    uint8_t bytes[LT_CAL_FLASH_SIZE];
    size_t len;
} blob_record;

typedef struct blob_table {
    blob_record blobs[MAX_BLOBS];
    int count;
} blob_table;

static blob_table g_blobs;

static void blob_line(void *ctx, int argc, char **argv)
{
    blob_table *table = ctx;
    blob_record *rec;
    long len;

    if (!CHECK(argc == 4 && table->count < MAX_BLOBS)) {
        return;
    }
    rec = &table->blobs[table->count];
    len = lt_hex_decode(argv[3], rec->bytes, sizeof rec->bytes);
    if (!CHECK(len >= 0 && strlen(argv[0]) < sizeof rec->name && strlen(argv[1]) < sizeof rec->serial &&
               strlen(argv[2]) < sizeof rec->status)) {
        return;
    }
    strcpy(rec->name, argv[0]);
    strcpy(rec->serial, argv[1]);
    strcpy(rec->status, argv[2]);
    rec->len = (size_t)len;
    table->count++;
}

static const blob_record *find_blob(const char *name)
{
    int i;
    for (i = 0; i < g_blobs.count; i++) {
        if (strcmp(g_blobs.blobs[i].name, name) == 0) {
            return &g_blobs.blobs[i];
        }
    }
    return NULL;
}

static const char *cal_status_name(lt_cal_status status)
{
    switch (status) {
    case LT_CAL_OK: return "ok";
    case LT_CAL_EMPTY: return "empty";
    case LT_CAL_TOO_SHORT: return "too_short";
    case LT_CAL_BAD_MAGIC: return "bad_magic";
    case LT_CAL_UNSUPPORTED_VERSION: return "unsupported_version";
    case LT_CAL_LENGTH_MISMATCH: return "length_mismatch";
    case LT_CAL_BAD_DEGREE: return "bad_degree";
    case LT_CAL_BAD_CHANNEL_COUNT: return "bad_channel_count";
    case LT_CAL_CRC_MISMATCH: return "crc_mismatch";
    case LT_CAL_SERIAL_MISMATCH: return "serial_mismatch";
    default: return "?";
    }
}

static void test_calibration_vectors(const char *dir)
{
    const blob_record *good;
    ram_flash flash;
    test_hooks hooks;
    lt_device_config cfg;
    lt_device dev;
    uint8_t back[LT_CAL_FLASH_SIZE];
    int i;

    memset(&g_blobs, 0, sizeof g_blobs);
    CHECK(lt_for_each_line(dir, "c-calibration.txt", blob_line, &g_blobs) > 0);
    CHECK(g_blobs.count >= 12);
    for (i = 0; i < g_blobs.count; i++) {
        const blob_record *rec = &g_blobs.blobs[i];
        const char *got = cal_status_name(lt_cal_blob_validate(rec->bytes, rec->len, rec->serial));
        char what[160];
        snprintf(what, sizeof what, "calibration vector %s validates as %s (got %s)", rec->name,
                 rec->status, got);
        lt_check(strcmp(got, rec->status) == 0, __FILE__, __LINE__, what);
    }
    /* Without a serial to compare, the serial-mismatch blob is fine. */
    good = find_blob("serial_mismatch");
    if (CHECK(good != NULL)) {
        CHECK_UINT(lt_cal_blob_validate(good->bytes, good->len, NULL), LT_CAL_OK);
        CHECK_UINT(lt_cal_blob_validate(good->bytes, good->len, "LT-OTHER-9"), LT_CAL_SERIAL_MISMATCH);
        CHECK_UINT(lt_cal_blob_validate(good->bytes, good->len, "LT-OTHER-99"), LT_CAL_OK);
        CHECK_UINT(lt_cal_blob_validate(good->bytes, good->len, "LT-OTHER-999"), LT_CAL_SERIAL_MISMATCH);
    }
    CHECK_UINT(lt_cal_blob_validate(NULL, 0, NULL), LT_CAL_EMPTY);

    /* Through WRITE_CALIBRATION: every vector blob is accepted exactly when it is
     * valid for this device, and a refused one leaves the stored blob alone. */
    ram_flash_init(&flash);
    cfg = test_config(&flash, &hooks);
    if (!CHECK(lt_device_init(&dev, &cfg) == 0)) {
        return;
    }
    good = find_blob("valid_degree3_two_channels");
    if (!CHECK(good != NULL)) {
        return;
    }
    CHECK(test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, good->bytes, (uint16_t)good->len) == 0);
    for (i = 0; i < g_blobs.count; i++) {
        const blob_record *rec = &g_blobs.blobs[i];
        const blob_record *expect = good;
        int ok = strcmp(rec->status, "ok") == 0;
        int rc = test_out(&dev, LT_REQ_WRITE_CALIBRATION, 0, rec->bytes, (uint16_t)rec->len);
        int n;
        char what[160];

        snprintf(what, sizeof what, "WRITE_CALIBRATION of %s %s", rec->name, ok ? "succeeds" : "stalls");
        lt_check(rc == (ok ? 0 : LT_CONTROL_STALL), __FILE__, __LINE__, what);
        if (ok) {
            expect = rec;
        }
        n = test_in(&dev, LT_REQ_READ_CALIBRATION, back, sizeof back);
        snprintf(what, sizeof what, "READ_CALIBRATION after writing %s", rec->name);
        CHECK_BYTES(back, n > 0 ? (size_t)n : 0u, expect->bytes, expect->len, what);
        good = expect;
    }
}

/* ---- control responses ---- */

typedef struct control_ctx {
    lt_device_config cfg;
    ram_flash flash;
    test_hooks hooks;
    int have_device;
    int responses;
} control_ctx;

static int run_step(lt_device *dev, const char *step)
{
    const char *eq = strchr(step, '=');
    const char *arg = eq != NULL ? eq + 1 : "";
    size_t key = eq != NULL ? (size_t)(eq - step) : strlen(step);

    if (key == 8 && strncmp(step, "set_rate", key) == 0) {
        return test_out(dev, LT_REQ_SET_RATE, (uint16_t)atoi(arg), NULL, 0);
    }
    if (key == 17 && strncmp(step, "write_calibration", key) == 0) {
        const blob_record *blob = find_blob(arg);
        if (blob == NULL) {
            return -2;
        }
        return test_out(dev, LT_REQ_WRITE_CALIBRATION, 0, blob->bytes, (uint16_t)blob->len);
    }
    if (key == 12 && strncmp(step, "start_stream", key) == 0) {
        return test_out(dev, LT_REQ_START_STREAM, 0, NULL, 0);
    }
    if (key == 11 && strncmp(step, "stop_stream", key) == 0) {
        return test_out(dev, LT_REQ_STOP_STREAM, 0, NULL, 0);
    }
    if (key == 12 && strncmp(step, "push_samples", key) == 0) {
        test_push(dev, (unsigned)atoi(arg), 123456, 5000000u);
        return 0;
    }
    return -2;
}

static void control_line(void *vctx, int argc, char **argv)
{
    control_ctx *ctx = vctx;
    lt_device dev;
    uint8_t want[300];
    uint8_t got[300];
    long want_len;
    int n;
    int i;
    char what[160];

    if (strcmp(argv[0], "device") == 0) {
        /* device serial fw_major fw_minor fw_patch adc_model channels rate rates offset cpg caps */
        static char serial[32];
        static char model[32];
        unsigned caps;
        if (!CHECK(argc == 12 && strlen(argv[1]) < sizeof serial && strlen(argv[5]) < sizeof model)) {
            return;
        }
        strcpy(serial, argv[1]);
        strcpy(model, argv[5]);
        caps = (unsigned)atoi(argv[11]);
        ctx->cfg = test_config(&ctx->flash, &ctx->hooks);
        ctx->cfg.serial = serial;
        ctx->cfg.fw_major = (uint8_t)atoi(argv[2]);
        ctx->cfg.fw_minor = (uint8_t)atoi(argv[3]);
        ctx->cfg.fw_patch = (uint16_t)atoi(argv[4]);
        ctx->cfg.adc_model = model;
        ctx->cfg.channels = (uint8_t)atoi(argv[6]);
        ctx->cfg.initial_rate_hz = (uint16_t)atoi(argv[7]);
        ctx->cfg.supported_rates = (uint16_t)atoi(argv[8]);
        ctx->cfg.nominal_offset = (int32_t)atol(argv[9]);
        ctx->cfg.nominal_counts_per_gram = (float)strtod(argv[10], NULL);
        if (!(caps & LT_CAP_CALIBRATION_STORAGE)) {
            memset(&ctx->cfg.flash, 0, sizeof ctx->cfg.flash);
        }
        if (!(caps & LT_CAP_IDENTIFY)) {
            ctx->cfg.on_identify = NULL;
        }
        ctx->have_device = 1;
        return;
    }
    if (!CHECK(ctx->have_device && argc >= 8)) {
        return;
    }
    ctx->responses++;
    ram_flash_init(&ctx->flash);
    memset(&ctx->hooks, 0, sizeof ctx->hooks);
    if (!CHECK(lt_device_init(&dev, &ctx->cfg) == 0)) {
        return;
    }
    for (i = 8; i < argc; i++) {
        int rc = run_step(&dev, argv[i]);
        snprintf(what, sizeof what, "control vector %s: step %s", argv[0], argv[i]);
        lt_check(rc == 0, __FILE__, __LINE__, what);
    }
    ctx->hooks.clock_us = (uint32_t)strtoul(argv[1], NULL, 10);
    want_len = lt_hex_decode(argv[7], want, sizeof want);
    memset(got, 0xEE, sizeof got);
    n = lt_device_control(&dev, (uint8_t)atoi(argv[2]), (uint8_t)atoi(argv[3]), (uint16_t)atoi(argv[4]),
                          (uint16_t)atoi(argv[5]), (uint16_t)atoi(argv[6]), got);
    snprintf(what, sizeof what, "control vector %s", argv[0]);
    CHECK_BYTES(got, n > 0 ? (size_t)n : 0u, want, want_len > 0 ? (size_t)want_len : 0u, what);
    CHECK(n >= 0 && n < (int)sizeof got && got[n] == 0xEEu);
}

static void test_control_vectors(const char *dir)
{
    static control_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    CHECK(lt_for_each_line(dir, "c-control.txt", control_line, &ctx) > 0);
    CHECK(ctx.responses >= 5);
}

void test_vectors(const char *vectors_dir)
{
    test_crc32();
    test_frame_vectors(vectors_dir);
    test_frame_encode_limits();
    test_calibration_vectors(vectors_dir); /* loads the blobs the control steps use */
    test_control_vectors(vectors_dir);
}
