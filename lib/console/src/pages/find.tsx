// Finding a dispute or an account's disputes by id (what a ticketing identity, which has no queue, starts from).
import { useState } from 'preact/hooks';
import { Field, Section, Status } from '../components';
import { href, navigate } from '../router';
import { useApp, useResource } from '../state';
import type { Dispute } from '../types';
import { DisputeList } from './dispute/account-history';

const ID = /^[^\s/]{1,64}$/;

export function FindPage() {
  const [dispute, setDispute] = useState('');
  const [account, setAccount] = useState('');
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const go = (e: Event, kind: 'dispute' | 'account') => {
    e.preventDefault();
    const value = (kind === 'dispute' ? dispute : account).trim();
    if (!ID.test(value)) return setErrors({ [kind]: [value ? 'an id has 1–64 characters and no spaces or slashes' : 'enter an id'] });
    setErrors({});
    navigate(href([kind === 'dispute' ? 'disputes' : 'accounts', value]));
  };
  return (
    <>
      <h1>Find</h1>
      <div class="grid two">
        <Section title="A dispute">
          <form onSubmit={(e) => go(e, 'dispute')} noValidate>
            <Field label="Dispute id" errors={errors.dispute ?? []}>
              {(p) => <input {...p} type="text" value={dispute} onInput={(e) => setDispute(e.currentTarget.value)} autoComplete="off" spellcheck={false} />}
            </Field>
            <button type="submit">Open</button>
          </form>
        </Section>
        <Section title="An account's disputes">
          <form onSubmit={(e) => go(e, 'account')} noValidate>
            <Field label="Account id" errors={errors.account ?? []}>
              {(p) => <input {...p} type="text" value={account} onInput={(e) => setAccount(e.currentTarget.value)} autoComplete="off" spellcheck={false} />}
            </Field>
            <button type="submit">Show</button>
          </form>
        </Section>
      </div>
    </>
  );
}

export function AccountPage({ id }: { id: string }) {
  const { api } = useApp();
  const list = useResource(`account:${id}`, (signal) => api.get<{ items: Dispute[] }>(`/v1/accounts/${encodeURIComponent(id)}/disputes`, { signal }));
  return (
    <>
      <h1>
        Disputes of <span class="mono">{id}</span>
      </h1>
      <Section title="Oldest first">{list.data ? <DisputeList items={list.data.items} /> : <Status loading={list.loading} error={list.error} what="account's disputes" />}</Section>
    </>
  );
}
