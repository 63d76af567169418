#include "app.h"

#include <string.h>

#include "board.h"
#include "config.h"
#include "hx711.h"
#include "settings.h"
#include "usb.h"

static lt_device ltf_device;
static char ltf_serial[LTF_SERIAL_MAX + 1u];

/* Data ready, written by the interrupt. */
static volatile uint8_t ltf_ready;
static volatile uint32_t ltf_ready_us;

/* Missed-conversion watch: while streaming, a sample instant with no
 * conversion by `deadline` becomes an ADC_NOT_READY sample (PROTOCOL.md §3). */
static uint32_t ltf_period_us;
static uint32_t ltf_deadline_us;
static uint32_t ltf_settled_at_us; /* the HX711's output is valid from here on */

static uint32_t ltf_identify_until_us;
static uint8_t ltf_identifying;

/* ---- calibration storage: the reference's flash over EEPROM ---- */

static int ltf_flash_read(void *ctx, uint32_t offset, uint8_t *buf, uint32_t len)
{
    (void)ctx;
    if (offset > LTF_CAL_SIZE || len > LTF_CAL_SIZE - offset) {
        return -1;
    }
    board_eeprom_read((uint16_t)(LTF_CAL_ADDRESS + offset), buf, (uint16_t)len);
    return 0;
}

/*
 * EEPROM needs no erase before a write, and each byte written takes 3.4 ms
 * (ATmega32U4 datasheet, Table 5-2): erasing all 256 bytes and then writing
 * a 200-byte blob would take about 1.5 s, longer than the host's 1000 ms for
 * WRITE_CALIBRATION. So "erase" clears the 12-byte header that PROTOCOL.md §5
 * reads as "nothing stored" (all 0xFF), and programming overwrites the rest:
 * a full write then takes at most about 0.72 s, and only the bytes that
 * change are written at all.
 */
#define LTF_CAL_HEADER_SIZE 12u

static int ltf_flash_erase(void *ctx)
{
    (void)ctx;
    board_eeprom_fill(LTF_CAL_ADDRESS, 0xFFu, LTF_CAL_HEADER_SIZE);
    return 0;
}

static int ltf_flash_program(void *ctx, uint32_t offset, const uint8_t *buf, uint32_t len)
{
    (void)ctx;
    if (offset > LTF_CAL_SIZE || len > LTF_CAL_SIZE - offset) {
        return -1;
    }
    board_eeprom_write((uint16_t)(LTF_CAL_ADDRESS + offset), buf, (uint16_t)len);
    return 0;
}

/* ---- hooks ---- */

static uint32_t ltf_settle_us(uint16_t rate_hz)
{
    return rate_hz == 10u ? LTF_SETTLE_US_10 : LTF_SETTLE_US_80;
}

static uint32_t ltf_hook_clock(void *ctx)
{
    (void)ctx;
    return board_clock_us();
}

static void ltf_hook_stream(void *ctx, int streaming)
{
    uint32_t now = board_clock_us();
    uint32_t from = now;
    (void)ctx;
    if (streaming) {
        if ((int32_t)(ltf_settled_at_us - now) > 0) {
            from = ltf_settled_at_us;
        }
        ltf_deadline_us = from + ltf_period_us + ltf_period_us / 2u;
    }
}

static void ltf_hook_rate(void *ctx, uint16_t rate_hz)
{
    (void)ctx;
    board_hx711_rate(rate_hz == 80u ? 1u : 0u);
    ltf_period_us = rate_hz == 10u ? 100000UL : 12500UL;
    ltf_settled_at_us = board_clock_us() + ltf_settle_us(rate_hz);
}

static void ltf_hook_identify(void *ctx, uint16_t seconds)
{
    (void)ctx;
    if (seconds > 3600u) {
        seconds = 3600u; /* the clock holds 71 minutes */
    }
    ltf_identify_until_us = board_clock_us() + (uint32_t)seconds * 1000000UL;
    ltf_identifying = seconds > 0u;
    if (!ltf_identifying) {
        board_led(0);
    }
}

/* ---- the application ---- */

int ltf_app_init(void)
{
    uint8_t record[LTF_SERIAL_RECORD_SIZE];
    lt_device_config config;
    uint16_t initial;

    board_eeprom_read(LTF_SERIAL_ADDRESS, record, sizeof record);
    if (ltf_serial_record_decode(record, ltf_serial) != 0) {
        memset(ltf_serial, 0, sizeof ltf_serial);
        memcpy(ltf_serial, LTF_FALLBACK_SERIAL, sizeof LTF_FALLBACK_SERIAL);
    }

    memset(&config, 0, sizeof config);
    config.serial = ltf_serial;
    config.fw_major = LTF_FW_MAJOR;
    config.fw_minor = LTF_FW_MINOR;
    config.fw_patch = LTF_FW_PATCH;
    config.adc_model = "HX711";
    config.channels = 1;
#if HX711_RATE == 0
    config.supported_rates = LT_RATE_10HZ | LT_RATE_80HZ;
    initial = 80u; /* the power-up rate of PROTOCOL.md §4.4 */
#elif HX711_RATE == 10
    config.supported_rates = LT_RATE_10HZ;
    initial = 10u;
#else
    config.supported_rates = LT_RATE_80HZ;
    initial = 80u;
#endif
    config.initial_rate_hz = initial;
    config.nominal_offset = LTF_NOMINAL_OFFSET;
    config.nominal_counts_per_gram = LTF_NOMINAL_COUNTS_PER_GRAM;
    config.flash.read = ltf_flash_read;
    config.flash.erase = ltf_flash_erase;
    config.flash.program = ltf_flash_program;
    config.clock_us = ltf_hook_clock;
    config.on_stream = ltf_hook_stream;
    config.on_rate_change = ltf_hook_rate;
    config.on_identify = ltf_hook_identify;
    if (lt_device_init(&ltf_device, &config) != 0) {
        return -1;
    }
    ltf_hook_rate(NULL, initial); /* the HX711 powered up with the board: it settles */

    board_hx711_ready_irq(1);
    if (board_hx711_dout() == 0u) {
        ltf_app_data_ready(board_clock_us()); /* ready before the edge could be seen */
    }
    return 0;
}

void ltf_app_data_ready(uint32_t now_us)
{
    ltf_ready_us = now_us;
    ltf_ready = 1;
}

/* Reads a ready conversion, or marks a missed sample instant. */
static void ltf_sample(void)
{
    uint8_t irq = board_irq_save();
    uint8_t ready = ltf_ready;
    uint32_t taken_us = ltf_ready_us;
    ltf_ready = 0;
    board_irq_restore(irq);

    if (ready) {
        int32_t counts;
        board_hx711_ready_irq(0);
        counts = hx711_read();
        board_hx711_ready_irq(1);
        /* Stamped with the data-ready edge: when the sample was taken. */
        (void)lt_device_push_sample(&ltf_device, taken_us, &counts, 1);
        ltf_deadline_us = taken_us + ltf_period_us + ltf_period_us / 2u;
        return;
    }
    if (ltf_device.streaming && (int32_t)(board_clock_us() - ltf_deadline_us) > 0) {
        (void)lt_device_push_sample(&ltf_device, ltf_deadline_us - ltf_period_us / 2u, NULL, 0);
        ltf_deadline_us += ltf_period_us;
    }
}

static void ltf_blink(void)
{
    uint32_t now;
    if (!ltf_identifying) {
        return;
    }
    now = board_clock_us();
    if ((int32_t)(now - ltf_identify_until_us) >= 0) {
        ltf_identifying = 0;
        board_led(0);
        return;
    }
    board_led((uint8_t)((now / 125000UL) & 1u)); /* 4 Hz */
}

void ltf_app_idle(void)
{
    board_watchdog_kick();
    ltf_sample();
}

void ltf_app_poll(void)
{
    uint8_t packet[LT_PACKET_SIZE];
    ltf_sample();
    ltf_blink();
    if (usb_in_ready()) {
        size_t n = lt_device_poll_in(&ltf_device, packet);
        if (n > 0u) {
            usb_in_send(packet, (uint8_t)n);
        }
    }
}

int ltf_app_vendor_request(uint8_t bmRequestType, uint8_t bRequest, uint16_t wValue, uint16_t wIndex,
                           uint16_t wLength, uint8_t *data)
{
    return lt_device_control(&ltf_device, bmRequestType, bRequest, wValue, wIndex, wLength, data);
}

const char *ltf_app_serial(void)
{
    return ltf_serial;
}

lt_device *ltf_app_device(void)
{
    return &ltf_device;
}
