// The contract between the engine and the languages a model can be written in. A reader turns source text
// into the Model IR (LabSpec); readers for Lux.jl, PyTorch and Keras code will implement it next to the lab
// file reader.

import { extname } from 'node:path';
import type { LabError } from '../engine/errors.js';
import type { LabSpec } from '../engine/spec.js';
import { labReader } from './lab/index.js';

export interface ReadResult {
  /** Present only when errors is empty. */
  spec?: LabSpec;
  /**
   * Every mistake the reader could find, in source order: the editor shows them all as diagnostics, the
   * command line prints the first.
   */
  errors: LabError[];
}

export interface ModelReader {
  /** VS Code language ids this reader serves (the extension picks a reader by document language). */
  languageIds: string[];
  /** File extensions, with the dot, for picking a reader by file name (the command line). */
  extensions: string[];
  read(text: string, file: string): ReadResult;
}

/** All readers, in priority order: the first whose extension matches wins. */
const READERS: ModelReader[] = [labReader];

/** The reader for a file, by its extension (case-insensitive), or undefined when no reader knows it. */
export function readerFor(file: string): ModelReader | undefined {
  const ext = extname(file).toLowerCase();
  return READERS.find((r) => r.extensions.includes(ext));
}
