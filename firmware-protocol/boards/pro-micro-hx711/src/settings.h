/*
 * What the sensor keeps in its EEPROM (1024 bytes on the ATmega32U4):
 *
 *   0x000-0x0FF  the calibration area (PROTOCOL.md §5), 256 bytes, erased = 0xFF
 *   0x3E0-0x3FF  the serial number record, written when flashing
 *                (`make flash SERIAL=LT-0042`):
 *                  0  4 bytes  magic "LTSN"
 *                  4  u8       length n (1-23)
 *                  5  23 bytes the serial, ASCII, NUL-padded
 *                 28  u32      CRC-32 (PROTOCOL.md §3) of bytes 0-27, little endian
 *
 * The two never overlap, so setting the serial keeps the calibration.
 */
#ifndef LTF_SETTINGS_H
#define LTF_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#define LTF_EEPROM_SIZE 1024u
#define LTF_CAL_ADDRESS 0x000u
#define LTF_CAL_SIZE 256u
#define LTF_SERIAL_ADDRESS 0x3E0u
#define LTF_SERIAL_RECORD_SIZE 32u
#define LTF_SERIAL_MAX 23u

/* 1 when `serial` is 1 to 23 characters of [A-Za-z0-9._-] (PROTOCOL.md §1). */
int ltf_serial_is_valid(const char *serial);

/* Builds the 32-byte record for `serial`. Returns 0, or -1 for an invalid
 * serial (nothing written). */
int ltf_serial_record_encode(const char *serial, uint8_t record[LTF_SERIAL_RECORD_SIZE]);

/* Reads a record: copies the serial (NUL-terminated, at most 23 characters)
 * into `serial` (24 bytes) and returns 0, or returns -1 when the record is
 * erased, damaged or holds an invalid serial. */
int ltf_serial_record_decode(const uint8_t record[LTF_SERIAL_RECORD_SIZE], char serial[LTF_SERIAL_MAX + 1u]);

#endif
