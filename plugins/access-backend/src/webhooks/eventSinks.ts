import { AccessEventSink } from '@jit-access/plugin-access-node';
import { patternProblem } from '../config/eventSubscriptions';

/** Why a module's event sink cannot be added, or undefined when it can. */
export function eventSinkProblem(
  sink: AccessEventSink,
  existing: AccessEventSink[],
): string | undefined {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(sink.id ?? '') || sink.id.length > 100)
    return 'the id must be kebab-case, at most 100 characters';
  if (existing.some(s => s.id === sink.id)) return 'is already registered';
  if (!Array.isArray(sink.events) || sink.events.length === 0)
    return 'events: name at least one event type';
  for (const [i, pattern] of sink.events.entries()) {
    const problem = patternProblem(pattern);
    if (problem) return `events[${i}]: ${problem}`;
  }
  if (
    sink.timeoutMs !== undefined &&
    !(Number.isInteger(sink.timeoutMs) && sink.timeoutMs > 0)
  )
    return 'timeoutMs: a positive whole number of milliseconds';
  if (typeof sink.deliver !== 'function') return 'deliver must be a function';
  return undefined;
}
