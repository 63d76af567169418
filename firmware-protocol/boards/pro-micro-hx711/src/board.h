/*
 * The few functions through which the firmware touches the chip: pins, the
 * microsecond timer, the EEPROM and interrupts. board_avr.c implements them
 * for the ATmega32U4; the host tests (tests/) implement them with fakes, so
 * that everything above this line builds and is tested on a PC too.
 */
#ifndef LTF_BOARD_H
#define LTF_BOARD_H

#include <stdint.h>

/* Sets up clocks, pins, the timer, the HX711 data-ready interrupt and the
 * watchdog (ATmega32U4 only). */
void board_init(void);

/* The free-running 32-bit device clock, microseconds (PROTOCOL.md §2.1). */
uint32_t board_clock_us(void);

/* HX711 pins (HX711 datasheet, "Serial Interface"). */
void board_hx711_sck(uint8_t high);
uint8_t board_hx711_dout(void);
/* Waits about 1 µs: PD_SCK's high and low times must be at least 0.2 µs,
 * and its high time under 50 µs. */
void board_hx711_half_period(void);
/* RATE pin: 0 = 10 samples/s, 1 = 80 samples/s (no-op when hard-wired). */
void board_hx711_rate(uint8_t fast);
/* Data-ready interrupt (DOUT falling edge): disable around a read (the data
 * bits toggle DOUT), then re-arm with the pending edge forgotten. */
void board_hx711_ready_irq(uint8_t enabled);

/* Interrupts off; returns the previous state for board_irq_restore. */
uint8_t board_irq_save(void);
void board_irq_restore(uint8_t state);

/* The board LED (IDENTIFY). */
void board_led(uint8_t on);

/* EEPROM (1024 bytes on the ATmega32U4). Writes are byte by byte and only
 * where the byte differs; each one resets the watchdog (3.3 ms a byte). */
void board_eeprom_read(uint16_t address, uint8_t *buffer, uint16_t length);
void board_eeprom_write(uint16_t address, const uint8_t *buffer, uint16_t length);
void board_eeprom_fill(uint16_t address, uint8_t value, uint16_t length);

/* Keeps the watchdog from resetting the chip. */
void board_watchdog_kick(void);

#endif
