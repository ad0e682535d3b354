import { useI18n } from '../i18n.js';
import type { CampaignPop, CampaignPurpose } from '../types.js';

/**
 * What an outbound campaign call is for: the campaign, the script to follow (kept as written, line
 * breaks and all) and the offer with its terms. Shown first on the pop, since the agent speaks first.
 */
export function CampaignPanel({ campaign }: { campaign: CampaignPop }) {
  const { t } = useI18n();
  const purpose = t.labels.purposes[campaign.purpose as CampaignPurpose] ?? campaign.purpose;
  return (
    <section class="card campaign" aria-labelledby="campaign-title" data-testid="campaign">
      <h3 id="campaign-title">{t.campaign}: <span data-testid="campaign-name">{campaign.name}</span> <span class="badge">{purpose}</span></h3>
      <h4>{t.script}</h4>
      {campaign.script.trim() ? <pre class="script" data-testid="campaign-script">{campaign.script}</pre> : <p class="muted">{t.none}</p>}
      <h4>{t.campaignOffer}</h4>
      {campaign.offer ? (
        <div class="offer-detail" data-testid="campaign-offer">
          <p><strong>{campaign.offer.title}</strong> <span class="muted">{t.offerCode}</span> <code>{campaign.offer.code}</code></p>
          {campaign.offer.terms && <p class="terms"><span class="muted">{t.terms}:</span> {campaign.offer.terms}</p>}
        </div>
      ) : <p class="muted">{t.noOffer}</p>}
    </section>
  );
}
