// Probability calibration. A model can rank applicants well and still state the wrong
// probabilities: boosted trees shrunk by a learning rate sit too close to the base rate, and any
// model is over-confident on the rows it was fitted to. The policy prices credit from P(bad), so
// the probability itself must be right. Platt scaling fits P(bad) = σ(slope · z + intercept) on
// out-of-fold log-odds z, rows no model in the fit had seen. It is monotone (slope > 0), so it
// never reorders applicants: AUC and KS are unchanged, only the probabilities move.
import { fitLogistic } from "./logistic.ts";

export interface PlattCalibration {
  method: "platt";
  slope: number;
  intercept: number;
}

export const IDENTITY_CALIBRATION: PlattCalibration = { method: "platt", slope: 1, intercept: 0 };

/** Fits Platt scaling on out-of-fold log-odds of bad; a tiny penalty keeps separable data finite. */
export function fitPlatt(logits: ArrayLike<number>, y: ArrayLike<number>): PlattCalibration {
  const X = Array.from({ length: logits.length }, (_, i) => [logits[i]]);
  const fit = fitLogistic(X, y, { lambda: 1e-6 });
  // A slope at or below zero would reverse or erase the ranking: keep the model's own probabilities.
  if (!(fit.weights[0] > 1e-6) || !Number.isFinite(fit.intercept)) return IDENTITY_CALIBRATION;
  return { method: "platt", slope: fit.weights[0], intercept: fit.intercept };
}

export function calibrateLogit(c: PlattCalibration, z: number): number {
  return c.slope * z + c.intercept;
}
