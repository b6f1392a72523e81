// What makes two rejects one, and two deliveries one sighting.
import { describe, expect, it } from 'vitest';
import { REJECT_ID_PATTERN, idFromHex, identityText, originText } from '../../lib/domain/rejects/identity';
import { rejectFromItem } from '../../lib/domain/rejects/reject';
import { rejectExample } from '../../lib/api/examples';

const id = (o: Partial<Parameters<typeof identityText>[0]> = {}) => identityText({ kind: 'INVALID', source: 'pbx-1', rawSha256: 'ab'.repeat(32), ...o });

describe('identity', () => {
  it('is the kind, the whole source, the raw hash and for a conflict the stored key: nothing about arrival', () => {
    expect(id()).toBe(id());
    expect(new Set([id(), id({ kind: 'CONFLICT' }), id({ source: 'pbx-2' }), id({ rawSha256: 'cd'.repeat(32) }), id({ conflictsWith: 'pbx-1#c1' }), id({ conflictsWith: 'pbx-1#c2' })]).size).toBe(6);
  });

  it('ids are 26 Crockford characters, ULID-shaped, and follow the hash', () => {
    const hex = 'ff'.repeat(32);
    expect(idFromHex(hex)).toBe('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(idFromHex('00'.repeat(32))).toBe('0'.repeat(26));
    expect(idFromHex('0123456789abcdef0123456789abcdef')).toMatch(REJECT_ID_PATTERN);
    expect(idFromHex('0123456789abcdef0123456789abcdef')).not.toBe(idFromHex('0123456789abcdef0123456789abcdee'));
    expect(rejectExample.rejectId).toMatch(REJECT_ID_PATTERN);
    expect('01ARZ3NDEKTSV4RRFFQ69G5FAV').toMatch(REJECT_ID_PATTERN); // the ULIDs of older rejects
  });
});

describe('sightings', () => {
  it('a file record is placed by run, message number, line and index: another import is another run, a resent message the same', () => {
    const first = originText({ messageId: 'm1', file: 'a.csv', line: 3, ingestRun: 'R1', seq: 0 }, 2);
    expect(originText({ messageId: 'm2', file: 'a.csv', line: 3, ingestRun: 'R1', seq: 0 }, 2)).toBe(first);
    expect(originText({ messageId: 'm1', file: 'a.csv', line: 3, ingestRun: 'R2', seq: 0 }, 2)).not.toBe(first);
    expect(originText({ messageId: 'm1', file: 'a.csv', line: 4, ingestRun: 'R1', seq: 0 }, 3)).not.toBe(first);
  });

  it('any other record by message id and position: a redelivery is the same sighting, another message a new one', () => {
    expect(originText({ messageId: 'm1', index: 0 }, 0)).toBe(originText({ messageId: 'm1', index: 0 }, 0));
    expect(originText({ messageId: 'm1', index: 0 }, 0)).not.toBe(originText({ messageId: 'm2', index: 0 }, 0));
    expect(originText({ messageId: 'm1', index: 0 }, 0)).not.toBe(originText({ messageId: 'm1', index: 1 }, 1));
  });
});

describe('rejectFromItem', () => {
  it('reads an item from before sightings and statuses as open and seen once, without storage attributes', () => {
    const old = { rejectId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', kind: 'INVALID', source: 's', raw: 'x', problems: [{ field: 'f', reason: 'r' }], receivedAt: '2026-01-01T00:00:00.000Z', origin: { messageId: 'm' }, expiresAt: 123 };
    expect(rejectFromItem(old)).toEqual({ ...old, expiresAt: undefined, reasons: ['f: r'], status: 'OPEN', sightings: 1, lastSeenAt: '2026-01-01T00:00:00.000Z' });
    expect(rejectFromItem({ ...old, status: 'REPLAYED', sightings: 4 })).toMatchObject({ status: 'REPLAYED', sightings: 4 });
  });
});
