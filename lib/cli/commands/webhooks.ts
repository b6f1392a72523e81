// `disputes webhooks create|list|show|update|disable|enable|delete|roll|deliveries|redeliver`: the ticket tool's
// webhook endpoints through the API, as the local ticketing token's client (each client sees only its own).
import { ValidationError } from '../../domain/errors';
import type { WebhookDelivery } from '../../domain/webhooks/delivery';
import type { EndpointView } from '../../domain/webhooks/endpoint';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhooks/events';
import { type OptionValues, defineCommand } from '../command';
import { plural, printJson } from '../format';
import { type RunningStack, api } from '../local-stack';
import { oneOf, wholeNumber, without } from '../validate';

const OPTIONS = {
  url: { type: 'string' },
  events: { type: 'string' },
  description: { type: 'string' },
  'overlap-hours': { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;
type Values = OptionValues<typeof OPTIONS>;

const SUBCOMMANDS = ['create', 'list', 'show', 'update', 'disable', 'enable', 'delete', 'roll', 'deliveries', 'redeliver'] as const;
type Sub = (typeof SUBCOMMANDS)[number];
/** How many ids each subcommand takes after its name. */
const IDS: Record<Sub, string[]> = { create: [], list: [], show: ['ENDPOINT_ID'], update: ['ENDPOINT_ID'], disable: ['ENDPOINT_ID'], enable: ['ENDPOINT_ID'], delete: ['ENDPOINT_ID'], roll: ['ENDPOINT_ID'], deliveries: ['ENDPOINT_ID'], redeliver: ['ENDPOINT_ID', 'DELIVERY_ID'] };
/** The options each subcommand reads (besides --json where it prints something). */
const READS: Record<Sub, (keyof Values)[]> = { create: ['url', 'events', 'description'], update: ['url', 'events', 'description'], roll: ['overlap-hours'], deliveries: ['limit'], list: [], show: [], disable: [], enable: [], delete: [], redeliver: [] };

type WithSecret = EndpointView & { secret: string };

function events(value: string): string[] {
  const list = value.split(',').map((e) => e.trim()).filter(Boolean);
  if (list.length === 0) throw new ValidationError('--events', `--events needs at least one of ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  for (const e of list) oneOf('events', e, WEBHOOK_EVENT_TYPES);
  return list;
}

function printEndpoint(e: EndpointView): void {
  console.log(`${e.endpointId}  ${e.status}  ${e.url}`);
  console.log(`  events: ${e.enabledEvents.join(', ')}${e.description ? `  (${e.description})` : ''}`);
  if (e.disabledReason) console.log(`  disabled: ${e.disabledReason}${e.disabledAt ? ` at ${e.disabledAt}` : ''}`);
  const health = [e.lastSuccessAt && `last success ${e.lastSuccessAt}`, e.failingSince && `failing since ${e.failingSince}`].filter(Boolean).join(', ');
  if (health) console.log(`  ${health}`);
  if (e.previousSecretExpiresAt) console.log(`  the previous secret signs too until ${e.previousSecretExpiresAt}`);
}

function printSecret(e: WithSecret): void {
  printEndpoint(e);
  console.log(`  signing secret: ${e.secret}`);
  console.log('  (shown this once: store it where the receiver verifies signatures)');
}

function printDelivery(d: WebhookDelivery): void {
  const when = d.status === 'DELIVERED' ? `delivered ${d.deliveredAt}` : d.status === 'PENDING' ? (d.nextAttemptAt ? `next attempt ${d.nextAttemptAt}` : 'queued') : (d.reason ?? '');
  console.log(`${d.deliveryId}  ${d.eventType}  ${d.status}  event ${d.eventId}  ${plural(d.attemptCount, 'attempt')}  ${when}`);
  for (const a of d.attempts) {
    console.log(`  #${a.attempt} ${a.at}  ${a.outcome.padEnd(9)} ${String(a.responseCode ?? '–').padStart(3)}  ${String(a.latencyMs).padStart(6)} ms${a.manual ? '  re-send' : ''}${a.error ? `  ${a.error}` : ''}`);
  }
}

/** Every mistake on the command line, before the stack is looked at. */
function check(values: Values, positionals: string[]): { sub: Sub; ids: string[] } {
  const [name, ...rest] = positionals;
  if (name === undefined) throw new ValidationError('(subcommand)', `webhooks needs one of ${SUBCOMMANDS.join(', ')}: disputes webhooks list`);
  const sub = oneOf('(subcommand)', name, SUBCOMMANDS);
  const wanted = IDS[sub];
  if (rest.length !== wanted.length) throw new ValidationError(wanted[rest.length] ?? '(argument)', `webhooks ${sub} takes ${wanted.length === 0 ? 'no argument' : wanted.join(' ')}${rest.length > wanted.length ? `; not understood: ${rest.slice(wanted.length).join(' ')}` : ''}`);
  rest.forEach((id, i) => {
    const pattern = wanted[i] === 'ENDPOINT_ID' ? /^we_[0-9A-Z]{26}$/ : /^wd_[0-9a-f]{32}$/;
    if (!pattern.test(id)) throw new ValidationError(wanted[i]!, `${id} is not a ${wanted[i] === 'ENDPOINT_ID' ? 'webhook endpoint id (we_…, as webhooks list prints it)' : 'delivery id (wd_…, as webhooks deliveries prints it)'}`);
  });
  without(values, (Object.keys(OPTIONS) as (keyof Values)[]).filter((o) => o !== 'json' && !READS[sub].includes(o)), `webhooks ${sub}`);
  if (sub === 'create' && (values.url === undefined || values.events === undefined)) throw new ValidationError(values.url === undefined ? '--url' : '--events', 'webhooks create needs --url URL --events TYPE,TYPE');
  if (sub === 'update' && values.url === undefined && values.events === undefined && values.description === undefined) throw new ValidationError('--url', 'webhooks update needs --url, --events or --description');
  if (values.events !== undefined) events(values.events);
  if (values['overlap-hours'] !== undefined) wholeNumber('overlap-hours', values['overlap-hours'], 0, 168);
  if (values.limit !== undefined) wholeNumber('limit', values.limit, 1, 100);
  return { sub, ids: rest };
}

const base = '/v1/webhook-endpoints';

async function run(stack: RunningStack, sub: Sub, ids: string[], values: Values): Promise<number> {
  const [id, deliveryId] = ids.map(encodeURIComponent);
  const print = <T>(body: T, human: (b: T) => void) => (values.json ? printJson(body) : human(body));
  const fields = { ...(values.url !== undefined ? { url: values.url } : {}), ...(values.events !== undefined ? { enabledEvents: events(values.events) } : {}), ...(values.description !== undefined ? { description: values.description } : {}) };
  switch (sub) {
    case 'create':
      print(await api<WithSecret>(stack, 'ticketing', 'POST', base, fields), printSecret);
      return 0;
    case 'list': {
      const { items } = await api<{ items: EndpointView[] }>(stack, 'ticketing', 'GET', base);
      print({ items }, () => (items.forEach(printEndpoint), console.log(plural(items.length, 'endpoint'))));
      return 0;
    }
    case 'show':
      print(await api<EndpointView>(stack, 'ticketing', 'GET', `${base}/${id}`), printEndpoint);
      return 0;
    case 'update':
    case 'disable':
    case 'enable': {
      const body = sub === 'update' ? fields : { disabled: sub === 'disable' };
      print(await api<EndpointView>(stack, 'ticketing', 'PATCH', `${base}/${id}`, body), printEndpoint);
      return 0;
    }
    case 'delete':
      await api(stack, 'ticketing', 'DELETE', `${base}/${id}`);
      if (!values.json) console.log(`${ids[0]} deleted`);
      return 0;
    case 'roll': {
      const overlap = values['overlap-hours'] === undefined ? {} : { overlapHours: Number(values['overlap-hours']) };
      print(await api<WithSecret>(stack, 'ticketing', 'POST', `${base}/${id}/roll-secret`, overlap), printSecret);
      return 0;
    }
    case 'deliveries': {
      const page = await api<{ items: WebhookDelivery[]; cursor?: string }>(stack, 'ticketing', 'GET', `${base}/${id}/deliveries?limit=${values.limit ?? 25}`);
      print(page, () => (page.items.forEach(printDelivery), console.log(`${plural(page.items.length, 'delivery', 'deliveries')}, newest first${page.cursor ? ' (more: --limit up to 100)' : ''}`)));
      return 0;
    }
    case 'redeliver':
      print(await api<WebhookDelivery>(stack, 'ticketing', 'POST', `${base}/${id}/deliveries/${deliveryId}/redeliver`), (d) => console.log(`${d.deliveryId} queued again (event ${d.eventId}, re-send ${d.generation})`));
      return 0;
  }
}

/** The ticket tool's webhook endpoints, through the API. */
export const webhooks = defineCommand({
  options: OPTIONS,
  check: ({ values, positionals }) => void check(values, positionals),
  async run({ values, positionals, stack }) {
    const { sub, ids } = check(values, positionals);
    return run(stack, sub, ids, values);
  },
});
