import type { SparseRow } from './encoding.rules.ts';

/** A regularised logistic regression: P(y=1) = σ(bias + Σ weight·input). */
export type LogisticModel = { bias: number; weights: number[] };

export const sigmoid = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function linear(model: LogisticModel, row: SparseRow): number {
  let z = model.bias;
  for (let k = 0; k < row.index.length; k++) z += model.weights[row.index[k]!]! * row.value[k]!;
  return z;
}

/**
 * Fits by L-BFGS on the mean log-loss plus (l2/2)·‖w‖² (the bias is not penalised). Deterministic: starts from zero
 * weights and the base rate, no sampling. Why L-BFGS and not SGD: full-batch on sparse rows is a few dozen passes
 * over the data for a tight optimum, with no learning rate to tune per workspace.
 */
export function fitLogistic(rows: SparseRow[], labels: (0 | 1)[], inputs: number, options: { l2?: number; maxIterations?: number } = {}): LogisticModel {
  const l2 = options.l2 ?? 1e-3;
  const n = rows.length;
  const dim = inputs + 1; // last entry: bias
  const rate = labels.reduce<number>((a, b) => a + b, 0) / n;
  const x = new Float64Array(dim);
  x[inputs] = Math.log(Math.max(1e-6, rate) / Math.max(1e-6, 1 - rate));
  const evaluate = (w: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      let z = w[inputs]!;
      for (let k = 0; k < row.index.length; k++) z += w[row.index[k]!]! * row.value[k]!;
      const y = labels[i]!;
      // log(1 + e^z) - y·z, computed without overflow.
      loss += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z;
      const g = sigmoid(z) - y;
      for (let k = 0; k < row.index.length; k++) grad[row.index[k]!]! += g * row.value[k]!;
      grad[inputs]! += g;
    }
    let penalty = 0;
    for (let j = 0; j < dim; j++) {
      grad[j] = grad[j]! / n;
      if (j < inputs) {
        penalty += w[j]! * w[j]!;
        grad[j]! += l2 * w[j]!;
      }
    }
    return loss / n + (l2 / 2) * penalty;
  };
  lbfgs(x, evaluate, options.maxIterations ?? 200);
  return { bias: x[inputs]!, weights: Array.from(x.subarray(0, inputs)) };
}

/** Limited-memory BFGS (m = 8) with a backtracking Armijo line search; minimises f in place. */
function lbfgs(x: Float64Array, f: (w: Float64Array, grad: Float64Array) => number, maxIterations: number): void {
  const dim = x.length;
  const memory = 8;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  let grad = new Float64Array(dim);
  let fx = f(x, grad);
  const direction = new Float64Array(dim);
  const trial = new Float64Array(dim);
  let trialGrad = new Float64Array(dim);
  const alpha: number[] = [];
  for (let iter = 0; iter < maxIterations; iter++) {
    // Two-loop recursion: direction = -H·grad.
    for (let j = 0; j < dim; j++) direction[j] = -grad[j]!;
    for (let m = s.length - 1; m >= 0; m--) {
      alpha[m] = rho[m]! * dot(s[m]!, direction);
      axpy(-alpha[m]!, y[m]!, direction);
    }
    if (s.length) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, y[last]!) / dot(y[last]!, y[last]!);
      for (let j = 0; j < dim; j++) direction[j] = direction[j]! * gamma;
    }
    for (let m = 0; m < s.length; m++) {
      const beta = rho[m]! * dot(y[m]!, direction);
      axpy(alpha[m]! - beta, s[m]!, direction);
    }
    let slope = dot(direction, grad);
    if (slope >= 0) { // not a descent direction: restart from steepest descent
      for (let j = 0; j < dim; j++) direction[j] = -grad[j]!;
      slope = dot(direction, grad);
      s.length = 0; y.length = 0; rho.length = 0;
    }
    let step = iter === 0 ? 1 / Math.max(1, Math.sqrt(dot(grad, grad))) : 1;
    let ft = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let j = 0; j < dim; j++) trial[j] = x[j]! + step * direction[j]!;
      ft = f(trial, trialGrad);
      if (ft <= fx + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(ft < fx)) return;
    const sNew = new Float64Array(dim);
    const yNew = new Float64Array(dim);
    for (let j = 0; j < dim; j++) {
      sNew[j] = trial[j]! - x[j]!;
      yNew[j] = trialGrad[j]! - grad[j]!;
    }
    const sy = dot(sNew, yNew);
    if (sy > 1e-12) {
      s.push(sNew); y.push(yNew); rho.push(1 / sy);
      if (s.length > memory) { s.shift(); y.shift(); rho.shift(); }
    }
    x.set(trial);
    [grad, trialGrad] = [trialGrad, grad];
    const improvement = fx - ft;
    fx = ft;
    if (improvement < 1e-9 * Math.max(1, Math.abs(fx)) || Math.sqrt(dot(grad, grad)) < 1e-7) return;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += a[j]! * b[j]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let j = 0; j < x.length; j++) y[j] = y[j]! + a * x[j]!;
}
