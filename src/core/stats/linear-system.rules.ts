/**
 * Solves A·x = b for a dense n×n system by Gaussian elimination with partial pivoting.
 * `a` is row-major (a[r * n + c]); both `a` and `b` are overwritten (b ends up holding x, which is
 * returned). Returns null when the matrix is singular to working precision.
 * @example solveLinearSystem(Float64Array.of(2, 1, 1, 3), Float64Array.of(3, 5), 2) // [0.8, 1.4]
 */
export function solveLinearSystem(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]!));
  const tiny = scale * n * Number.EPSILON;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    let best = Math.abs(a[col * n + col]!);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(a[r * n + col]!);
      if (v > best) {
        best = v;
        pivot = r;
      }
    }
    if (!(best > tiny)) return null;
    if (pivot !== col) {
      for (let c = col; c < n; c++) {
        const t = a[col * n + c]!;
        a[col * n + c] = a[pivot * n + c]!;
        a[pivot * n + c] = t;
      }
      const t = b[col]!;
      b[col] = b[pivot]!;
      b[pivot] = t;
    }
    const p = a[col * n + col]!;
    for (let r = col + 1; r < n; r++) {
      const f = a[r * n + col]! / p;
      if (f === 0) continue;
      a[r * n + col] = 0;
      for (let c = col + 1; c < n; c++) a[r * n + c]! -= f * a[col * n + c]!;
      b[r]! -= f * b[col]!;
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let c = r + 1; c < n; c++) s -= a[r * n + c]! * b[c]!;
    b[r] = s / a[r * n + r]!;
  }
  return b;
}
