// Terminal progress: a bar with loss and accuracy on a TTY, one plain line per epoch otherwise.
import cliProgress from 'cli-progress';
import type { EpochRecord } from '../engine/trainer.js';

export interface Progress {
  update(r: EpochRecord): void;
  stop(): void;
}

const pct = (v: number | null) => (v === null ? '   -  ' : `${(100 * v).toFixed(1).padStart(5)}%`);
const num = (v: number | null) => (v === null ? '-' : v.toFixed(4));

export function renderProgress(io: { err: (l: string) => void; isTTY: boolean }, total: number, file: string): Progress {
  if (!io.isTTY) {
    return {
      update: (r) => io.err(`epoch ${r.epoch}/${total}  loss ${num(r.trainLoss)}  acc ${pct(r.trainAcc)}  val_loss ${num(r.valLoss)}  val_acc ${pct(r.valAcc)}  ${r.seconds.toFixed(2)}s`),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar({
    format: `${file} |{bar}| epoch {value}/{total}  loss {loss}  acc {acc}  val_loss {vloss}  val_acc {vacc}`,
    stream: process.stderr,
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { loss: '-', acc: '-', vloss: '-', vacc: '-' });
  return {
    update: (r) => bar.update(r.epoch, { loss: num(r.trainLoss), acc: pct(r.trainAcc), vloss: num(r.valLoss), vacc: pct(r.valAcc) }),
    stop: () => bar.stop(),
  };
}
