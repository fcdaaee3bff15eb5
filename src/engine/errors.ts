import type { SourceRange } from './spec.js';

/**
 * A mistake in what the user wrote: where it is, what was found, what is allowed. The command line prints
 * it as one line `file:line:column: message` and exits with code 2; the extension turns it into a diagnostic.
 */
export class LabError extends Error {
  constructor(
    message: string,
    readonly range?: SourceRange,
    readonly found?: string,
    readonly allowed?: string,
  ) {
    super(message);
    this.name = 'LabError';
  }

  /** `file:line:column: message (found X; allowed: Y)` */
  format(): string {
    const where = this.range ? `${this.range.file}:${this.range.line}:${this.range.column}: ` : '';
    const found = this.found !== undefined ? `; found ${this.found}` : '';
    const allowed = this.allowed !== undefined ? `; allowed: ${this.allowed}` : '';
    return `${where}${this.message}${found}${allowed}`;
  }
}
