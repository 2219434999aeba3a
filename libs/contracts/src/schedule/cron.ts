import { CronExpressionParser } from 'cron-parser';

/** Whether `zone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why `expression` is not a cron expression we run, or undefined when it is: five fields (minute,
 * hour, day of month, month, day of week), as crontab(5) writes them. cron-parser also takes a sixth
 * (seconds) field and fewer fields; we refuse both so a schedule fires at most once a minute and
 * means what a crontab line means.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5)
    return `must have 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC', strict: false });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** The first time of a cron expression in a time zone strictly after `after`. */
export function nextCronTime(expression: string, timezone: string, after: Date): Date {
  return CronExpressionParser.parse(expression, { tz: timezone, currentDate: after })
    .next()
    .toDate();
}

/** The last time of a cron expression in a time zone at or before `at`. */
export function prevCronTime(expression: string, timezone: string, at: Date): Date {
  // cron-parser's prev() is strictly before its current date: start a millisecond later.
  return CronExpressionParser.parse(expression, {
    tz: timezone,
    currentDate: new Date(at.getTime() + 1),
  })
    .prev()
    .toDate();
}
