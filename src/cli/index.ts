// Entry point of the bundled `dl-lab` command.
import { main } from './main.js';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  // First Ctrl-C: finish the current epoch's bookkeeping and stop; a second one exits at once.
  if (++interrupts > 1) process.exit(130);
  controller.abort();
});
main(process.argv.slice(2), undefined, controller.signal).then((code) => {
  process.exitCode = code;
});
