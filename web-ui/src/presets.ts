// Duration presets for an override, in the browser's local time (the school's): "this lesson",
// "today" (to midnight), "this week" (to the end of Sunday). Pure: `now` is passed in, so the
// presets are unit-tested with fixed dates. Each is capped at the configured maximum.

export interface Preset {
  id: 'lesson' | 'today' | 'week';
  label: string;
  /** epoch ms the override ends */
  until: number;
}

export const LESSON_MINUTES = 60;

function endOfDay(now: number): number {
  const d = new Date(now);
  d.setHours(24, 0, 0, 0);
  return d.getTime();
}

function endOfWeek(now: number): number {
  const d = new Date(now);
  // getDay(): 0 = Sunday; the week ends at the midnight after Sunday.
  const daysLeft = (7 - d.getDay()) % 7;
  d.setDate(d.getDate() + daysLeft);
  d.setHours(24, 0, 0, 0);
  return d.getTime();
}

export function overridePresets(now: number, maxSeconds: number, lessonMinutes = LESSON_MINUTES): Preset[] {
  const cap = (t: number) => Math.min(t, now + maxSeconds * 1000);
  return [
    { id: 'lesson', label: `This lesson (${lessonMinutes} min)`, until: cap(now + lessonMinutes * 60_000) },
    { id: 'today', label: 'Today', until: cap(endOfDay(now)) },
    { id: 'week', label: 'This week', until: cap(endOfWeek(now)) },
  ];
}

/** "7d", "1h30m", "600s" → seconds (the config's duration syntax); undefined when unreadable. */
export function durationSeconds(text: string | undefined): number | undefined {
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const re = /(\d+)\s*([smhdw])/gy;
  const t = (text ?? '').trim();
  let total = 0;
  let matched = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * units[m[2]];
    matched = re.lastIndex;
  }
  return matched === t.length && matched > 0 ? total : undefined;
}
