// The training worker: a Node child process that parses a lab file, trains it and streams every epoch to
// its parent. Loads onnxruntime only here, so the extension host never does.
import { writeFileSync } from 'node:fs';
import { parseLab } from '../readers/lab/index.js';
import { LabError } from '../engine/errors.js';
import { Trainer } from '../engine/trainer.js';
import { describeLayers } from '../runs/layers.js';
import type { FromWorker, ToWorker, TrainRequest } from './protocol.js';

const send = (m: FromWorker) => process.send?.(m);
let trainer: Trainer | undefined;
let stop: AbortController | undefined;

process.on('message', (m: ToWorker) => {
  if (m.type === 'train') void train(m);
  else if (m.type === 'stop') stop?.abort();
  else if (m.type === 'export') exportModel(m.path);
  else if (m.type === 'exit') void Promise.resolve(trainer?.dispose()).finally(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));

async function train(req: TrainRequest): Promise<void> {
  stop = new AbortController();
  try {
    const lab = parseLab(req.text, req.file);
    let fallback: string | undefined;
    trainer = await Trainer.create(lab, {
      provider: req.provider, threads: req.threads, statsEvery: req.statsEvery, epochs: req.epochs, seed: req.seed,
      onFallback: (message) => (fallback = message),
    });
    send({ type: 'started', provider: trainer.provider, layers: describeLayers(lab), epochs: trainer.epochs, message: fallback });
    for await (const record of trainer.run(stop.signal)) send({ type: 'epoch', record });
    const status = stop.signal.aborted ? 'cancelled' : trainer.earlyStop ? 'early_stopped' : 'completed';
    send({ type: 'finished', status, earlyStop: trainer.earlyStop });
  } catch (e) {
    if (e instanceof LabError) send({ type: 'error', message: e.format(), range: e.range, userError: true });
    else send({ type: 'error', message: e instanceof Error ? e.message : String(e), userError: false });
  }
}

function exportModel(path: string): void {
  try {
    if (!trainer) throw new Error('no trained model in this worker');
    const bytes = trainer.exportModel();
    writeFileSync(path, bytes);
    send({ type: 'exported', path, bytes: bytes.length });
  } catch (e) {
    send({ type: 'error', message: `export failed: ${e instanceof Error ? e.message : String(e)}`, userError: false });
  }
}
