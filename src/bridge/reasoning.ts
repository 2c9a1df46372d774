// Converting between the two ways protocols ask for reasoning: an effort level or a token budget.
// These tables are documented defaults (README of the bridge, adapter headers): a budget is
// derived from an effort only when the target protocol takes budgets, and vice versa.
import type { IRReasoning, IRReasoningEffort } from './ir';

/** Effort → thinking budget in tokens (1024 is the smallest budget budget-based protocols accept). */
export const BUDGET_FOR_EFFORT: Record<Exclude<IRReasoningEffort, 'none'>, number> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 24576,
  max: 32768,
};

/** Budget → effort; only the three levels every effort-based model accepts are produced. */
export function effortForBudget(budget: number): IRReasoningEffort {
  if (budget <= 0) return 'none';
  if (budget <= BUDGET_FOR_EFFORT.low) return 'low';
  if (budget <= BUDGET_FOR_EFFORT.medium) return 'medium';
  return 'high';
}

/** The effort a reasoning request amounts to, or undefined for "model default". */
export function effortOf(r: IRReasoning | undefined): IRReasoningEffort | undefined {
  if (!r) return undefined;
  if (r.effort !== undefined) return r.effort;
  if (r.budgetTokens !== undefined) return effortForBudget(r.budgetTokens);
  return undefined;
}

/** The budget a reasoning request amounts to: 0 = off, undefined = model default (adaptive). */
export function budgetOf(r: IRReasoning | undefined): number | undefined {
  if (!r) return undefined;
  if (r.budgetTokens !== undefined) return r.budgetTokens;
  if (r.effort === 'none') return 0;
  if (r.effort !== undefined) return BUDGET_FOR_EFFORT[r.effort];
  return undefined;
}
