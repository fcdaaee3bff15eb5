// Tokenizer for .dlab lab files. Positions are 1-based lines and columns counted in UTF-16 code units, the
// unit VS Code's Position uses, so ranges can become diagnostics unchanged.

import { LabError } from '../../engine/errors.js';
import type { SourceRange } from '../../engine/spec.js';

export type TokenKind = 'ident' | 'number' | 'arrow' | 'equals' | 'comma' | 'lparen' | 'rparen' | 'newline' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token ('' for eof, '\n' for newline). */
  text: string;
  /** Numbers only: the parsed value. */
  value?: number;
  line: number;
  column: number;
  /** Exclusive end column on the same line (tokens never span lines). */
  endColumn: number;
  /** Offsets into the source text, for slicing out what the user wrote. */
  start: number;
  end: number;
}

export interface TokenizeResult {
  tokens: Token[];
  errors: LabError[];
}

// Letters of any script (so `σ` and `λ` are names), digits after the first character, and underscores.
const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_]/u;
// A decimal number with optional fraction and exponent; the sign is handled by the caller.
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

export function tokenRange(file: string, first: Token, last: Token = first): SourceRange {
  return { file, line: first.line, column: first.column, endLine: last.line, endColumn: last.endColumn };
}

export function tokenize(text: string, file: string): TokenizeResult {
  const tokens: Token[] = [];
  const errors: LabError[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const push = (kind: TokenKind, start: number, end: number, value?: number): void => {
    tokens.push({
      kind,
      text: text.slice(start, end),
      value,
      line,
      column: start - lineStart + 1,
      endColumn: end - lineStart + 1,
      start,
      end,
    });
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n' || c === '\r') {
      // \r\n, \n and a lone \r each end one line.
      const end = c === '\r' && text[i + 1] === '\n' ? i + 2 : i + 1;
      push('newline', i, end);
      i = end;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v' || c === '\uFEFF') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (c === '=' && text[i + 1] === '>') {
      push('arrow', i, i + 2);
      i += 2;
      continue;
    }
    if (c === '=') { push('equals', i, i + 1); i++; continue; }
    if (c === ',') { push('comma', i, i + 1); i++; continue; }
    if (c === '(') { push('lparen', i, i + 1); i++; continue; }
    if (c === ')') { push('rparen', i, i + 1); i++; continue; }

    const signed = c === '-' || c === '+';
    NUMBER.lastIndex = signed ? i + 1 : i;
    const m = NUMBER.exec(text);
    if (m && (signed || /[\d.]/.test(c))) {
      const end = NUMBER.lastIndex;
      // A number glued to letters (`3x`, `1e`) is a typo rather than two tokens.
      if (end < text.length && IDENT_PART.test(text[end]!)) {
        let stop = end;
        while (stop < text.length && IDENT_PART.test(text[stop]!)) stop++;
        errors.push(new LabError(`malformed number '${text.slice(i, stop)}'`, rangeAt(file, line, i - lineStart + 1, stop - lineStart + 1),
          text.slice(i, stop), 'numbers such as 3, -0.5, 1e-3'));
        i = stop;
        continue;
      }
      push('number', i, end, Number(text.slice(i, end)));
      i = end;
      continue;
    }
    if (IDENT_START.test(c)) {
      let end = i + 1;
      while (end < text.length && IDENT_PART.test(text[end]!)) end++;
      push('ident', i, end);
      i = end;
      continue;
    }

    // Take a whole surrogate pair so the message shows the character, not half of it.
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const ch = text.slice(i, i + width);
    errors.push(new LabError(`unexpected character '${ch}'`, rangeAt(file, line, i - lineStart + 1, i - lineStart + 1 + width), ch,
      "names, numbers, '(', ')', ',', '=', '=>' and '#' comments"));
    i += width;
  }
  tokens.push({ kind: 'eof', text: '', line, column: i - lineStart + 1, endColumn: i - lineStart + 1, start: i, end: i });
  return { tokens, errors };
}

function rangeAt(file: string, line: number, column: number, endColumn: number): SourceRange {
  return { file, line, column, endLine: line, endColumn };
}
