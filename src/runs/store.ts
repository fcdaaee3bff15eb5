// Runs saved as JSON files, one per run, rewritten (atomically) after every epoch, so a cancelled, failed or
// crashed run keeps every epoch it finished.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from './record.js';

export class RunStore {
  constructor(readonly dir: string) {}

  save(run: RunRecord): void {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, `${run.id}.json`);
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(run));
    renameSync(tmp, path);
  }

  /** A run left 'running' that is not among `activeIds` was cut off by a crash or a closed editor: 'crashed'. */
  load(id: string, activeIds?: ReadonlySet<string>): RunRecord | undefined {
    let run: RunRecord;
    try {
      run = JSON.parse(readFileSync(join(this.dir, `${id}.json`), 'utf8')) as RunRecord;
    } catch {
      return undefined;
    }
    if (activeIds && run.status === 'running' && !activeIds.has(run.id)) run.status = 'crashed';
    return run;
  }

  /** Newest first. A run left 'running' by a crashed editor is reported as 'crashed'. */
  list(activeIds: ReadonlySet<string> = new Set()): RunRecord[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const runs = names.map((n) => this.load(n.slice(0, -5), activeIds)).filter((r): r is RunRecord => r !== undefined);
    return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  remove(id: string): void {
    rmSync(join(this.dir, `${id}.json`), { force: true });
  }
}

/** Sortable, unique enough for one workspace: 20261126-101500-ab12. */
export function newRunId(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}
