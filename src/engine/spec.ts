// The Model IR handed from readers (lab files, later Julia/Python code) to the engine. Plain data: a reader
// fills it in, the engine compiles it. Every part a user wrote carries the source range it came from.

export interface SourceRange {
  file: string;
  /** 1-based line and column of the first character; end is exclusive. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type ActivationName =
  | 'relu' | 'leakyrelu' | 'elu' | 'selu' | 'gelu' | 'sigmoid' | 'tanh' | 'softplus' | 'softmax' | 'identity';

export interface ActivationSpec {
  name: ActivationName;
  /** leakyrelu: negative slope (default 0.01); elu: alpha (default 1). */
  alpha?: number;
}

export type InitName =
  | 'zeros' | 'constant' | 'uniform' | 'normal' | 'glorot_uniform' | 'glorot_normal' | 'he_uniform'
  | 'he_normal' | 'lecun_uniform' | 'lecun_normal' | 'orthogonal' | 'torch_default';

export interface InitSpec {
  name: InitName;
  /** constant: value; uniform: low/high; normal: mean/std; orthogonal: gain. */
  value?: number;
  low?: number;
  high?: number;
  mean?: number;
  std?: number;
  gain?: number;
}

export interface DenseSpec {
  kind: 'dense';
  name: string;
  inputs: number;
  outputs: number;
  activation: ActivationSpec;
  bias: boolean;
  /** Weight and bias initialisers; undefined means PyTorch's nn.Linear default. */
  weightInit?: InitSpec;
  biasInit?: InitSpec;
  range?: SourceRange;
}

/** Inverted dropout (Srivastava et al. 2014): zeroes each unit with probability `rate` while training and
 * scales the survivors by 1/(1−rate); the identity at evaluation. */
export interface DropoutSpec {
  kind: 'dropout';
  name: string;
  rate: number;
  range?: SourceRange;
}

export type LayerSpec = DenseSpec | DropoutSpec;

export const denseLayers = (m: ModelSpec): DenseSpec[] => m.layers.filter((l): l is DenseSpec => l.kind === 'dense');

export interface ModelSpec {
  layers: LayerSpec[];
  range?: SourceRange;
}

export type DataName = 'spirals' | 'moons' | 'circles' | 'xor' | 'blobs' | 'sine' | 'mnist';

export interface DataSpec {
  name: DataName;
  /** Named numeric arguments as the user wrote them (defaults filled in by the data module). */
  args: Record<string, number>;
  /** Where each argument was written, for errors that point at the argument itself. */
  argRanges?: Record<string, SourceRange>;
  range?: SourceRange;
}

export interface SplitSpec {
  kind: 'holdout' | 'none';
  /** Fraction of samples held back for validation (holdout). */
  validation: number;
  range?: SourceRange;
}

export type LossName = 'mse' | 'mae' | 'huber' | 'bce' | 'crossentropy';

export interface LossSpec {
  name: LossName;
  /** huber: the threshold delta (PyTorch's default 1). */
  delta?: number;
  range?: SourceRange;
}

export type OptimizerName =
  | 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'rmsprop' | 'adadelta' | 'adam' | 'adamw';

export interface OptimizerSpec {
  name: OptimizerName;
  lr: number;
  momentum?: number;
  /** RMSProp's smoothing constant (torch's alpha). */
  alpha?: number;
  /** AdaDelta's decay (torch's rho). */
  rho?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  centered?: boolean;
  /** torch's weight_decay: coupled (added to the gradient) except for AdamW, where it is decoupled. */
  weightDecay?: number;
  range?: SourceRange;
}

export type RegularizerSpec =
  | { kind: 'l2'; lambda: number; range?: SourceRange }
  | { kind: 'l1'; lambda: number; range?: SourceRange }
  | { kind: 'clip_norm'; max: number; range?: SourceRange }
  | { kind: 'clip_value'; max: number; range?: SourceRange }
  | { kind: 'max_norm'; max: number; range?: SourceRange }
  | { kind: 'early_stopping'; patience: number; minDelta: number; monitor: 'val_loss' | 'val_acc'; range?: SourceRange };

export type ScheduleSpec = {
  kind: 'constant' | 'step' | 'exponential' | 'cosine';
  /** step: epochs between decays; cosine: period in epochs (torch's T_max; default: all epochs). */
  stepSize?: number;
  /** step / exponential: multiplicative decay per period / epoch. */
  gamma?: number;
  /** cosine: the floor (torch's eta_min). */
  minLr?: number;
  /** Linear warm-up over this many optimiser steps before the schedule (0: none). */
  warmupSteps?: number;
  range?: SourceRange;
};

export interface TrainSpec {
  epochs: number;
  batch: number;
  seed: number;
  /** 'epoch': one session.run per epoch (Scan); 'step': one run per minibatch. */
  mode: 'epoch' | 'step';
  range?: SourceRange;
}

/** Everything a lab file says: enough to train. */
export interface LabSpec {
  file: string;
  data: DataSpec;
  split: SplitSpec;
  model: ModelSpec;
  loss: LossSpec;
  optimizer: OptimizerSpec;
  regularizers: RegularizerSpec[];
  schedule: ScheduleSpec;
  /** Applied to every layer that names no initialiser of its own. */
  init?: InitSpec;
  train: TrainSpec;
}
