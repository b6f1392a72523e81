// `disputes reinvestigate DISPUTE_ID`: sends a recommended dispute back to the investigator (e.g. after late CDRs)
// and waits for its new recommendation.
import type { Dispute } from '../../domain/disputes/dispute';
import { ValidationError } from '../../domain/errors';
import { defineCommand } from '../command';
import { printJson } from '../format';
import { api } from '../local-stack';
import { oneArgument, wholeNumber } from '../validate';
import { printDispute } from './show';

const recommendations = (d: Dispute) => d.history.filter((h) => h.status === 'RECOMMENDED').length;

/** Prints the dispute as `show` does once its new recommendation is stored; 3 when it is not within --wait-seconds. */
export const reinvestigate = defineCommand({
  options: {
    reason: { type: 'string' },
    json: { type: 'boolean' },
    'wait-seconds': { type: 'string' },
  },
  check({ values, positionals }) {
    oneArgument('reinvestigate', 'DISPUTE_ID', positionals);
    if (values.reason !== undefined && values.reason.trim() === '') throw new ValidationError('reason', '--reason needs a text');
    if (values['wait-seconds'] !== undefined) wholeNumber('wait-seconds', values['wait-seconds'], 0, 3600);
  },
  async run({ values, positionals, stack }) {
    const path = `/v1/disputes/${encodeURIComponent(positionals[0]!)}`;
    // The route records who asked; the reason is sent for the history (a route without a body ignores it).
    const sent = await api<Dispute>(stack, 'reviewer', 'POST', `${path}/reinvestigate`, values.reason ? { reason: values.reason } : undefined);
    const before = recommendations(sent);
    console.error(`${sent.disputeId} sent back to the investigator; waiting for its new recommendation…`);
    const deadline = Date.now() + Number(values['wait-seconds'] ?? 60) * 1000;
    let dispute = sent;
    while (recommendations(dispute) === before && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      dispute = await api<Dispute>(stack, 'reviewer', 'GET', path);
    }
    if (values.json) printJson(dispute);
    else printDispute(dispute);
    if (recommendations(dispute) === before) {
      console.error(`no new recommendation within ${values['wait-seconds'] ?? 60} s: the investigator may be busy or stopped; see it later with disputes show ${dispute.disputeId}`);
      return 3;
    }
    return 0;
  },
});
