// The `/__fake/*` control API, for driving a fake started in another process (benchmark, manual runs).

import { type Behaviour, type ScriptBook, validateBehaviour } from './behaviour';
import { asRecord } from './json';

export interface ControlState {
  book: ScriptBook;
  requests: unknown[];
  unexpected: unknown[];
  /** Every unexpected request since the fake started; reset() never clears it. */
  unexpectedEver: unknown[];
  reset(): void;
}

export function handleControl(
  method: string,
  pathname: string,
  body: unknown,
  state: ControlState,
): { status: number; body: unknown } {
  const route = `${method} ${pathname}`;
  if (route === 'POST /__fake/script') {
    const b = asRecord(body);
    if (typeof b['key'] !== 'string' || b['key'] === '') return bad('script needs a non-empty string `key`');
    if (!Array.isArray(b['behaviours']) || b['behaviours'].length === 0) {
      return bad('script needs a non-empty `behaviours` array');
    }
    for (const item of b['behaviours']) {
      const problem = validateBehaviour(item);
      if (problem) return bad(problem);
    }
    state.book.set(b['key'], b['behaviours'] as Behaviour[]);
    return { status: 200, body: { ok: true } };
  }
  if (route === 'POST /__fake/reset') {
    state.reset();
    return { status: 200, body: { ok: true } };
  }
  if (route === 'GET /__fake/requests') {
    return { status: 200, body: { requests: state.requests, unexpected: state.unexpected } };
  }
  if (route === 'GET /__fake/unexpected') {
    // For a suite whose files share one fake and reset it concurrently: no reset can hide a miss.
    return { status: 200, body: { unexpected: state.unexpectedEver } };
  }
  return { status: 404, body: { error: `unknown control route ${route}` } };
}

function bad(message: string): { status: number; body: unknown } {
  return { status: 400, body: { error: message } };
}
