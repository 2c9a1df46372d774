// Calendar helpers for the root's day boundary (limits and quotas). Intl does the time zone math.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

// Formatting a date is slow next to everything else a request does, and a day can only change on a
// whole minute (time zone offsets are multiples of 15 minutes): remember the last minute per zone.
const lastMinute = new Map<string, { minute: number; day: string }>();

/** `YYYY-MM-DD` of the instant `ms` in `timeZone`. */
export function dayIn(timeZone: string, ms: number): string {
  const minute = Math.floor(ms / 60_000);
  const hit = lastMinute.get(timeZone);
  if (hit?.minute === minute) return hit.day;
  const day = formatter(timeZone).format(ms);
  lastMinute.set(timeZone, { minute, day });
  return day;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at the instant `ms`, in milliseconds (east positive). */
function offsetAt(timeZone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(ms);
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return local - Math.floor(ms / 1000) * 1000;
}

/** The instant `YYYY-MM-DD` begins in `timeZone` (midnight, or the first instant after a gap). */
export function startOfDayIn(timeZone: string, day: string): number {
  const utcMidnight = Date.parse(`${day}T00:00:00Z`);
  // Two steps: the offset at the first guess can differ from the offset at the answer (DST).
  const guess = utcMidnight - offsetAt(timeZone, utcMidnight);
  return utcMidnight - offsetAt(timeZone, guess);
}
