// A diagnosis: which rule, how serious, where, why, and the edits that fix it. Static rules (over the Model IR)
// and, later, dynamic ones (over run records) report the same shape.
import type { SourceRange } from '../engine/spec.js';

export type Severity = 'error' | 'warning' | 'info';

export interface TextEdit {
  range: SourceRange;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
}

export interface Finding {
  /** Stable id, e.g. 'softmax-before-crossentropy'. */
  id: string;
  severity: Severity;
  message: string;
  range?: SourceRange;
  /** Concept card that explains it (Goodfellow section or card id). */
  concept?: string;
  fixes: Fix[];
}
