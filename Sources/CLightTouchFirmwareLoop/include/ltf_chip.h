/*
 * A LightTouch sensor firmware (an ATmega32U4 ELF) running on simavr's
 * ATmega32U4, with a simulated HX711 on the firmware's pins and the chip's
 * USB controller driven from the host side, transaction by transaction.
 *
 * Not thread-safe: simavr's ioctls race with avr_run ("TODO thread safe
 * ioctls" in its avr_usb.c), so the owner serialises every call; the chip
 * only runs inside ltf_chip_* calls. Simulated time counts from power-up.
 *
 * Wiring (firmware-protocol/boards/pro-micro-hx711/src/pins.h):
 * HX711 DOUT -> PD0 (INT0), PD_SCK <- PD4, RATE <- PC6, LED <- PB0.
 */
#ifndef LTF_CHIP_H
#define LTF_CHIP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ltf_chip ltf_chip;

#define LTF_CHIP_EEPROM_SIZE 1024

typedef struct ltf_chip_options {
    const char *firmware_path;
    /* The load cell at the HX711's channel A input, as counts at gain 128,
     * when a conversion completes at `seconds` of simulated time since
     * power-up. Called from inside the chip's run. */
    int32_t (*analog_counts)(void *ctx, double seconds);
    void *ctx;
    /* The HX711's own oscillator: its output rate is the nominal 10 or 80
     * samples/s times (1 + rate_error). */
    double rate_error;
} ltf_chip_options;

/* What the firmware said about itself when the host enumerated it. */
typedef struct ltf_enumeration {
    uint8_t descriptors[64]; /* device descriptor, then configuration descriptor */
    size_t descriptors_length;
    uint16_t vendor_id, product_id, bcd_device;
    char manufacturer[64], product[64], serial[64];
} ltf_enumeration;

/* What the simulated HX711 saw, and the firmware's timing. */
typedef struct ltf_chip_stats {
    uint64_t conversions;          /* data-ready events (DOUT fell) */
    uint64_t reads;                /* conversions clocked out completely (25 pulses) */
    uint64_t missed_conversions;   /* conversions replaced before anyone read them */
    uint64_t pulses_not_ready;     /* PD_SCK pulses while DOUT was high (no data) */
    uint64_t long_pulses;          /* PD_SCK high longer than 50 µs (datasheet T3 max) */
    uint64_t power_downs;          /* PD_SCK high longer than 60 µs */
    uint64_t gain_changes;         /* 26 or 27 pulses: another channel or gain selected */
    uint64_t saturated;            /* conversions at a rail */
    uint64_t resets;               /* power-ups, watchdog resets and other chip resets */
    uint64_t led_toggles;
    /* Delay from a sample's data-ready edge to the host receiving its frame
     * (simulated time; includes waiting for the host's next 1 ms poll). */
    uint64_t latency_frames;
    uint64_t latency_unmatched;    /* frames whose sample was not found among recent conversions */
    double latency_max_ms, latency_mean_ms, latency_p99_ms;
    double rate_hz;                /* the HX711's actual output rate now */
} ltf_chip_stats;

/* Loads the ELF. Returns NULL and a one-line message when it cannot be
 * read, is not an AVR program, or was built for another chip. */
ltf_chip *ltf_chip_new(const ltf_chip_options *options, char *error, size_t error_size);
void ltf_chip_free(ltf_chip *chip);

/* The EEPROM (kept across power cycles). */
void ltf_chip_eeprom_read(ltf_chip *chip, uint8_t *buffer, size_t size);
void ltf_chip_eeprom_write(ltf_chip *chip, const uint8_t *buffer, size_t size);

/* Powers the chip up from reset (EEPROM kept) and enumerates it as a host
 * would: bus reset, descriptors, SET_ADDRESS, SET_CONFIGURATION 1. Returns 0,
 * or -1 with a message. */
int ltf_chip_power_up(ltf_chip *chip, ltf_enumeration *enumeration, char *error, size_t error_size);
/* Cuts the power: nothing runs until the next power-up. */
void ltf_chip_power_down(ltf_chip *chip);

/* Simulated microseconds since power-up. */
uint64_t ltf_chip_now_us(const ltf_chip *chip);
/* Runs the chip until `us` microseconds after power-up (no-op when past). */
void ltf_chip_run_until_us(ltf_chip *chip, uint64_t us);

/* A control transfer on endpoint 0: setup, data and status stages. IN: the
 * bytes received (at most wLength, `data` has room for wLength). OUT: 0.
 * -1: STALL (or the firmware did not answer). */
int ltf_chip_control(ltf_chip *chip, uint8_t bmRequestType, uint8_t bRequest, uint16_t wValue, uint16_t wIndex,
                     uint16_t wLength, uint8_t *data);

/* The host polls interrupt IN endpoint 0x81: the packet's length, or 0 (NAK). */
size_t ltf_chip_poll_in(ltf_chip *chip, uint8_t packet[64]);

/* 1 (once) when the firmware reset itself while enumerated (its watchdog)
 * and attached again: the host must see an unplug and a replug. */
int ltf_chip_take_restart(ltf_chip *chip);

ltf_chip_stats ltf_chip_get_stats(const ltf_chip *chip);

/* The Pro Micro HX711 firmware's serial-number record in EEPROM
 * (firmware-protocol/boards/pro-micro-hx711/src/settings.h). */
#define LTF_SERIAL_RECORD_ADDRESS 0x3E0
#define LTF_SERIAL_RECORD_BYTES 32
#define LTF_CALIBRATION_ADDRESS 0x000
#define LTF_CALIBRATION_BYTES 256
/* The record for `serial`: 0, or -1 when PROTOCOL.md §1 does not allow it. */
int ltf_serial_record(const char *serial, uint8_t record[LTF_SERIAL_RECORD_BYTES]);
/* The serial in a record: 0, or -1 when the record is erased or damaged. */
int ltf_serial_from_record(const uint8_t record[LTF_SERIAL_RECORD_BYTES], char serial[24]);

#ifdef __cplusplus
}
#endif
#endif
