// Money as people read it. Kept apart from investigation/explain.ts (which imports the dispute types) so that the
// dispute rules can write amounts in their messages without an import cycle.

/** Integer minor units in their currency ("$2.20", "€12.50", "¥300"). */
export function formatMoney(amountMinor: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amountMinor / 10 ** digits);
}
