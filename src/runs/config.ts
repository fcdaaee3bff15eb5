// A run's configuration as the user wrote it.

/** The lab's statements by keyword, as written (for the run history's "config"). */
export function statementsOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let key: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trimEnd();
    const m = /^([a-z]+)\s+(.*)$/i.exec(line);
    if (m && /^\S/.test(line)) {
      key = m[1].toLowerCase();
      out[key] = m[2].trim();
    } else if (key && line.trim()) out[key] += ' ' + line.trim();
  }
  return out;
}
