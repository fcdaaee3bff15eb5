// Whether a lab's data, model and loss fit together: pure, so the editor can run it as the user types.
import { denseLayers, type LabSpec } from './spec.js';
import { LabError } from './errors.js';
import type { Dataset } from './data/index.js';

/** Data, model and loss must agree on widths; say where they don't. `data` is the training split's shape. */
export function checkCompatible(lab: LabSpec, data: Pick<Dataset, 'n' | 'features' | 'targetWidth' | 'task' | 'classes'>): void {
  const layers = denseLayers(lab.model);
  if (layers.length === 0) throw new LabError('the model has no Dense layer', lab.model.range, 'only dropout', 'at least one Dense(IN => OUT)');
  const first = layers[0];
  const last = layers[layers.length - 1];
  if (first.inputs !== data.features) {
    throw new LabError(`layer ${first.name} expects ${first.inputs} inputs but data ${lab.data.name} gives ${data.features} features`,
      first.range ?? lab.model.range, String(first.inputs), String(data.features));
  }
  const loss = lab.loss;
  const want = loss.name === 'crossentropy' ? data.classes
    : loss.name === 'bce' ? 1
    : data.task === 'multiclass' ? data.classes : data.targetWidth;
  if (loss.name === 'crossentropy' && data.task === 'regression') {
    throw new LabError(`loss crossentropy needs class labels but data ${lab.data.name} is a regression task`, loss.range, 'crossentropy', 'mse, mae, huber');
  }
  if (loss.name === 'bce' && data.task !== 'binary') {
    throw new LabError(`loss bce needs a two-class data set but data ${lab.data.name} is ${data.task}`, loss.range, 'bce',
      data.task === 'multiclass' ? 'crossentropy, mse, mae, huber' : 'mse, mae, huber');
  }
  if (last.outputs !== want) {
    throw new LabError(`the last layer ${last.name} has ${last.outputs} outputs but loss ${loss.name} on ${lab.data.name} needs ${want}`,
      last.range ?? lab.model.range, String(last.outputs), String(want));
  }
  const stopper = lab.regularizers.find((r) => r.kind === 'early_stopping');
  if (stopper && lab.split.kind === 'none') {
    throw new LabError('early_stopping watches validation data, but split none holds none back', stopper.range ?? lab.split.range,
      'split none', 'split holdout(validation=F) with early_stopping');
  }
  if (lab.train.batch > data.n) {
    throw new LabError(`batch ${lab.train.batch} is larger than the training split (${data.n} samples)`, lab.train.range,
      String(lab.train.batch), `1 to ${data.n}`);
  }
}
