/*
 * Host-side tests of the firmware's chip-free logic: the HX711 read (bit
 * order, pulse count, sign extension, PD_SCK timing), the microsecond
 * clock's wrap, the EEPROM serial record and calibration storage, the
 * sampler (timestamps, missed conversions), IDENTIFY and the descriptors.
 * Run by `make test`; prints "N passed, 0 failed" and exits nonzero on a
 * failure.
 */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "clock.h"
#include "fake_board.h"
#include "hx711.h"
#include "lt_device.h"
#include "settings.h"
#include "usb.h"
#include "usb_desc.h"

static unsigned passed, failed;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (cond) {                                                                  \
            passed++;                                                                \
        } else {                                                                     \
            failed++;                                                                \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                   \
        }                                                                            \
    } while (0)

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- HX711 ---- */

static void test_sign_extension(void)
{
    CHECK(hx711_sign_extend(0x000000u) == 0);
    CHECK(hx711_sign_extend(0x000001u) == 1);
    CHECK(hx711_sign_extend(0x7FFFFFu) == 8388607);
    CHECK(hx711_sign_extend(0x800000u) == -8388608);
    CHECK(hx711_sign_extend(0xFFFFFFu) == -1);
    CHECK(hx711_sign_extend(0x800001u) == -8388607);
    CHECK(hx711_sign_extend(0xAB123456u) == 0x123456); /* bits above 23 are ignored */
}

static void test_read(int32_t value)
{
    fake_reset();
    fake.now_us = 100;
    fake_hx711_ready(value);
    CHECK(hx711_read() == value);
    CHECK(fake.hx_pulses == 25u);          /* channel A, gain 128 next */
    CHECK(fake.dout == 1);                 /* the 25th pulse ends the read */
    CHECK(fake.sck == 0);                  /* PD_SCK left low: the HX711 stays on */
    CHECK(fake.sck_high_with_irq == 0u);   /* no interrupt can stretch a high phase */
    CHECK(fake.sck_longest_high_us < 50u); /* datasheet T3 max; 60 µs powers down */
    CHECK(fake.irq_enabled == 1);          /* interrupts are back on */
}

static void test_hx711_reads(void)
{
    test_read(0x5A0F3C);     /* an asymmetric pattern: bit order */
    test_read(1);
    test_read(-1);
    test_read(-12345);
    test_read(8388607);      /* the rails */
    test_read(-8388608);
}

/* ---- the clock ---- */

static void test_clock(void)
{
    CHECK(ltf_clock_compose(0u, 0u, 0u) == 0u);
    CHECK(ltf_clock_compose(0u, 1999u, 0u) == 999u);
    CHECK(ltf_clock_compose(5000u, 2u, 1u) == 6001u);      /* the tick is pending: count is past it */
    CHECK(ltf_clock_compose(5000u, 1999u, 1u) == 5999u);   /* the count was read before the match */
    /* 2^32 µs wrap: the base wraps like the clock, and differences stay right. */
    CHECK(ltf_clock_compose(0xFFFFFC18u, 1998u, 0u) == 0xFFFFFFFFu);
    CHECK(ltf_clock_compose(0xFFFFFC18u, 0u, 1u) == 0u);
    CHECK(ltf_clock_compose(0xFFFFFC18u + 1000u, 500u, 0u) == 250u);
    CHECK((uint32_t)(ltf_clock_compose(0xFFFFFC18u + 1000u, 500u, 0u) - ltf_clock_compose(0xFFFFFC18u, 100u, 0u)) == 1200u);
    {
        /* Every tick for 72 minutes of base: monotonic mod 2^32. */
        uint32_t base = 0xFFF00000u, previous = ltf_clock_compose(base, 0u, 0u);
        unsigned bad = 0, i;
        for (i = 0; i < 5000u; i++) {
            uint32_t a = ltf_clock_compose(base, 1000u, 0u);
            uint32_t b = ltf_clock_compose(base, 1u, 1u);
            if ((uint32_t)(a - previous) != 500u || (uint32_t)(b - a) != 500u) bad++;
            previous = b;
            base += 1000u;
        }
        CHECK(bad == 0u);
    }
}

/* ---- EEPROM: the serial record ---- */

static void test_serial_record(void)
{
    uint8_t record[LTF_SERIAL_RECORD_SIZE];
    char serial[LTF_SERIAL_MAX + 1u];

    CHECK(ltf_serial_record_encode("LT-0042", record) == 0);
    CHECK(memcmp(record, "LTSN", 4) == 0 && record[4] == 7u);
    CHECK(ltf_serial_record_decode(record, serial) == 0 && strcmp(serial, "LT-0042") == 0);
    CHECK(ltf_serial_record_encode("a.b_c-D.0123456789ABCDE", record) == 0); /* 23 characters */
    CHECK(ltf_serial_record_decode(record, serial) == 0 && strcmp(serial, "a.b_c-D.0123456789ABCDE") == 0);

    CHECK(ltf_serial_is_valid("LT-0042"));
    CHECK(!ltf_serial_is_valid(""));
    CHECK(!ltf_serial_is_valid("a.b_c-D.0123456789ABCDEF")); /* 24 */
    CHECK(!ltf_serial_is_valid("LT 0042"));
    CHECK(!ltf_serial_is_valid("LT/0042"));
    CHECK(!ltf_serial_is_valid("LT-\xC3\xA9"));
    CHECK(!ltf_serial_is_valid(NULL));
    CHECK(ltf_serial_record_encode("bad serial", record) == -1);

    memset(record, 0xFF, sizeof record); /* erased EEPROM */
    CHECK(ltf_serial_record_decode(record, serial) == -1);
    CHECK(ltf_serial_record_encode("LT-0042", record) == 0);
    record[7] ^= 0x01u; /* one bit flipped */
    CHECK(ltf_serial_record_decode(record, serial) == -1);
    CHECK(ltf_serial_record_encode("LT-0042", record) == 0);
    record[4] = 24u;
    CHECK(ltf_serial_record_decode(record, serial) == -1);
}

/* ---- the application on the fake board ---- */

static void start_app(const char *serial)
{
    fake_reset();
    fake.now_us = 1000000u;
    if (serial != NULL) {
        uint8_t record[LTF_SERIAL_RECORD_SIZE];
        (void)ltf_serial_record_encode(serial, record);
        memcpy(fake.eeprom + LTF_SERIAL_ADDRESS, record, sizeof record);
    }
    (void)ltf_app_init();
    fake.configured = 1;
}

static int request(uint8_t type, uint8_t req, uint16_t value, uint16_t length, uint8_t *data)
{
    return ltf_app_vendor_request(type, req, value, 0, length, data);
}

static void test_info(void)
{
    uint8_t info[LTF_CONTROL_BUFFER];
    float counts_per_gram;

    start_app("LT-0042");
    CHECK(request(LT_REQTYPE_IN, LT_REQ_GET_INFO, 0, 64, info) == 64);
    CHECK(info[0] == 1 && info[1] == 0);               /* protocol 1.0 */
    CHECK(info[6] == 1);                               /* one channel */
    CHECK(info[7] == (LT_CAP_CALIBRATION_STORAGE | LT_CAP_IDENTIFY));
    CHECK((info[8] | info[9] << 8) == 80);             /* power-up rate */
    CHECK((info[10] | info[11] << 8) == (LT_RATE_10HZ | LT_RATE_80HZ));
    memcpy(&counts_per_gram, info + 16, 4);
    CHECK(counts_per_gram > 21474.0f && counts_per_gram < 21475.0f);
    CHECK(info[20] == 24);
    CHECK(strcmp((const char *)info + 24, "HX711") == 0);
    CHECK(strcmp((const char *)info + 40, "LT-0042") == 0);
    CHECK(strcmp(ltf_app_serial(), "LT-0042") == 0);
    CHECK(fake.rate_fast == 1);

    start_app(NULL); /* never flashed with a serial */
    CHECK(strcmp(ltf_app_serial(), "LT-UNSET") == 0);

    CHECK(request(LT_REQTYPE_OUT, LT_REQ_SET_RATE, 320, 0, info) < 0); /* the HX711 offers 10 and 80 */
    CHECK(request(LT_REQTYPE_OUT, LT_REQ_SET_RATE, 10, 0, info) == 0);
    CHECK(fake.rate_fast == 0);
}

/* A valid calibration blob for `serial` (PROTOCOL.md §5). */
static void make_blob(uint8_t *blob, const char *serial)
{
    uint32_t crc;
    double c1 = 21000.0;
    memset(blob, 0, LT_CAL_BLOB_SIZE);
    memcpy(blob, "LTCL", 4);
    blob[4] = 1;   /* version */
    blob[5] = 1;   /* degree */
    blob[6] = 1;   /* channels */
    blob[8] = LT_CAL_BLOB_SIZE;
    memcpy(blob + 12, serial, strlen(serial));
    memcpy(blob + 68 + 8, &c1, 8);
    crc = lt_crc32(blob, 196);
    blob[196] = (uint8_t)crc;
    blob[197] = (uint8_t)(crc >> 8);
    blob[198] = (uint8_t)(crc >> 16);
    blob[199] = (uint8_t)(crc >> 24);
}

static void test_calibration_storage(void)
{
    uint8_t blob[LT_CAL_BLOB_SIZE];
    uint8_t data[LTF_CONTROL_BUFFER];
    unsigned i, erased = 0;

    start_app("LT-0042");
    CHECK(request(LT_REQTYPE_IN, LT_REQ_READ_CALIBRATION, 0, 256, data) == 0); /* erased: no blob */

    make_blob(blob, "LT-0042");
    memcpy(data, blob, sizeof blob);
    fake.eeprom_writes = 0;
    CHECK(request(LT_REQTYPE_OUT, LT_REQ_WRITE_CALIBRATION, 0, LT_CAL_BLOB_SIZE, data) == 0);
    /* At most 12 + 200 bytes written: 0.72 s at 3.4 ms a byte, inside the host's 1 s. */
    CHECK(fake.eeprom_writes <= 212u);
    CHECK(memcmp(fake.eeprom + LTF_CAL_ADDRESS, blob, sizeof blob) == 0); /* in EEPROM */
    memset(data, 0, sizeof data);
    CHECK(request(LT_REQTYPE_IN, LT_REQ_READ_CALIBRATION, 0, 256, data) == LT_CAL_BLOB_SIZE);
    CHECK(memcmp(data, blob, sizeof blob) == 0);

    /* Writing a blob writes only the bytes that change (3.4 ms each on the chip). */
    {
        unsigned before = fake.eeprom_writes;
        memcpy(data, blob, sizeof blob);
        CHECK(request(LT_REQTYPE_OUT, LT_REQ_WRITE_CALIBRATION, 0, LT_CAL_BLOB_SIZE, data) == 0);
        CHECK(fake.eeprom_writes - before <= 24u); /* the same blob again: the header, cleared and rewritten */
    }

    /* A power cycle keeps it: a fresh start reads the same EEPROM. */
    {
        uint8_t saved[1024];
        memcpy(saved, fake.eeprom, sizeof saved);
        fake_reset();
        memcpy(fake.eeprom, saved, sizeof saved);
        (void)ltf_app_init();
        memset(data, 0, sizeof data);
        CHECK(request(LT_REQTYPE_IN, LT_REQ_READ_CALIBRATION, 0, 256, data) == LT_CAL_BLOB_SIZE);
        CHECK(memcmp(data, blob, sizeof blob) == 0);
    }

    /* Another sensor's blob is refused and the stored one kept. */
    make_blob(data, "LT-9999");
    CHECK(request(LT_REQTYPE_OUT, LT_REQ_WRITE_CALIBRATION, 0, LT_CAL_BLOB_SIZE, data) < 0);
    CHECK(memcmp(fake.eeprom + LTF_CAL_ADDRESS, blob, sizeof blob) == 0);

    /* A corrupt blob in EEPROM still reaches the host, as stored. */
    fake.eeprom[LTF_CAL_ADDRESS + 100] ^= 0x40u;
    CHECK(request(LT_REQTYPE_IN, LT_REQ_READ_CALIBRATION, 0, 256, data) == LT_CAL_BLOB_SIZE);
    CHECK(lt_cal_blob_validate(data, LT_CAL_BLOB_SIZE, "LT-0042") == LT_CAL_CRC_MISMATCH);

    CHECK(request(LT_REQTYPE_OUT, LT_REQ_ERASE_CALIBRATION, 0, 0, data) == 0);
    for (i = 0; i < 12u; i++) erased += fake.eeprom[LTF_CAL_ADDRESS + i] == 0xFFu;
    CHECK(erased == 12u); /* the header that says "nothing stored" (EEPROM needs no erase) */
    CHECK(request(LT_REQTYPE_IN, LT_REQ_READ_CALIBRATION, 0, 256, data) == 0);
    /* The serial record is outside the calibration area. */
    CHECK(memcmp(fake.eeprom + LTF_SERIAL_ADDRESS, "LTSN", 4) == 0);
}

/* ---- sampling ---- */

static void test_sampling(void)
{
    uint8_t data[16];
    const uint8_t *frame;
    int32_t counts;

    start_app("LT-0042");
    fake.now_us = 2000000u; /* past the HX711's settling */
    CHECK(request(LT_REQTYPE_OUT, LT_REQ_START_STREAM, 0, 0, data) == 0);

    /* A conversion ready at 2,000,100 µs, read a little later: the frame
     * carries the data-ready time, not the time of the read. */
    fake.now_us = 2000100u;
    fake_hx711_ready(-4242);
    ltf_app_data_ready(fake.now_us);
    fake.now_us = 2000350u;
    ltf_app_poll();
    CHECK(fake.sent == 1u);
    frame = fake.packets[0];
    CHECK(fake.lengths[0] == 23u);              /* one sample at 80 Hz */
    CHECK(get_u32(frame + 4) == 0u);            /* sequence */
    CHECK(get_u32(frame + 8) == 2000100u);      /* timestamp: data ready */
    CHECK((frame[14] & LT_FLAG_ADC_NOT_READY) == 0);
    counts = (int32_t)((uint32_t)frame[16] | (uint32_t)frame[17] << 8 | (uint32_t)frame[18] << 16 |
                       ((frame[18] & 0x80u) ? 0xFF000000u : 0u));
    CHECK(counts == -4242);
    CHECK(get_u32(frame + 19) == lt_crc32(frame, 19));
    CHECK(fake.ready_irq == 1);                 /* re-armed after the read */

    /* No conversion for 1.5 periods (12.5 ms at 80 Hz): an ADC_NOT_READY
     * sample at the instant one was due. */
    fake.now_us = 2000100u + 18751u;
    ltf_app_poll();
    CHECK(fake.sent == 2u);
    CHECK((fake.packets[1][14] & LT_FLAG_ADC_NOT_READY) != 0);
    CHECK(get_u32(fake.packets[1] + 8) == 2000100u + 12500u);

    /* Not streaming: conversions are read (the HX711 keeps going) but no frames. */
    CHECK(request(LT_REQTYPE_OUT, LT_REQ_STOP_STREAM, 0, 0, data) == 0);
    fake.now_us = 2100000u;
    fake_hx711_ready(77);
    ltf_app_data_ready(fake.now_us);
    ltf_app_poll();
    CHECK(fake.sent == 2u);
    CHECK(fake.hx_ready == 0);

    /* After a rate change the HX711 settles (400 ms at 10 SPS): no
     * ADC_NOT_READY before then. */
    CHECK(request(LT_REQTYPE_OUT, LT_REQ_SET_RATE, 10, 0, data) == 0);
    CHECK(request(LT_REQTYPE_OUT, LT_REQ_START_STREAM, 0, 0, data) == 0);
    fake.now_us += 399000u;
    ltf_app_poll();
    CHECK(fake.sent == 2u);
}

static void test_identify(void)
{
    uint8_t data[4];
    unsigned on = 0, off = 0, step;

    start_app("LT-0042");
    CHECK(request(LT_REQTYPE_OUT, LT_REQ_IDENTIFY, 2, 0, data) == 0);
    for (step = 0; step < 40u; step++) { /* 2 s in 50 ms steps */
        fake.now_us += 50000u;
        ltf_app_poll();
        if (fake.led) on++; else off++;
    }
    CHECK(on > 10u && off > 10u); /* it blinked */
    fake.now_us += 50000u;
    ltf_app_poll();
    CHECK(fake.led == 0);          /* and stopped */
}

/* ---- descriptors (PROTOCOL.md §1) ---- */

static void test_descriptors(void)
{
    uint8_t d[LTF_DESCRIPTOR_MAX];
    int n;

    n = ltf_usb_descriptor(LTF_DESC_DEVICE, 0, "LT-0042", d);
    CHECK(n == 18 && d[0] == 18 && d[1] == 1);
    CHECK(d[2] == 0x00 && d[3] == 0x02);                 /* bcdUSB 2.00 */
    CHECK(d[4] == 0 && d[7] == 64);                      /* class per interface, EP0 64 */
    CHECK(d[8] == 0x09 && d[9] == 0x12 && d[10] == 0x01 && d[11] == 0x00); /* 1209:0001 */
    CHECK(d[12] == 0x00 && d[13] == 0x01);               /* bcdDevice 1.00 */
    CHECK(d[14] == 1 && d[15] == 2 && d[16] == 3 && d[17] == 1);

    n = ltf_usb_descriptor(LTF_DESC_CONFIGURATION, 0, "LT-0042", d);
    CHECK(n == 25 && d[2] == 25 && d[4] == 1 && d[5] == 1);
    CHECK(d[7] == 0x80 && d[8] == 50);                   /* bus powered, 100 mA */
    CHECK(d[9 + 1] == 4 && d[9 + 2] == 0 && d[9 + 4] == 1);
    CHECK(d[9 + 5] == 0xFF && d[9 + 6] == 0 && d[9 + 7] == 0);
    CHECK(d[18 + 1] == 5 && d[18 + 2] == 0x81 && d[18 + 3] == 0x03); /* interrupt IN 0x81 */
    CHECK(d[18 + 4] == 64 && d[18 + 5] == 0 && d[18 + 6] == 1);      /* 64 bytes, 1 ms */

    n = ltf_usb_descriptor(LTF_DESC_STRING, 3, "LT-0042", d);
    CHECK(n == 16 && d[0] == 16 && d[1] == 3 && d[2] == 'L' && d[3] == 0 && d[14] == '2');
    n = ltf_usb_descriptor(LTF_DESC_STRING, 2, "LT-0042", d);
    CHECK(n == 2 + 2 * 23 && d[2] == 'L');
    n = ltf_usb_descriptor(LTF_DESC_STRING, 0, "LT-0042", d);
    CHECK(n == 4 && d[2] == 0x09 && d[3] == 0x04);
    CHECK(ltf_usb_descriptor(LTF_DESC_STRING, 4, "LT-0042", d) == -1);
    CHECK(ltf_usb_descriptor(6, 0, "LT-0042", d) == -1);
}

int main(void)
{
    test_sign_extension();
    test_hx711_reads();
    test_clock();
    test_serial_record();
    test_info();
    test_calibration_storage();
    test_sampling();
    test_identify();
    test_descriptors();
    printf("firmware host tests: %u passed, %u failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
