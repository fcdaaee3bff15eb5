// Static rules over a lab's Model IR, before any training (NeuraLint's idea): a loss that does not fit the last
// layer's activation. Each finding points at the layer and offers the edit that fixes it.
import { denseLayers, type DenseSpec, type LabSpec, type SourceRange } from '../engine/spec.js';
import type { Finding, Fix } from './finding.js';

/** The range of `, activation` (or `, activation(args)`) inside a Dense call, found in the source text. */
function activationArgRange(text: string, layer: DenseSpec): SourceRange | undefined {
  const r = layer.range;
  if (!r) return undefined;
  const lines = text.split(/\r?\n/);
  // Search the layer's own text, line by line, for the activation argument after the sizes.
  for (let ln = r.line; ln <= r.endLine; ln++) {
    const line = lines[ln - 1] ?? '';
    const from = ln === r.line ? r.column - 1 : 0;
    const to = ln === r.endLine ? r.endColumn - 1 : line.length;
    // Names may be written in another case or as Lux's σ, which is no \w character: end at , ( or ).
    const re = new RegExp(`,\\s*(${layer.activation.name}|σ)(?=\\s*[,()])(\\([^)]*\\))?`, 'i');
    const m = re.exec(line.slice(from, to));
    if (m) return { file: r.file, line: ln, column: from + m.index + 1, endLine: ln, endColumn: from + m.index + m[0].length + 1 };
  }
  return undefined;
}

function dropActivation(text: string, layer: DenseSpec, title: string): Fix[] {
  const range = activationArgRange(text, layer);
  return range ? [{ title, edits: [{ range, newText: '' }] }] : [];
}

export function staticFindings(lab: LabSpec, text: string): Finding[] {
  const out: Finding[] = [];
  const last = denseLayers(lab.model).at(-1);
  if (!last) return out;
  const act = last.activation.name;
  if (lab.loss.name === 'crossentropy' && act === 'softmax') {
    out.push({
      id: 'softmax-before-crossentropy', severity: 'warning', range: last.range, concept: 'goodfellow-6.2.2.3',
      message: `${last.name} ends in softmax, but crossentropy takes logits and applies softmax itself: the outputs are squashed twice, `
        + 'so the loss never gets near 0 and its gradients shrink (PyTorch\'s CrossEntropyLoss and Lux\'s logitcrossentropy behave the same way)',
      fixes: dropActivation(text, last, `Remove softmax from ${last.name} (crossentropy applies it)`),
    });
  }
  if (lab.loss.name === 'bce' && act === 'sigmoid') {
    out.push({
      id: 'sigmoid-before-bce', severity: 'warning', range: last.range, concept: 'goodfellow-6.2.2.2',
      message: `${last.name} ends in sigmoid, but bce takes logits and applies the sigmoid itself: the output is squashed twice and can never reach 0 or 1`,
      fixes: dropActivation(text, last, `Remove sigmoid from ${last.name} (bce applies it)`),
    });
  }
  if (lab.loss.name === 'crossentropy' && (act === 'sigmoid' || act === 'relu' || act === 'tanh' || act === 'softplus')) {
    out.push({
      id: 'squashed-logits', severity: 'warning', range: last.range, concept: 'goodfellow-6.2.2.3',
      message: `${last.name} ends in ${act}, which limits the logits crossentropy receives (${act === 'relu' || act === 'softplus' ? 'never negative' : 'bounded'}): `
        + 'the softmax cannot become confident and the loss stalls; leave the last layer linear',
      fixes: dropActivation(text, last, `Make ${last.name} linear (remove ${act})`),
    });
  }
  return out;
}
