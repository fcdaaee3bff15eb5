// The reader for DL Lab's own `.dlab` files; see docs/lab-language.md for the language.

import { LabError } from '../../engine/errors.js';
import type { LabSpec } from '../../engine/spec.js';
import type { ModelReader } from '../reader.js';
import { readLab } from './parser.js';

export const labReader: ModelReader = {
  languageIds: ['dlab'],
  extensions: ['.dlab'],
  read: readLab,
};

/** Reads a lab file, throwing its first error (as the command line reports it). */
export function parseLab(text: string, file: string): LabSpec {
  const { spec, errors } = readLab(text, file);
  if (errors.length > 0) throw errors[0]!;
  // readLab returns a spec whenever there are no errors; this guards that promise.
  if (!spec) throw new LabError('the lab file could not be read');
  return spec;
}

export { readLab } from './parser.js';
export { tokenize, type Token, type TokenKind } from './tokenizer.js';
