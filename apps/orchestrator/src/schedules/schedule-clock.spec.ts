import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OffsetFileScheduleClock,
  ScheduleClockFileError,
  scheduleClockFor,
  SystemScheduleClock,
} from './schedule-clock.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-schedule-clock-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A clock on `file` whose wall clock stands still at 2026-11-25T10:00:00Z. */
const WALL = Date.parse('2026-11-25T10:00:00Z');
const clockOn = (file: string) => new OffsetFileScheduleClock(file, () => WALL);
const fileWith = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe(OffsetFileScheduleClock.name, () => {
  it('adds the offset in the file to the wall clock', () => {
    const clock = clockOn(fileWith('ahead', '90000\n'));
    expect(clock.now()).toEqual(new Date('2026-11-25T10:01:30Z'));
    expect(clockOn(fileWith('behind', '-60000')).now()).toEqual(new Date('2026-11-25T09:59:00Z'));
  });

  it('reads the file at every reading: a rewritten file moves the next one', () => {
    const file = fileWith('moving', '0');
    const clock = clockOn(file);
    expect(clock.now()).toEqual(new Date(WALL));
    writeFileSync(file, '3600000');
    expect(clock.now()).toEqual(new Date('2026-11-25T11:00:00Z'));
  });

  it('is the wall clock while the file does not exist', () => {
    expect(clockOn(join(dir, 'absent')).now()).toEqual(new Date(WALL));
  });

  it.each([
    ['empty', ''],
    ['a word', 'soon'],
    ['a fraction', '1.5'],
    ['a date', '2026-11-25T10:00:00Z'],
    ['a number with a unit', '60000ms'],
    ['too many digits', '12345678901234'],
  ])(
    'refuses a file holding %s with an error naming SCHEDULE_CLOCK_FILE, never offset 0',
    (name, text) => {
      const file = fileWith(name.replaceAll(' ', '-'), text);
      const reading = () => clockOn(file).now();
      expect(reading).toThrow(ScheduleClockFileError);
      expect(reading).toThrow(
        `SCHEDULE_CLOCK_FILE (${file}) must hold an offset in milliseconds, an integer such as 60000; it holds ${JSON.stringify(text)}`,
      );
    },
  );

  it('refuses a path it cannot read (a directory), naming SCHEDULE_CLOCK_FILE', () => {
    const file = join(dir, 'a-directory');
    mkdirSync(file);
    expect(() => clockOn(file).now()).toThrow(
      new RegExp(`^SCHEDULE_CLOCK_FILE \\(${file}\\) cannot be read: EISDIR`),
    );
  });
});

describe(scheduleClockFor.name, () => {
  it('runs the system clock when SCHEDULE_CLOCK_FILE is unset', () => {
    const clock = scheduleClockFor({});
    expect(clock).toBeInstanceOf(SystemScheduleClock);
    const before = Date.now();
    const now = clock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('runs the file clock when it is set, saying so in the log', () => {
    const file = fileWith('configured', '120000');
    const logger = { warn: jest.fn() };
    const clock = scheduleClockFor({ SCHEDULE_CLOCK_FILE: file }, logger);
    expect(clock).toBeInstanceOf(OffsetFileScheduleClock);
    expect(logger.warn).toHaveBeenCalledWith(
      { file, offsetMs: 120_000 },
      expect.stringContaining('for tests only'),
    );
  });

  it('fails at once (at boot) on a malformed file, not at the first tick', () => {
    const file = fileWith('malformed', 'tomorrow');
    expect(() => scheduleClockFor({ SCHEDULE_CLOCK_FILE: file })).toThrow(
      /^SCHEDULE_CLOCK_FILE \(.*\) must hold an offset in milliseconds/,
    );
  });
});
