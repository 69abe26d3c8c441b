/** One example: a lead as it was at prediction time (its opening), and whether it reached the target stage. */
export type Example = {
  id: string;
  /** Prediction time (ms): features describe the person up to here, never after. */
  at: number;
  /** 1: reached the target stage within the horizon; 0: did not; null: too recent to know (predicted, never trained on). */
  label: 0 | 1 | null;
  /** Raw fields by name: numbers are numeric features, strings categorical, null missing. */
  fields: Record<string, number | string | null>;
  /** The active rule-based definition's view of the same lead (fit + engagement), for the side-by-side evaluation. */
  ruleScore: number | null;
};

/** How a field is described to people: the name in the training report and the explanation's words. */
export type FieldInfo = { name: string; label: string; group: 'contact' | 'account' | 'attribute' | 'engagement' | 'touch' };
