// Server tools (IRBuiltinTool) meet the upstream: each wire lists the kinds its provider can run
// (UpstreamSide.builtinTools). One the upstream lacks was declared but not forced by the client
// (forcing is refused when the request is read), so leaving it out cannot make the answer wrong,
// only less informed; it is reported in the `x-switchyard-dropped` response header, with anything
// else the client side left out, so the change is never silent.
import type { UpstreamSide } from './adapter';
import type { IRRequest } from './ir';

export const DROPPED_HEADER = 'x-switchyard-dropped';

/** The request as this upstream can take it: unsupported server tools moved to `dropped`. */
export function fitBuiltinTools(ir: IRRequest, upstream: UpstreamSide): IRRequest {
  const wanted = ir.builtinTools ?? [];
  if (wanted.length === 0) return ir;
  const can = upstream.builtinTools?.(ir) ?? [];
  const kept = wanted.filter((t) => can.includes(t.kind));
  if (kept.length === wanted.length) return ir;
  const left = wanted.filter((t) => !can.includes(t.kind)).map((t) => `${t.param ?? 'tools'} (${t.kind})`);
  return { ...ir, builtinTools: kept, dropped: [...(ir.dropped ?? []), ...left] };
}

/** The response header naming what was left out, or none. */
export function droppedHeaders(ir: IRRequest): Record<string, string> {
  return ir.dropped && ir.dropped.length > 0 ? { [DROPPED_HEADER]: ir.dropped.join('; ') } : {};
}
