// The checks a lab gets before training, without drawing data or loading onnxruntime: what the editor shows
// as the user types, the same mistakes the command line reports.
import type { LabSpec } from './spec.js';
import { LabError } from './errors.js';
import { dataShape } from './data/index.js';
import { checkCompatible } from './trainer-checks.js';

/** The first mistake that only shows once the lab's parts meet (data arguments, widths, batch), or undefined. */
export function checkLab(lab: LabSpec): LabError | undefined {
  try {
    const shape = dataShape(lab.data);
    const held = lab.split.kind === 'holdout' ? Math.min(shape.n - 1, Math.max(1, Math.round(shape.n * lab.split.validation))) : 0;
    checkCompatible(lab, { ...shape, n: shape.n - held });
    return undefined;
  } catch (e) {
    if (e instanceof LabError) return e;
    throw e;
  }
}
