// The model's layers as the dashboard and history show them.
import { denseLayers, type LabSpec } from '../engine/spec.js';
import type { LayerInfo } from './record.js';

export function describeLayers(lab: LabSpec): LayerInfo[] {
  // A leading Dropout keeps the input's width: that of the first Dense layer's inputs.
  let width = denseLayers(lab.model)[0]?.inputs ?? 0;
  return lab.model.layers.map((l) => {
    if (l.kind === 'dropout') {
      return { name: l.name, kind: 'dropout', description: `Dropout(${l.rate})`, outputShape: [width], parameters: 0, line: l.range?.line ?? null };
    }
    width = l.outputs;
    const act = l.activation.name === 'identity' ? '' : `, ${l.activation.name}`;
    return {
      name: l.name, kind: 'dense', description: `Dense(${l.inputs} => ${l.outputs}${act})`, outputShape: [l.outputs],
      parameters: l.inputs * l.outputs + (l.bias ? l.outputs : 0), line: l.range?.line ?? null,
    };
  });
}
