// A reject is closed once, in a way that fits its kind, recorded with who and when.
import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../lib/domain/errors';
import { close, isOpen, statusOf } from '../../lib/domain/rejects/lifecycle';

const invalid = { rejectId: 'R1', kind: 'INVALID' as const };
const conflict = { rejectId: 'R2', kind: 'CONFLICT' as const };
const who = { by: 'audrey.auditor', at: '2026-11-06T10:00:00.000Z' };

describe('close', () => {
  it('records each closing with its status, who, when and the reason given', () => {
    expect(close(invalid, 'resolve', { ...who, reason: ' fixed at the switch ' })).toEqual({ status: 'RESOLVED', ...who, reason: 'fixed at the switch' });
    expect(close(invalid, 'dismiss', { ...who, reason: 'lab calls' })).toEqual({ status: 'DISMISSED', ...who, reason: 'lab calls' });
    expect(close(conflict, 'dismiss', { ...who, reason: 'lab calls' })).toMatchObject({ status: 'DISMISSED' });
    expect(close(conflict, 'keep', who)).toEqual({ status: 'KEPT', ...who });
    expect(close(conflict, 'replace', who)).toEqual({ status: 'REPLACED', ...who });
    expect(close(invalid, 'replay', { ...who, replayRun: 'RUN1' })).toEqual({ status: 'REPLAYED', ...who, replayRun: 'RUN1' });
  });

  it('closes a reject once: again is a conflict naming who closed it and when', () => {
    const closed = { ...invalid, status: 'DISMISSED', resolution: { status: 'DISMISSED' as const, by: 'x@y', at: '2026-11-05T00:00:00.000Z' } };
    expect(() => close(closed, 'resolve', who)).toThrow(ConflictError);
    expect(() => close(closed, 'resolve', who)).toThrow('reject R1 is already DISMISSED by x@y at 2026-11-05T00:00:00.000Z');
    expect(() => close({ ...invalid, status: 'REPLAYED', replayRun: 'RUN9' }, 'dismiss', { ...who, reason: 'r' })).toThrow('already REPLAYED in replay run RUN9');
  });

  it('keep and replace are for conflicts; a conflict is not resolved or replayed; a dismissal needs a reason', () => {
    expect(() => close(invalid, 'keep', who)).toThrow('only a conflict keeps or replaces a stored CDR');
    expect(() => close(invalid, 'replace', who)).toThrow(ConflictError);
    expect(() => close(conflict, 'resolve', who)).toThrow('settle it by keeping or replacing the stored CDR, or dismiss it');
    expect(() => close(invalid, 'dismiss', who)).toThrow(ValidationError);
    expect(() => close(invalid, 'dismiss', { ...who, reason: '   ' })).toThrow('a dismissal needs a reason');
  });

  it('reads a missing or unknown status as open', () => {
    expect(statusOf({})).toBe('OPEN');
    expect(statusOf({ status: 'KEPT' })).toBe('KEPT');
    expect(isOpen({ status: 'OPEN' })).toBe(true);
    expect(isOpen({ status: 'REPLACED' })).toBe(false);
  });
});
