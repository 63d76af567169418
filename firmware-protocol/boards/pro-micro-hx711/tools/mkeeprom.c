/*
 * mkeeprom SERIAL OUT.hex: the EEPROM image that sets a sensor's serial
 * number (the record of src/settings.h at 0x3E0), as Intel HEX for avrdude.
 * Only the record's 32 bytes are in the image, so the calibration area is
 * left as it is. Refuses a serial that PROTOCOL.md §1 does not allow.
 */
#include <stdio.h>

#include "settings.h"

static void hex_record(FILE *out, unsigned address, const unsigned char *bytes, unsigned n, unsigned type)
{
    unsigned sum = n + (address >> 8) + (address & 0xFFu) + type;
    unsigned i;
    fprintf(out, ":%02X%04X%02X", n, address, type);
    for (i = 0; i < n; i++) {
        fprintf(out, "%02X", bytes[i]);
        sum += bytes[i];
    }
    fprintf(out, "%02X\n", (0x100u - (sum & 0xFFu)) & 0xFFu);
}

int main(int argc, char **argv)
{
    unsigned char record[LTF_SERIAL_RECORD_SIZE];
    FILE *out;

    if (argc != 3) {
        fprintf(stderr, "usage: mkeeprom SERIAL OUT.hex\n");
        return 64;
    }
    if (ltf_serial_record_encode(argv[1], record) != 0) {
        fprintf(stderr, "mkeeprom: serial `%s` must be 1 to 23 characters of A-Z, a-z, 0-9, '.', '_' or '-'\n", argv[1]);
        return 65;
    }
    out = fopen(argv[2], "w");
    if (out == NULL) {
        perror(argv[2]);
        return 73;
    }
    hex_record(out, LTF_SERIAL_ADDRESS, record, 16u, 0u);
    hex_record(out, LTF_SERIAL_ADDRESS + 16u, record + 16, 16u, 0u);
    hex_record(out, 0u, record, 0u, 1u); /* end of file */
    if (fclose(out) != 0) {
        perror(argv[2]);
        return 74;
    }
    return 0;
}
