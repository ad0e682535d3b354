import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { dateTime, money, useI18n, word } from '../i18n.js';
import { stepLabel } from '../ivr-words.js';
import type { CallOffer, CampaignPop, CaseCategory, CaseKind, CaseStatus, Profile } from '../types.js';
import { CampaignPanel } from './CampaignPanel.js';
import { TimelineView } from './TimelineView.js';

type Tier = keyof ReturnType<typeof useI18n>['t']['labels']['tiers'];

export function TierBadge({ tier }: { tier: string }) {
  const { t } = useI18n();
  const label = t.labels.tiers[tier as Tier] ?? tier;
  return <span class={`tier tier-${tier.toLowerCase()}`} data-testid="tier-badge">{label}</span>;
}

function Section({ title, children, testid }: { title: string; children: ComponentChildren; testid?: string }) {
  return (
    <section class="card" aria-label={title} data-testid={testid}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

function Flag({ on, label }: { on: boolean; label: string }) {
  return on ? <span class="flag flag-on">{label}</span> : null;
}

/** What the IVR found out before the caller asked for an agent. */
function IvrPanel({ ivr }: { ivr: CallOffer['ivr'] }) {
  const { t, lang } = useI18n();
  // `reason` is the IVR step that queued the call (or what set up a call no IVR saw): its label.
  const asked = t.ivrReasons[ivr.reason] ?? stepLabel(ivr.reason, lang);
  return (
    <Section title={t.ivr} testid="ivr">
      <p>
        {ivr.verified ? <span class="badge verified" data-testid="verified">✔ {t.verified}</span> : <span class="badge unverified">{t.notVerified}</span>}
      </p>
      <dl>
        <dt>{t.ivrReason}</dt><dd data-testid="ivr-reason">{asked}{ivr.skill ? ` · ${word(t.labels.skills, ivr.skill)}` : ''}</dd>
        <dt>{t.selfService}</dt><dd>{ivr.self_service.length ? ivr.self_service.map((s) => word(t.labels.selfServices, s)).join(', ') : t.none}</dd>
        <dt>{t.path}</dt><dd class="path" data-testid="ivr-path">{ivr.path.map((n) => stepLabel(n, lang)).join(' › ')}</dd>
      </dl>
    </Section>
  );
}

/** The phone-banking PIN in words: not enrolled, active (with wrong tries so far), or locked with when and why. */
function PinState({ pin }: { pin: Profile['phone_pin'] }) {
  const { t } = useI18n();
  if (!pin.enrolled) return <>{t.pinNone}</>;
  if (!pin.locked) return <>{t.pinActive}{pin.failures > 0 ? <span class="muted"> · {t.pinFailures}: {pin.failures}</span> : null}</>;
  return (
    <>
      <span class="flag flag-on">{t.pinLocked}</span>{' '}
      {pin.lock_cause ? t.pinCauses[pin.lock_cause] : null}
      {pin.locked_at ? <span class="muted"> · {t.pinLockedAt} {dateTime(pin.locked_at)}</span> : null}
    </>
  );
}

/**
 * The customer 360 (screen-pop): identity and tier first (what the agent says hello with), then
 * what matters for the conversation — IVR findings (or, on an outbound campaign call, the
 * campaign's script and offer), complaints and flags — then the detail.
 */
export function ScreenPop({ profile, ivr, campaign }: { profile: Profile | null; ivr?: CallOffer['ivr']; campaign?: CampaignPop | null }) {
  const { t, lang } = useI18n();
  const [openInteraction, setOpenInteraction] = useState<string | null>(null);
  if (!profile) {
    return (
      <div class="pop" data-testid="screen-pop">
        {!campaign && <p class="unknown-caller">{t.unknownCaller}</p>}
        {campaign ? <CampaignPanel campaign={campaign} /> : ivr && <IvrPanel ivr={ivr} />}
      </div>
    );
  }
  const { identity: id, value, holdings: h, flags } = profile;
  const b = value.breakdown;
  return (
    <div class="pop" data-testid="screen-pop">
      <header class="pop-head">
        <h2 data-testid="customer-name">{id.display_name}{id.name_en && id.name_zh ? <small> {id.name_en}</small> : null}</h2>
        <TierBadge tier={value.tier} />
        <span class="muted">#{profile.customer_no} · {word(t.labels.genders, id.gender)} · {t.age(id.age)} · {t.since} {id.customer_since} · {id.region}</span>
      </header>
      {campaign && <CampaignPanel campaign={campaign} />}
      <div class="pop-grid">
        {!campaign && ivr && <IvrPanel ivr={ivr} />}
        <Section title={t.complaints} testid="complaints">
          {profile.open_complaints.length === 0 ? <p class="muted">{t.none}</p> : (
            <ul>{profile.open_complaints.map((c) => (
              <li key={c.case_no} data-testid="open-case-row">
                {c.case_no} · {t.labels.caseKinds[c.kind as CaseKind] ?? c.kind} · {t.labels.caseCategories[c.category as CaseCategory] ?? c.category}: {c.summary}{' '}
                <span class="muted">({t.labels.caseStatuses[c.status as CaseStatus] ?? c.status}{c.owner ? `, ${t.caseOwner} ${c.owner}` : ''}, {dateTime(c.opened_at)})</span>{' '}
                <span class={c.overdue ? 'flag flag-on' : 'muted'} data-testid="case-sla">{t.slaDue} {dateTime(c.sla_due_at)}{c.overdue ? ` · ${t.overdue}` : ''}</span>
                {c.escalated && <span class="flag flag-on">{t.escalatedFlag}</span>}
              </li>
            ))}</ul>
          )}
        </Section>
        <Section title={t.flags}>
          <p>
            <Flag on={flags.churn_risk} label={t.churnRisk} /> <Flag on={flags.loan_overdue} label={t.loanOverdue} />{' '}
            <Flag on={flags.card_blocked} label={t.cardBlocked} /> <Flag on={flags.complaint_overdue} label={t.complaintOverdue} />
          </p>
          <dl>
            <dt>{t.riskTolerance}</dt><dd>R{flags.risk_tolerance}</dd>
            <dt>{t.creditRating}</dt><dd>{flags.credit_rating ?? '–'}</dd>
            <dt>{t.marketingConsent}</dt><dd>{profile.consent.marketing_consent ? t.yes : t.no}</dd>
            <dt>{t.dnc}</dt><dd data-testid="dnc">{profile.consent.do_not_call ? t.yes : t.no}</dd>
            <dt>{t.phonePin}</dt><dd data-testid="phone-pin"><PinState pin={profile.phone_pin} /></dd>
          </dl>
        </Section>
        <Section title={t.score}>
          <p class="score"><strong>{money(value.score)}</strong> <span class="muted">({word(t.labels.trends, value.trend)})</span></p>
          <table class="breakdown" aria-label={t.breakdown}>
            <tbody>
              {([['deposits', b.deposits], ['loans', b.loans], ['fees', b.fees], ['ebanking', b.ebanking], ['international', b.international]] as const).map(([k, v]) => (
                <tr key={k}><th scope="row">{t[k]}</th><td>{money(v)}</td></tr>
              ))}
              <tr><th scope="row">{t.loyalty}</th><td>{b.loyalty_multiplier}</td></tr>
            </tbody>
          </table>
        </Section>
        <Section title={t.rm} testid="rm">
          {profile.relationship_manager ? (
            <p>{profile.relationship_manager.name} · {profile.relationship_manager.branch} · {profile.relationship_manager.phone}</p>
          ) : <p class="muted">{t.noRm}</p>}
          <dl>
            <dt>{t.phones}</dt><dd>{id.phones.map((p) => `${p.phone_masked} (${word(t.labels.phoneKinds, p.kind)})`).join(', ')}</dd>
            <dt>{t.preferred}</dt><dd>{word(t.labels.contactWays, id.preferred_contact)} · {word(t.langNames, id.language)}</dd>
          </dl>
        </Section>
        <Section title={t.offers} testid="offers">
          {profile.offers.length === 0 ? <p class="muted">{t.none}</p> : (
            <ul>{profile.offers.map((o) => <li key={o.product_code}><strong>{lang === 'en' ? o.name_en : o.name_zh}</strong> (R{o.risk_level}) — {o.reason}</li>)}</ul>
          )}
        </Section>
        <Section title={t.holdings} testid="holdings">
          <table>
            <tbody>
              {h.deposits.map((d) => <tr key={d.account_no_masked}><th scope="row">{t.deposits}</th><td>{d.product} {d.account_no_masked}{d.status !== 'active' ? ` · ${word(t.labels.holdingStatuses, d.status)}` : ''}</td><td class="num">{money(d.balance, d.currency)}</td></tr>)}
              {h.time_deposits.map((d) => <tr key={d.deposit_no_masked}><th scope="row">{t.timeDeposits}</th><td>{d.deposit_no_masked} · {d.term_months}m {d.rate_pct}% → {d.maturity_date}</td><td class="num">{money(d.principal, d.currency)}</td></tr>)}
              {h.loans.map((l) => <tr key={l.loan_no_masked}><th scope="row">{t.loans}</th><td>{word(t.labels.loanKinds, l.kind)} {l.loan_no_masked}{l.days_overdue > 0 ? ` · ${l.days_overdue}d ${t.overdue}` : ''}</td><td class="num">{money(l.outstanding)}</td></tr>)}
              {h.cards.map((c) => <tr key={c.pan_masked}><th scope="row">{t.cards}</th><td>{c.product} {c.pan_masked} · <span class={`hstate hstate-${c.status}`} data-testid="card-state">{word(t.labels.holdingStatuses, c.status)}</span></td><td class="num">{money(c.balance)}</td></tr>)}
              {h.investments.map((i) => <tr key={i.product_code}><th scope="row">{t.investments}</th><td>{i.product_name} (R{i.risk_level})</td><td class="num">{money(i.market_value)}</td></tr>)}
            </tbody>
          </table>
        </Section>
        <Section title={t.transactions}>
          <table>
            <tbody>
              {profile.recent_transactions.slice(0, 8).map((x, i) => (
                <tr key={i}><td>{dateTime(x.occurred_at)}</td><td>{x.description} <span class="muted">{word(t.labels.channels, x.channel)}</span></td><td class="num">{money(x.amount, x.currency)}</td></tr>
              ))}
            </tbody>
          </table>
        </Section>
        <Section title={t.timeline} testid="timeline">
          {profile.recent_interactions.length === 0 ? <p class="muted">{t.none}</p> : (
            <ul class="timeline">
              {profile.recent_interactions.map((i) => (
                <li key={i.id}>
                  <button type="button" class="link" aria-expanded={openInteraction === i.id} onClick={() => setOpenInteraction(openInteraction === i.id ? null : i.id)}>
                    {dateTime(i.started_at)} · {word(t.labels.channels, i.channel)} {word(t.labels.directions, i.direction)} · {i.disposition ? word(t.labels.dispositions, i.disposition) : i.summary ?? '–'}
                  </button>
                  {openInteraction === i.id && <TimelineView interactionId={i.id} />}
                </li>
              ))}
            </ul>
          )}
        </Section>
      </div>
    </div>
  );
}
