/*
 * The firmware in the loop: simavr's ATmega32U4 running a sensor firmware,
 * a simulated HX711 on its pins, and the host side of its USB controller.
 *
 * The HX711 model follows its datasheet (Avia Semiconductor HX711,
 * "Serial Interface" and "Output settling time"): DOUT goes low when a
 * conversion is ready; each PD_SCK rising edge shifts out one bit, MSB
 * first; the 25th pulse sets DOUT high again and selects channel A at gain
 * 128 (26 and 27 pulses select other inputs, counted here as mistakes); a
 * PD_SCK high for more than 60 µs powers the chip down, and its return low
 * powers it up again with a settling time (400 ms at 10 SPS, 50 ms at 80);
 * output is saturated at 0x800000 and 0x7FFFFF. Its output rate comes from
 * its own oscillator, never exactly 10 or 80 Hz.
 *
 * The USB side follows what simavr 1.6's avr_usb.c does (FIELD-NOTES): a
 * SETUP shares endpoint 0's bank with OUT data, so the host waits ~2000
 * cycles after it; NAK means "run the chip a little and try again"; the host
 * reads whole 64-byte banks.
 */
#include "ltf_chip.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../CSimAVR/shim.h"

#define LTF_F_CPU 16000000u
#define LTF_US(c, us) ((avr_cycle_count_t)(us) * (LTF_F_CPU / 1000000u))

/* Pins (pins.h of the firmware). */
#define LTF_DOUT_PORT 'D'
#define LTF_DOUT_PIN 0
#define LTF_SCK_PORT 'D'
#define LTF_SCK_PIN 4
#define LTF_RATE_PORT 'C'
#define LTF_RATE_PIN 6
#define LTF_LED_PORT 'B'
#define LTF_LED_PIN 0

#define LTF_UEINTX 0xE8
#define LTF_UENUM 0xE9
#define LTF_RXSTPI 3

#define LTF_RING 64
#define LTF_LATENCY_BINS 400 /* 0.05 ms each, up to 20 ms */

typedef struct ltf_conversion {
    int32_t value;
    avr_cycle_count_t ready_at;
} ltf_conversion;

struct ltf_chip {
    avr_t *avr;
    elf_firmware_t *firmware;
    ltf_chip_options options;
    uint8_t eeprom[LTF_CHIP_EEPROM_SIZE];
    avr_irq_t *dout_irq;
    avr_cycle_count_t power_up_cycle;
    int powered;
    int attached;
    int configured;
    int hooked;
    int setup_taken;        /* the firmware cleared RXSTPI on endpoint 0 */
    int restarted;          /* the firmware re-attached by itself since the last look */

    /* The HX711. */
    int hx_powered;
    int hx_fast;            /* RATE pin high: 80 SPS */
    int sck;
    int dout;
    int has_data;           /* a conversion waits to be read (DOUT low) */
    int reading;            /* its bits are being clocked out */
    int pulses;             /* PD_SCK pulses since the read began */
    uint32_t code;          /* the 24-bit two's-complement output */
    int32_t value;
    avr_cycle_count_t rise_at;
    avr_cycle_count_t data_at;

    ltf_conversion ring[LTF_RING]; /* conversions read out, newest last */
    unsigned ring_count;
    unsigned ring_next;

    ltf_chip_stats stats;
    double latency_sum_ms;
    uint64_t latency_bins[LTF_LATENCY_BINS + 1];
};

/* simavr's log: only its errors, on stderr. */
static void ltf_logger(avr_t *avr, const int level, const char *format, va_list args)
{
    (void)avr;
    if (level > LOG_ERROR) return;
    fputs("lighttouch-emulator: simavr: ", stderr);
    vfprintf(stderr, format, args);
}

static void set_error(char *error, size_t size, const char *format, ...)
{
    va_list args;
    if (error == NULL || size == 0) return;
    va_start(args, format);
    vsnprintf(error, size, format, args);
    va_end(args);
}

static double ltf_seconds(const ltf_chip *c)
{
    return (double)(c->avr->cycle - c->power_up_cycle) / (double)LTF_F_CPU;
}

/* ---- the HX711 ---- */

static void hx_drive_dout(ltf_chip *c, int level)
{
    /* Held as an external drive: simavr re-derives input pins from the
     * pull-up on every PORT write, which would otherwise undo it. */
    avr_ioport_external_t external = { .name = LTF_DOUT_PORT, .mask = 1u << LTF_DOUT_PIN,
                                       .value = (unsigned)(level ? 1u : 0u) << LTF_DOUT_PIN };
    c->dout = level;
    avr_ioctl(c->avr, lt_simavr_ioctl_ioport_set_external(LTF_DOUT_PORT), &external);
    avr_raise_irq(c->dout_irq, (uint32_t)level);
}

static double hx_rate(const ltf_chip *c)
{
    return (c->hx_fast ? 80.0 : 10.0) * (1.0 + c->options.rate_error);
}

static avr_cycle_count_t hx_period(const ltf_chip *c)
{
    return (avr_cycle_count_t)((double)LTF_F_CPU / hx_rate(c) + 0.5);
}

static avr_cycle_count_t hx_conversion(avr_t *avr, avr_cycle_count_t when, void *param);
static avr_cycle_count_t hx_power_down(avr_t *avr, avr_cycle_count_t when, void *param);

/* Power-up, reset, wake-up or a new rate: no data until the output settles. */
static void hx_restart(ltf_chip *c)
{
    avr_cycle_count_t settle = LTF_US(c, c->hx_fast ? 50000u : 400000u);
    avr_cycle_timer_cancel(c->avr, hx_conversion, c);
    c->has_data = 0;
    c->reading = 0;
    c->pulses = 0;
    if (c->dout != 1) hx_drive_dout(c, 1);
    avr_cycle_timer_register(c->avr, settle, hx_conversion, c);
}

static avr_cycle_count_t hx_conversion(avr_t *avr, avr_cycle_count_t when, void *param)
{
    ltf_chip *c = param;
    (void)avr;
    if (!c->hx_powered) return 0;
    int32_t value = c->options.analog_counts != NULL ? c->options.analog_counts(c->options.ctx, ltf_seconds(c)) : 0;
    if (value >= 8388607) {
        value = 8388607;
        c->stats.saturated++;
    } else if (value <= -8388608) {
        value = -8388608;
        c->stats.saturated++;
    }
    c->stats.conversions++;
    if (c->reading) {
        /* The output register is busy being read: this conversion is lost. */
        c->stats.missed_conversions++;
    } else {
        if (c->has_data) c->stats.missed_conversions++; /* never read */
        c->value = value;
        c->code = (uint32_t)value & 0xFFFFFFu;
        c->has_data = 1;
        c->pulses = 0;
        c->data_at = when;
        if (c->dout != 0) hx_drive_dout(c, 0);
    }
    return when + hx_period(c);
}

static avr_cycle_count_t hx_power_down(avr_t *avr, avr_cycle_count_t when, void *param)
{
    ltf_chip *c = param;
    (void)avr;
    (void)when;
    if (c->sck && c->hx_powered) {
        c->hx_powered = 0;
        c->stats.power_downs++;
        avr_cycle_timer_cancel(c->avr, hx_conversion, c);
        c->has_data = 0;
        c->reading = 0;
        if (c->dout != 1) hx_drive_dout(c, 1);
    }
    return 0;
}

static void hx_remember(ltf_chip *c)
{
    c->ring[c->ring_next] = (ltf_conversion){ .value = c->value, .ready_at = c->data_at };
    c->ring_next = (c->ring_next + 1u) % LTF_RING;
    if (c->ring_count < LTF_RING) c->ring_count++;
}

static void hx_sck_changed(avr_irq_t *irq, uint32_t value, void *param)
{
    ltf_chip *c = param;
    (void)irq;
    int high = value != 0;
    if (!c->powered || high == c->sck) return;
    c->sck = high;
    avr_cycle_count_t now = c->avr->cycle;
    if (high) {
        c->rise_at = now;
        avr_cycle_timer_register(c->avr, LTF_US(c, 60u), hx_power_down, c);
        if (!c->hx_powered) return;
        if (c->has_data && !c->reading) {
            c->reading = 1;
            c->pulses = 0;
        }
        if (!c->reading) {
            if (c->pulses >= 25 && c->pulses < 27) {
                c->pulses++;
                c->stats.gain_changes++; /* pulse 26 or 27 of the last read */
            } else {
                c->stats.pulses_not_ready++;
            }
            return;
        }
        c->pulses++;
        if (c->pulses <= 24) {
            hx_drive_dout(c, (int)((c->code >> (24 - c->pulses)) & 1u)); /* MSB first */
        } else {
            /* The 25th pulse: DOUT back high, channel A gain 128 next. */
            hx_drive_dout(c, 1);
            c->reading = 0;
            c->has_data = 0;
            c->stats.reads++;
            hx_remember(c);
        }
    } else {
        avr_cycle_timer_cancel(c->avr, hx_power_down, c);
        if (now - c->rise_at > LTF_US(c, 50u)) c->stats.long_pulses++;
        if (!c->hx_powered) {
            /* PD_SCK low again: the chip resets and powers up (datasheet, "Power down"). */
            c->hx_powered = 1;
            hx_restart(c);
        }
    }
}

static void hx_rate_changed(avr_irq_t *irq, uint32_t value, void *param)
{
    ltf_chip *c = param;
    (void)irq;
    int fast = value != 0;
    if (!c->powered || fast == c->hx_fast) return;
    c->hx_fast = fast;
    if (c->hx_powered) hx_restart(c);
}

static void led_changed(avr_irq_t *irq, uint32_t value, void *param)
{
    ltf_chip *c = param;
    (void)irq;
    (void)value;
    if (c->powered) c->stats.led_toggles++;
}

static void usb_attach_changed(avr_irq_t *irq, uint32_t value, void *param)
{
    ltf_chip *c = param;
    (void)irq;
    c->attached = value != 0;
    if (value && c->configured) {
        /* Attaching again while configured: the chip was reset under us (the
         * watchdog: simavr resets it inside avr_run). A host sees the
         * device leave and come back, and enumerates it again. */
        c->configured = 0;
        c->restarted = 1;
        c->stats.resets++;
    }
}

/* The firmware writes UEINTX: clearing RXSTPI with endpoint 0 selected means
 * it has read the SETUP packet out of the bank (datasheet 7766J §22.12).
 * A real controller NAKs OUT data until then; simavr's does not, so the host
 * side waits for this before it sends any. */
static void ueintx_written(avr_t *avr, avr_io_addr_t addr, uint8_t value, void *param)
{
    ltf_chip *c = param;
    (void)addr;
    if (avr->data[LTF_UENUM] == 0 && (value & (1u << LTF_RXSTPI)) == 0) c->setup_taken = 1;
}

/* ---- the chip ---- */

/* An ELF header for the AVR (e_machine 83), or a message. */
static int check_elf(const char *path, char *error, size_t error_size)
{
    unsigned char header[20];
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        set_error(error, error_size, "cannot read the firmware %s", path);
        return -1;
    }
    size_t n = fread(header, 1, sizeof header, file);
    fclose(file);
    if (n < sizeof header || memcmp(header, "\x7f" "ELF", 4) != 0) {
        set_error(error, error_size, "%s is not an ELF file (give the .elf that make builds, not the .hex)", path);
        return -1;
    }
    unsigned machine = header[5] == 2 ? (unsigned)(header[18] << 8 | header[19]) : (unsigned)(header[18] | header[19] << 8);
    if (header[4] != 1 || machine != 83) {
        set_error(error, error_size, "%s is not an AVR program (ELF machine %u, AVR is 83)", path, machine);
        return -1;
    }
    return 0;
}

ltf_chip *ltf_chip_new(const ltf_chip_options *options, char *error, size_t error_size)
{
    if (options == NULL || options->firmware_path == NULL) {
        set_error(error, error_size, "no firmware given");
        return NULL;
    }
    if (check_elf(options->firmware_path, error, error_size) != 0) return NULL;
    avr_global_logger_set(ltf_logger);

    ltf_chip *c = calloc(1, sizeof *c);
    elf_firmware_t *firmware = calloc(1, sizeof *firmware);
    if (c == NULL || firmware == NULL) {
        free(c);
        free(firmware);
        set_error(error, error_size, "out of memory");
        return NULL;
    }
    c->firmware = firmware;
    c->options = *options;
    if (elf_read_firmware(options->firmware_path, firmware) != 0 || firmware->flashsize == 0) {
        set_error(error, error_size, "cannot load the firmware %s (no program in it)", options->firmware_path);
        ltf_chip_free(c);
        return NULL;
    }
    if (firmware->mmcu[0] != '\0' && strcmp(firmware->mmcu, "atmega32u4") != 0) {
        set_error(error, error_size, "%s is built for %s, not the atmega32u4", options->firmware_path, firmware->mmcu);
        ltf_chip_free(c);
        return NULL;
    }
    if (firmware->flashsize > 32768) {
        set_error(error, error_size, "%s does not fit the atmega32u4's 32 KB of flash", options->firmware_path);
        ltf_chip_free(c);
        return NULL;
    }
    c->avr = avr_make_mcu_by_name("atmega32u4");
    if (c->avr == NULL || avr_init(c->avr) != 0) {
        set_error(error, error_size, "simavr has no atmega32u4 model");
        ltf_chip_free(c);
        return NULL;
    }
    c->avr->log = LOG_ERROR;
    firmware->frequency = LTF_F_CPU;
    strcpy(firmware->mmcu, "atmega32u4");
    avr_load_firmware(c->avr, firmware);
    c->avr->frequency = LTF_F_CPU;
    memset(c->eeprom, 0xFF, sizeof c->eeprom);
    return c;
}

void ltf_chip_free(ltf_chip *c)
{
    if (c == NULL) return;
    if (c->avr != NULL) {
        avr_terminate(c->avr);
        free(c->avr);
    }
    if (c->firmware != NULL) {
        free(c->firmware->flash);
        free(c->firmware->eeprom);
        free(c->firmware);
    }
    free(c);
}

static void chip_eeprom_save(ltf_chip *c)
{
    uint8_t bytes[LTF_CHIP_EEPROM_SIZE];
    avr_eeprom_desc_t desc = { .ee = bytes, .offset = 0, .size = LTF_CHIP_EEPROM_SIZE };
    memset(bytes, 0xFF, sizeof bytes);
    /* simavr copies into `ee`; avr_ioctl's result does not say whether the
     * EEPROM module answered (it returned -1 here although it had), so it is
     * not checked. */
    avr_ioctl(c->avr, lt_simavr_ioctl_eeprom_get(), &desc);
    memcpy(c->eeprom, bytes, LTF_CHIP_EEPROM_SIZE);
}

static void chip_eeprom_load(ltf_chip *c)
{
    avr_eeprom_desc_t desc = { .ee = c->eeprom, .offset = 0, .size = LTF_CHIP_EEPROM_SIZE };
    avr_ioctl(c->avr, lt_simavr_ioctl_eeprom_set(), &desc);
}

void ltf_chip_eeprom_read(ltf_chip *c, uint8_t *buffer, size_t size)
{
    if (c->powered) chip_eeprom_save(c);
    memcpy(buffer, c->eeprom, size < LTF_CHIP_EEPROM_SIZE ? size : LTF_CHIP_EEPROM_SIZE);
}

void ltf_chip_eeprom_write(ltf_chip *c, const uint8_t *buffer, size_t size)
{
    memcpy(c->eeprom, buffer, size < LTF_CHIP_EEPROM_SIZE ? size : LTF_CHIP_EEPROM_SIZE);
    if (c->powered) chip_eeprom_load(c);
}

uint64_t ltf_chip_now_us(const ltf_chip *c)
{
    return (uint64_t)((c->avr->cycle - c->power_up_cycle) / (LTF_F_CPU / 1000000u));
}

static void run_cycles(ltf_chip *c, avr_cycle_count_t cycles)
{
    avr_cycle_count_t target = c->avr->cycle + cycles;
    while (c->powered && c->avr->cycle < target) {
        int state = avr_run(c->avr);
        if (state == cpu_Done || state == cpu_Crashed) {
            /* Stopped for good (or a watchdog reset simavr could not do): reset it. */
            c->stats.resets++;
            avr_reset(c->avr);
            chip_eeprom_load(c);
            c->configured = 0;
        }
    }
}

void ltf_chip_run_until_us(ltf_chip *c, uint64_t us)
{
    avr_cycle_count_t target = c->power_up_cycle + (avr_cycle_count_t)us * (LTF_F_CPU / 1000000u);
    if (c->powered && c->avr->cycle < target) run_cycles(c, target - c->avr->cycle);
}

/* ---- host side of the USB controller ---- */

/* Whether the firmware has enabled endpoint `ep` (UECONX.EPEN), read through
 * simavr's own UECONX handler with UENUM switched for the read. simavr
 * printf()s a warning on stdout (the command's stdout) when the host side
 * touches a disabled endpoint, which a chip that just reset has. */
#define LTF_UECONX 0xEB
static int usb_endpoint_enabled(ltf_chip *c, uint8_t ep)
{
    avr_t *avr = c->avr;
    avr_io_addr_t io = AVR_DATA_TO_IO(LTF_UECONX);
    uint8_t saved = avr->data[LTF_UENUM];
    uint8_t value;
    avr->data[LTF_UENUM] = ep;
    value = avr->io[io].r.c != NULL ? avr->io[io].r.c(avr, LTF_UECONX, avr->io[io].r.param) : avr->data[LTF_UECONX];
    avr->data[LTF_UENUM] = saved;
    return (value & 1u) != 0;
}

static int usb_io(ltf_chip *c, uint32_t ioctl, uint8_t pipe, uint8_t *buffer, uint32_t *size)
{
    if (ioctl != lt_simavr_ioctl_usb_reset() && !usb_endpoint_enabled(c, pipe & 0x7Fu)) {
        return AVR_IOCTL_USB_STALL; /* nobody answers on a disabled endpoint */
    }
    struct avr_io_usb io = { .pipe = pipe, .sz = *size, .buf = buffer };
    int r = avr_ioctl(c->avr, ioctl, &io);
    *size = io.sz;
    return r;
}

/* Retries a transaction the firmware NAKs, running the chip in between, for
 * at most 100 ms of simulated time. Returns simavr's result (or NAK). */
static int usb_transaction(ltf_chip *c, uint32_t ioctl, uint8_t pipe, uint8_t *buffer, uint32_t *size)
{
    uint32_t wanted = *size;
    for (int attempt = 0; attempt < 2000; attempt++) {
        *size = wanted;
        int r = usb_io(c, ioctl, pipe, buffer, size);
        if (r != AVR_IOCTL_USB_NAK) return r;
        run_cycles(c, 800); /* 50 µs */
        if (!c->powered) break;
    }
    return AVR_IOCTL_USB_NAK;
}

int ltf_chip_control(ltf_chip *c, uint8_t bmRequestType, uint8_t bRequest, uint16_t wValue, uint16_t wIndex,
                     uint16_t wLength, uint8_t *data)
{
    if (!c->powered) return -1;
    uint8_t setup[8] = { bmRequestType, bRequest, (uint8_t)wValue, (uint8_t)(wValue >> 8),
                         (uint8_t)wIndex, (uint8_t)(wIndex >> 8), (uint8_t)wLength, (uint8_t)(wLength >> 8) };
    uint32_t size = sizeof setup;
    uint8_t packet[64];
    int result = 0;
    c->setup_taken = 0;
    if (usb_io(c, lt_simavr_ioctl_usb_setup(), 0, setup, &size) != 0) return -1;
    /* The SETUP shares the bank with OUT data: wait until the firmware has
     * taken it (at most 100 ms), as a real controller's NAKs would. */
    for (int waited = 0; !c->setup_taken && waited < 8000 && c->powered; waited++) run_cycles(c, 200);
    if (!c->setup_taken) return -1;

    if (bmRequestType & 0x80) {
        int got = 0;
        while (got < wLength) {
            size = sizeof packet;
            int r = usb_transaction(c, lt_simavr_ioctl_usb_read(), 0x80, packet, &size);
            if (r != 0) return -1; /* STALL, or no answer */
            int n = (int)size;
            int room = wLength - got;
            memcpy(data + got, packet, (size_t)(n < room ? n : room));
            got += n < room ? n : room;
            if (n < 64) break;
        }
        size = 0;
        if (usb_transaction(c, lt_simavr_ioctl_usb_write(), 0, packet, &size) != 0) return -1;
        result = got;
    } else {
        int sent = 0;
        while (sent < wLength) {
            int n = wLength - sent < 64 ? wLength - sent : 64;
            memcpy(packet, data + sent, (size_t)n);
            size = (uint32_t)n;
            if (usb_transaction(c, lt_simavr_ioctl_usb_write(), 0, packet, &size) != 0) return -1;
            sent += n;
            run_cycles(c, 1000);
        }
        size = sizeof packet;
        if (usb_transaction(c, lt_simavr_ioctl_usb_read(), 0x80, packet, &size) != 0) return -1;
    }
    run_cycles(c, 1000); /* the firmware finishes its status stage */
    return result;
}

static void record_latency(ltf_chip *c, const uint8_t *packet, size_t length)
{
    if (length < 20 || packet[12] != 1 || (packet[14] & 0x02)) return; /* one channel; not ADC_NOT_READY */
    uint32_t raw = (uint32_t)packet[16] | (uint32_t)packet[17] << 8 | (uint32_t)packet[18] << 16;
    int32_t value = (raw & 0x800000u) ? (int32_t)(raw | 0xFF000000u) : (int32_t)raw;
    for (unsigned i = 0; i < c->ring_count; i++) {
        const ltf_conversion *conversion = &c->ring[(c->ring_next + LTF_RING - 1u - i) % LTF_RING];
        if (conversion->value != value) continue;
        double ms = (double)(c->avr->cycle - conversion->ready_at) * 1000.0 / LTF_F_CPU;
        c->stats.latency_frames++;
        c->latency_sum_ms += ms;
        if (ms > c->stats.latency_max_ms) c->stats.latency_max_ms = ms;
        unsigned bin = (unsigned)(ms / 0.05);
        c->latency_bins[bin < LTF_LATENCY_BINS ? bin : LTF_LATENCY_BINS]++;
        return;
    }
    c->stats.latency_unmatched++;
}

size_t ltf_chip_poll_in(ltf_chip *c, uint8_t packet[64])
{
    if (!c->powered || !c->configured) return 0;
    uint32_t size = 64;
    if (usb_io(c, lt_simavr_ioctl_usb_read(), 0x81, packet, &size) != 0) return 0;
    if (size > 64) size = 64;
    record_latency(c, packet, size);
    return size;
}

int ltf_chip_take_restart(ltf_chip *c)
{
    int restarted = c->restarted;
    c->restarted = 0;
    return restarted;
}

ltf_chip_stats ltf_chip_get_stats(const ltf_chip *c)
{
    ltf_chip_stats stats = c->stats;
    if (stats.latency_frames > 0) {
        stats.latency_mean_ms = c->latency_sum_ms / (double)stats.latency_frames;
        uint64_t limit = (stats.latency_frames * 99 + 99) / 100, seen = 0;
        for (unsigned bin = 0; bin <= LTF_LATENCY_BINS; bin++) {
            seen += c->latency_bins[bin];
            if (seen >= limit) {
                stats.latency_p99_ms = (bin + 1) * 0.05;
                break;
            }
        }
    }
    stats.rate_hz = hx_rate(c);
    return stats;
}

/* ---- power ---- */

static void hook_pins(ltf_chip *c)
{
    if (c->hooked) return;
    c->hooked = 1;
    c->dout_irq = avr_io_getirq(c->avr, lt_simavr_ioctl_ioport_getirq(LTF_DOUT_PORT), LTF_DOUT_PIN);
    avr_irq_register_notify(avr_io_getirq(c->avr, lt_simavr_ioctl_ioport_getirq(LTF_SCK_PORT), LTF_SCK_PIN),
                            hx_sck_changed, c);
    avr_irq_register_notify(avr_io_getirq(c->avr, lt_simavr_ioctl_ioport_getirq(LTF_RATE_PORT), LTF_RATE_PIN),
                            hx_rate_changed, c);
    avr_irq_register_notify(avr_io_getirq(c->avr, lt_simavr_ioctl_ioport_getirq(LTF_LED_PORT), LTF_LED_PIN),
                            led_changed, c);
    avr_irq_register_notify(avr_io_getirq(c->avr, lt_simavr_ioctl_usb_getirq(), USB_IRQ_ATTACH), usb_attach_changed,
                            c);
    avr_register_io_write(c->avr, LTF_UEINTX, ueintx_written, c);
}

static int get_string(ltf_chip *c, uint8_t index, char *out, size_t size)
{
    uint8_t buffer[255];
    out[0] = '\0';
    if (index == 0) return 0;
    int n = ltf_chip_control(c, 0x80, 0x06, (uint16_t)(0x0300 | index), 0x0409, sizeof buffer, buffer);
    if (n < 2 || buffer[1] != 0x03) return -1;
    size_t chars = 0;
    for (int i = 2; i + 1 < n && i < buffer[0] && chars + 1 < size; i += 2) {
        out[chars++] = buffer[i + 1] == 0 && buffer[i] >= 0x20 && buffer[i] < 0x7F ? (char)buffer[i] : '?';
    }
    out[chars] = '\0';
    return 0;
}

int ltf_chip_power_up(ltf_chip *c, ltf_enumeration *e, char *error, size_t error_size)
{
    hook_pins(c);
    c->powered = 0;
    c->configured = 0;
    c->attached = 0;
    c->restarted = 0;
    avr_cycle_timer_cancel(c->avr, hx_conversion, c);
    avr_cycle_timer_cancel(c->avr, hx_power_down, c);
    avr_reset(c->avr);
    chip_eeprom_load(c);
    c->stats.resets++;
    c->power_up_cycle = c->avr->cycle;
    c->powered = 1;
    /* The HX711 powers up with the board, RATE low until the firmware drives it. */
    c->sck = 0;
    c->hx_fast = 0;
    c->hx_powered = 1;
    c->dout = -1;
    hx_restart(c);

    /* The firmware attaches (clears DETACH); the host resets the bus. */
    while (!c->attached && ltf_chip_now_us(c) < 1000000u && c->powered) run_cycles(c, LTF_US(c, 100u));
    if (!c->attached) {
        set_error(error, error_size, "the firmware did not attach to the USB bus within 1 s of power-up");
        return -1;
    }
    run_cycles(c, LTF_US(c, 1000u));
    uint32_t none = 0;
    usb_io(c, lt_simavr_ioctl_usb_reset(), 0, NULL, &none);
    run_cycles(c, LTF_US(c, 1000u));

    memset(e, 0, sizeof *e);
    uint8_t device[64], configuration[255];
    int n = ltf_chip_control(c, 0x80, 0x06, 0x0100, 0, 64, device);
    if (n != 18 || device[0] != 18 || device[1] != 0x01) {
        set_error(error, error_size, "the firmware's device descriptor is missing or malformed (%d bytes)", n);
        return -1;
    }
    if (ltf_chip_control(c, 0x00, 0x05, 2, 0, 0, NULL) != 0) {
        set_error(error, error_size, "the firmware refused SET_ADDRESS");
        return -1;
    }
    int m = ltf_chip_control(c, 0x80, 0x06, 0x0200, 0, sizeof configuration, configuration);
    if (m < 9 || configuration[1] != 0x02 || m != (configuration[2] | configuration[3] << 8) ||
        (size_t)(18 + m) > sizeof e->descriptors) {
        set_error(error, error_size, "the firmware's configuration descriptor is missing or malformed (%d bytes)", m);
        return -1;
    }
    memcpy(e->descriptors, device, 18);
    memcpy(e->descriptors + 18, configuration, (size_t)m);
    e->descriptors_length = (size_t)(18 + m);
    e->vendor_id = (uint16_t)(device[8] | device[9] << 8);
    e->product_id = (uint16_t)(device[10] | device[11] << 8);
    e->bcd_device = (uint16_t)(device[12] | device[13] << 8);
    if (get_string(c, device[14], e->manufacturer, sizeof e->manufacturer) != 0 ||
        get_string(c, device[15], e->product, sizeof e->product) != 0 ||
        get_string(c, device[16], e->serial, sizeof e->serial) != 0) {
        set_error(error, error_size, "the firmware's string descriptors are missing or malformed");
        return -1;
    }
    if (e->serial[0] == '\0') {
        set_error(error, error_size, "the firmware has no iSerialNumber (PROTOCOL.md §1 requires one)");
        return -1;
    }
    if (ltf_chip_control(c, 0x00, 0x09, 1, 0, 0, NULL) != 0) {
        set_error(error, error_size, "the firmware refused SET_CONFIGURATION 1");
        return -1;
    }
    c->configured = 1;
    return 0;
}

void ltf_chip_power_down(ltf_chip *c)
{
    if (c->powered) chip_eeprom_save(c);
    c->powered = 0;
    c->configured = 0;
    c->attached = 0;
}
