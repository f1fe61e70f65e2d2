// Points-to-double-the-odds (PDO) scaling: the industry convention that turns a probability
// into a score where a fixed number of points always means the same change in odds, so
// policy cut-offs keep their meaning when the model underneath is retrained.
//   score = offset + factor · ln(odds),   odds = P(good) / P(bad)
//   factor = pdo / ln 2,                  offset = baseScore − factor · ln(baseOdds)

export interface ScalingParams {
  /** Score given at `baseOdds`. */
  baseScore: number;
  /** Good:bad odds that map to `baseScore` (50 means 50:1). */
  baseOdds: number;
  /** Points that double the odds. */
  pdo: number;
}

export interface Scaling extends ScalingParams {
  factor: number;
  offset: number;
}

export const DEFAULT_SCALING: ScalingParams = { baseScore: 600, baseOdds: 50, pdo: 20 };

export function makeScaling(params: ScalingParams = DEFAULT_SCALING): Scaling {
  const { baseScore, baseOdds, pdo } = params;
  if (!(baseOdds > 0) || !(pdo > 0) || !Number.isFinite(baseScore)) {
    throw new Error("scaling needs baseOdds > 0, pdo > 0 and a finite base score");
  }
  const factor = pdo / Math.LN2;
  return { baseScore, baseOdds, pdo, factor, offset: baseScore - factor * Math.log(baseOdds) };
}

export function scoreFromOdds(scaling: Scaling, oddsGoodToBad: number): number {
  return scaling.offset + scaling.factor * Math.log(oddsGoodToBad);
}

export function oddsFromScore(scaling: Scaling, score: number): number {
  return Math.exp((score - scaling.offset) / scaling.factor);
}

/** Score from the model's log-odds of bad (the logistic regression's linear predictor). */
export function scoreFromLogit(scaling: Scaling, logitBad: number): number {
  // ln(good/bad) = −logit(bad): no division, so extreme probabilities stay finite.
  return scaling.offset - scaling.factor * logitBad;
}

export function scoreFromProbability(scaling: Scaling, probabilityOfBad: number): number {
  if (!(probabilityOfBad > 0 && probabilityOfBad < 1)) throw new Error("probability must be in (0, 1)");
  return scoreFromLogit(scaling, Math.log(probabilityOfBad / (1 - probabilityOfBad)));
}

export function probabilityFromScore(scaling: Scaling, score: number): number {
  return 1 / (1 + oddsFromScore(scaling, score));
}
