// Static rules: each fires on its broken model, its fix removes it, and the examples trigger none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseLab } from '../src/readers/lab/index.ts';
import { staticFindings } from '../src/diagnostics/static-rules.ts';
import type { TextEdit } from '../src/diagnostics/finding.ts';

function apply(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  for (const e of [...edits].sort((a, b) => b.range.line - a.range.line || b.range.column - a.range.column)) {
    const l = lines[e.range.line - 1];
    lines[e.range.line - 1] = l.slice(0, e.range.column - 1) + e.newText + l.slice(e.range.endColumn - 1);
  }
  return lines.join('\n');
}

const cases: [string, string][] = [
  ['softmax-before-crossentropy', 'data spirals\nmodel Chain(Dense(2 => 16, relu),\n  Dense(16 => 3, softmax))\nloss crossentropy\n'],
  ['sigmoid-before-bce', 'data moons\nmodel Chain(Dense(2 => 8, tanh), Dense(8 => 1, σ))\nloss bce\n'],
  ['squashed-logits', 'data spirals\nmodel Chain(Dense(2 => 16, relu), Dense(16 => 3, relu))\n'],
];

for (const [id, text] of cases) {
  test(`${id}: found on the last layer, and its fix makes it go away`, () => {
    const findings = staticFindings(parseLab(text, 'r.dlab'), text);
    assert.deepEqual(findings.map((f) => f.id), [id]);
    const f = findings[0];
    assert.equal(f.range?.line, text.split('\n').findIndex((l) => /Dense\(\d+ => \d+, (softmax|σ|relu)\)\)/.test(l)) + 1);
    assert.equal(f.fixes.length, 1);
    const fixed = apply(text, f.fixes[0].edits);
    assert.deepEqual(staticFindings(parseLab(fixed, 'r.dlab'), fixed), [], fixed);
    assert.match(fixed, /Dense\(\d+ => \d+\)\)/);
  });
}

test('the shipped examples trigger no static rule', () => {
  for (const f of ['examples/spirals.dlab', 'examples/mnist-mlp.dlab']) {
    const text = readFileSync(f, 'utf8');
    assert.deepEqual(staticFindings(parseLab(text, f), text), []);
  }
});
