import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadline } from './deadline';

describe('Deadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs its action once the time has passed, once', () => {
    const d = new Deadline();
    const action = vi.fn();
    d.set(100, action);
    vi.advanceTimersByTime(99);
    expect(action).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(action).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1_000);
    expect(action).toHaveBeenCalledTimes(1);
  });

  it('never runs a cleared action', () => {
    const d = new Deadline();
    const action = vi.fn();
    d.set(100, action);
    d.clear();
    vi.advanceTimersByTime(1_000);
    expect(action).not.toHaveBeenCalled();
  });

  it('moves a deadline later without a second timer, and keeps to the new time', () => {
    const d = new Deadline();
    const first = vi.fn();
    const second = vi.fn();
    d.set(100, first);
    vi.advanceTimersByTime(50);
    d.set(200, second); // due at 250
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(50); // the first timer fires at 100, early: it arms again
    expect(second).not.toHaveBeenCalled();
    vi.advanceTimersByTime(149);
    expect(second).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(second).toHaveBeenCalledTimes(1);
    expect(first).not.toHaveBeenCalled();
  });

  it('moves a deadline earlier with a timer of its own', () => {
    const d = new Deadline();
    const action = vi.fn();
    d.set(1_000, () => {});
    d.set(10, action);
    vi.advanceTimersByTime(10);
    expect(action).toHaveBeenCalledTimes(1);
  });
});
