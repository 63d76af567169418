/*
 * simavr 1.6 (Debian's libsimavr-dev), wrapped once. No pkgConfig in the
 * target: simavr.pc requires libelf.pc, which Debian ships only with
 * libelf-dev, and nothing here calls libelf directly.
 *
 * AVR_IOCTL_DEF and the ioctl numbers built from it are function-like
 * macros, which Swift cannot import; they are given here as functions.
 */
#ifndef LIGHTTOUCH_CSIMAVR_SHIM_H
#define LIGHTTOUCH_CSIMAVR_SHIM_H

#include <simavr/sim_avr.h>
#include <simavr/sim_elf.h>
#include <simavr/sim_time.h>
#include <simavr/sim_cycle_timers.h>
#include <simavr/avr_ioport.h>
#include <simavr/avr_eeprom.h>
#include <simavr/avr_usb.h>

static inline uint32_t lt_simavr_ioctl_usb_read(void) { return AVR_IOCTL_USB_READ; }
static inline uint32_t lt_simavr_ioctl_usb_write(void) { return AVR_IOCTL_USB_WRITE; }
static inline uint32_t lt_simavr_ioctl_usb_setup(void) { return AVR_IOCTL_USB_SETUP; }
static inline uint32_t lt_simavr_ioctl_usb_reset(void) { return AVR_IOCTL_USB_RESET; }
static inline uint32_t lt_simavr_ioctl_usb_getirq(void) { return AVR_IOCTL_USB_GETIRQ(); }
static inline uint32_t lt_simavr_ioctl_eeprom_get(void) { return AVR_IOCTL_EEPROM_GET; }
static inline uint32_t lt_simavr_ioctl_eeprom_set(void) { return AVR_IOCTL_EEPROM_SET; }
static inline uint32_t lt_simavr_ioctl_ioport_getirq(char port) { return AVR_IOCTL_IOPORT_GETIRQ(port); }
static inline uint32_t lt_simavr_ioctl_ioport_set_external(char port) { return AVR_IOCTL_IOPORT_SET_EXTERNAL(port); }

#endif
