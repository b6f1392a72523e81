// Helpers shared by the audit pages and the finding tables.
import { dateTimeAt, formatMoney } from '../../format';
import type { Finding, FindingType, Money } from '../../types';

export type Of<T extends FindingType> = Extract<Finding, { type: T }>;

export const money = (totals: Money[]) => (totals.length > 0 ? totals.map((m) => formatMoney(m.amountMinor, m.currency)).join(' + ') : '–');
export const hour = (iso: string) => `${dateTimeAt(iso, '+00:00', false)}`;
