// The syntax layer of the lab reader: groups tokens into statements and parses each into a small, uniform
// tree (names, numbers, calls, `IN => OUT` pairs, keyword arguments). What the names mean is checked later,
// in parser.ts, so syntax stays the same for every statement and errors can be reported per statement.

import { LabError } from '../../engine/errors.js';
import type { SourceRange } from '../../engine/spec.js';
import { tokenRange, type Token } from './tokenizer.js';

export const STATEMENTS = ['data', 'split', 'model', 'loss', 'optimizer', 'regularize', 'schedule', 'init', 'train'] as const;
export type StatementName = (typeof STATEMENTS)[number];

export type Expr = NumberExpr | NameExpr | CallExpr | PairExpr;

interface ExprBase {
  range: SourceRange;
  /** Offsets into the source, so errors can quote what was written. */
  start: number;
  end: number;
}

export interface NumberExpr extends ExprBase { kind: 'number'; value: number; }
export interface NameExpr extends ExprBase { kind: 'name'; name: string; }
export interface CallExpr extends ExprBase {
  kind: 'call';
  name: string;
  nameRange: SourceRange;
  args: Arg[];
}
/** `IN => OUT` in a Dense layer. */
export interface PairExpr extends ExprBase { kind: 'pair'; left: Expr; right: Expr; }

export interface Arg {
  /** Present for keyword arguments (`lr=0.01`). */
  key?: { name: string; range: SourceRange };
  value: Expr;
  range: SourceRange;
}

export interface Statement {
  keyword: string;
  keywordRange: SourceRange;
  /** The comma-separated items after the keyword. */
  items: Arg[];
  /** From the first item to the last (the keyword's range when there are none). */
  bodyRange: SourceRange;
}

/** A statement's tokens, before parsing; `broken` when its parentheses were unbalanced (already reported). */
interface RawStatement {
  tokens: Token[];
  broken: boolean;
}

/** Splits the token stream into statements: a newline ends a statement unless it is inside parentheses. */
function splitStatements(tokens: Token[], file: string, errors: LabError[]): RawStatement[] {
  const out: RawStatement[] = [];
  let i = 0;
  const isStatementStart = (j: number): boolean => {
    // Recovery for a missing ')': a line that begins like a statement (`loss mse`) cannot be a continuation,
    // whereas `init=...` inside a Dense call can.
    const t = tokens[j]!;
    return t.kind === 'ident' && (STATEMENTS as readonly string[]).includes(t.text.toLowerCase()) && tokens[j + 1]!.kind !== 'equals';
  };
  while (tokens[i]!.kind !== 'eof') {
    if (tokens[i]!.kind === 'newline') { i++; continue; }
    const stmt: RawStatement = { tokens: [], broken: false };
    const open: Token[] = [];
    for (;;) {
      const t = tokens[i]!;
      if (t.kind === 'eof') break;
      if (t.kind === 'newline') {
        if (open.length === 0) break;
        let j = i;
        while (tokens[j]!.kind === 'newline') j++;
        if (tokens[j]!.kind === 'eof' || isStatementStart(j)) break;
        i++;
        continue;
      }
      if (t.kind === 'lparen') open.push(t);
      if (t.kind === 'rparen') {
        if (open.length === 0) {
          errors.push(new LabError("unmatched ')'", tokenRange(file, t), ')', "a ')' only after an opening '('"));
          stmt.broken = true;
        } else {
          open.pop();
        }
      }
      stmt.tokens.push(t);
      i++;
    }
    if (open.length > 0) {
      // The innermost unclosed '(' is the likeliest culprit when a single ')' is missing.
      const o = open[open.length - 1]!;
      errors.push(new LabError("unclosed '(' (missing ')')", tokenRange(file, o), '(', "a matching ')'"));
      stmt.broken = true;
    }
    out.push(stmt);
  }
  return out;
}

class SyntaxFail {
  constructor(readonly error: LabError) {}
}

/** Parses the tokens of one statement (no newlines, parentheses balanced). */
class StatementParser {
  private i = 0;
  private readonly end: Token;

  constructor(private readonly tokens: Token[], private readonly file: string) {
    const last = tokens[tokens.length - 1]!;
    // A virtual end-of-statement token just after the last one, so "expected X" errors have a position.
    this.end = { kind: 'eof', text: '', line: last.line, column: last.endColumn, endColumn: last.endColumn, start: last.end, end: last.end };
  }

  private peek(k = 0): Token {
    return this.tokens[this.i + k] ?? this.end;
  }

  private next(): Token {
    const t = this.peek();
    this.i++;
    return t;
  }

  private fail(t: Token, message: string, allowed: string): never {
    const found = t.kind === 'eof' ? 'end of line' : t.text;
    throw new SyntaxFail(new LabError(message, tokenRange(this.file, t), found, allowed));
  }

  statement(): Statement {
    const kw = this.next();
    if (kw.kind !== 'ident') {
      this.fail(kw, 'a statement must start with a keyword', STATEMENTS.join(', '));
    }
    const items: Arg[] = [];
    if (this.peek().kind !== 'eof') {
      for (;;) {
        items.push(this.arg());
        const t = this.peek();
        if (t.kind === 'eof') break;
        if (t.kind !== 'comma') this.fail(t, "expected ',' or end of line", "',' between items");
        this.next();
      }
    }
    const kwRange = tokenRange(this.file, kw);
    const bodyRange = items.length > 0 ? span(this.file, items[0]!.range, items[items.length - 1]!.range) : kwRange;
    return { keyword: kw.text, keywordRange: kwRange, items, bodyRange };
  }

  private arg(): Arg {
    const t = this.peek();
    if (t.kind === 'ident' && this.peek(1).kind === 'equals') {
      this.next();
      this.next(); // '='
      const v = this.peek();
      if (!startsExpr(v)) this.fail(v, `expected a value after '${t.text}='`, 'a number or a name');
      const value = this.expr();
      const keyRange = tokenRange(this.file, t);
      return { key: { name: t.text, range: keyRange }, value, range: span(this.file, keyRange, value.range) };
    }
    const value = this.expr();
    return { value, range: value.range };
  }

  private expr(): Expr {
    const left = this.primary();
    if (this.peek().kind !== 'arrow') return left;
    this.next();
    const v = this.peek();
    if (!startsExpr(v)) this.fail(v, "expected a value after '=>'", 'a number, as in Dense(2 => 32)');
    const right = this.primary();
    return { kind: 'pair', left, right, range: span(this.file, left.range, right.range), start: left.start, end: right.end };
  }

  private primary(): Expr {
    const t = this.next();
    if (t.kind === 'number') {
      return { kind: 'number', value: t.value!, range: tokenRange(this.file, t), start: t.start, end: t.end };
    }
    if (t.kind !== 'ident') this.fail(t, 'expected a value', 'a number, a name or a call such as Dense(2 => 32)');
    if (this.peek().kind !== 'lparen') {
      return { kind: 'name', name: t.text, range: tokenRange(this.file, t), start: t.start, end: t.end };
    }
    this.next();
    const args: Arg[] = [];
    while (this.peek().kind !== 'rparen') {
      args.push(this.arg());
      const sep = this.peek();
      if (sep.kind === 'rparen') break;
      if (sep.kind !== 'comma') this.fail(sep, `expected ',' or ')' in ${t.text}(...)`, "',' between arguments, ')' after the last");
      this.next(); // a trailing comma before ')' is fine, as in Julia
    }
    const close = this.next();
    return {
      kind: 'call',
      name: t.text,
      nameRange: tokenRange(this.file, t),
      args,
      range: tokenRange(this.file, t, close),
      start: t.start,
      end: close.end,
    };
  }
}

function startsExpr(t: Token): boolean {
  return t.kind === 'number' || t.kind === 'ident';
}

export function span(file: string, a: SourceRange, b: SourceRange): SourceRange {
  return { file, line: a.line, column: a.column, endLine: b.endLine, endColumn: b.endColumn };
}

export interface ParsedStatement {
  statement?: Statement;
  /** The keyword token, even when the rest did not parse (so a broken `model` is not also "missing"). */
  keyword?: Token;
}

/** Groups and parses all statements; syntax errors skip the statement they occur in and are appended to errors. */
export function parseStatements(tokens: Token[], file: string, errors: LabError[]): ParsedStatement[] {
  const out: ParsedStatement[] = [];
  for (const raw of splitStatements(tokens, file, errors)) {
    const first = raw.tokens[0];
    const keyword = first?.kind === 'ident' ? first : undefined;
    if (raw.broken) { out.push({ keyword }); continue; }
    try {
      out.push({ statement: new StatementParser(raw.tokens, file).statement(), keyword });
    } catch (e) {
      if (!(e instanceof SyntaxFail)) throw e;
      errors.push(e.error);
      out.push({ keyword });
    }
  }
  return out;
}
