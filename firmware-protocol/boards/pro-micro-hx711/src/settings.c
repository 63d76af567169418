#include "settings.h"

#include <string.h>

#include "lt_device.h"

static const uint8_t ltf_serial_magic[4] = { 'L', 'T', 'S', 'N' };

static int ltf_is_serial_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

int ltf_serial_is_valid(const char *serial)
{
    size_t n = 0;

    if (serial == NULL) {
        return 0;
    }
    while (n <= LTF_SERIAL_MAX && serial[n] != '\0') {
        if (!ltf_is_serial_char(serial[n])) {
            return 0;
        }
        n++;
    }
    return n >= 1u && n <= LTF_SERIAL_MAX;
}

static uint32_t ltf_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int ltf_serial_record_encode(const char *serial, uint8_t record[LTF_SERIAL_RECORD_SIZE])
{
    size_t n;
    uint32_t crc;

    if (!ltf_serial_is_valid(serial)) {
        return -1;
    }
    n = strlen(serial);
    memset(record, 0, LTF_SERIAL_RECORD_SIZE);
    memcpy(record, ltf_serial_magic, sizeof ltf_serial_magic);
    record[4] = (uint8_t)n;
    memcpy(record + 5, serial, n);
    crc = lt_crc32(record, 28u);
    record[28] = (uint8_t)(crc & 0xFFu);
    record[29] = (uint8_t)((crc >> 8) & 0xFFu);
    record[30] = (uint8_t)((crc >> 16) & 0xFFu);
    record[31] = (uint8_t)((crc >> 24) & 0xFFu);
    return 0;
}

int ltf_serial_record_decode(const uint8_t record[LTF_SERIAL_RECORD_SIZE], char serial[LTF_SERIAL_MAX + 1u])
{
    char text[LTF_SERIAL_MAX + 1u];
    uint8_t n = record[4];
    uint8_t i;

    if (memcmp(record, ltf_serial_magic, sizeof ltf_serial_magic) != 0 || n < 1u || n > LTF_SERIAL_MAX ||
        lt_crc32(record, 28u) != ltf_get_u32(record + 28)) {
        return -1;
    }
    for (i = 0; i < LTF_SERIAL_MAX; i++) {
        /* The characters after the serial must be padding. */
        if (i >= n && record[5 + i] != 0u) {
            return -1;
        }
    }
    memset(text, 0, sizeof text);
    memcpy(text, record + 5, n);
    if (!ltf_serial_is_valid(text)) {
        return -1;
    }
    memcpy(serial, text, sizeof text);
    return 0;
}
