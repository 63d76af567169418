/*
 * The firmware's own EEPROM serial-number record, compiled in here from the
 * firmware's source, so that `lighttouch-emulator --firmware --serial X`
 * sets a serial exactly as `make flash SERIAL=X` does: one implementation of
 * the record and of PROTOCOL.md's rule for serials.
 */
#include "ltf_chip.h"

#include "../../firmware-protocol/boards/pro-micro-hx711/src/settings.c"

int ltf_serial_record(const char *serial, uint8_t record[LTF_SERIAL_RECORD_BYTES])
{
    return ltf_serial_record_encode(serial, record);
}

int ltf_serial_from_record(const uint8_t record[LTF_SERIAL_RECORD_BYTES], char serial[24])
{
    return ltf_serial_record_decode(record, serial);
}
