import { describe, expect, it } from 'vitest';
import { draftWrapup } from '../../agent-ui/src/console/wrapup-draft.js';

const words = { customer: 'Customer', promised: 'Promised' };

describe('the wrap-up drafted from a live transcript', () => {
  it('takes the reasons from the prompts, the products named, the customer\'s opening words and what the agent promised', () => {
    const draft = draftWrapup([
      { side: 'caller', text: '我想销户' },
      { side: 'agent', text: '请问是什么原因呢' },
      { side: 'caller', text: '信用卡年费太贵，钱我想转去买基金' },
      { side: 'agent', text: '我帮您申请免年费，稍后给您回电' },
    ], ['retention', 'risk_disclosure'], words);
    expect(draft).toEqual({
      reasons: 'close_account_request, wealth_enquiry',
      products: 'fund, credit_card',
      notes: 'Customer: 我想销户\nPromised: 我帮您申请免年费，稍后给您回电',
    });
  });

  it('drafts nothing for a call without a transcript, and promises nothing the agent did not say', () => {
    expect(draftWrapup([], ['retention'], words)).toBeNull();
    expect(draftWrapup([{ side: 'caller', text: 'I will think about it' }], [], words)).toEqual({ reasons: '', products: '', notes: 'Customer: I will think about it' });
  });
});
